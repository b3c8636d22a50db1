"""The kit every backend simulator is built from: one Gate, one fault implementation, shared
`/sandbox` controls, request statistics, session tokens, the command line, background serving
and the simulated network (`simulator_kit.network`).
"""

from __future__ import annotations

# The platform's listener, so that every simulator and the dev issuer cut slow clients off
# (408) exactly like the MCP servers do.
from mcp_common.server import run_listener as serve_with_deadlines

from .admin import ControlError, Controls, admin_routes, control_body, control_count
from .app import simulator_app
from .cli import (
    add_deadline_options,
    add_secret_option,
    run_simulator,
    secret_from,
    simulator_parser,
)
from .dialect import ErrorDialect
from .errors import SimulatorError
from .faults import Fault, FaultError, Faults
from .gate import Gate
from .lifecycle import Lifecycle
from .serve import BackgroundServer, free_port
from .state import SimulatorState
from .stats import RequestStats
from .tokens import SessionTokens

__all__ = [
    "BackgroundServer",
    "ControlError",
    "Controls",
    "ErrorDialect",
    "Fault",
    "FaultError",
    "Faults",
    "Gate",
    "Lifecycle",
    "RequestStats",
    "SessionTokens",
    "SimulatorError",
    "SimulatorState",
    "add_deadline_options",
    "add_secret_option",
    "admin_routes",
    "control_body",
    "control_count",
    "free_port",
    "run_simulator",
    "secret_from",
    "serve_with_deadlines",
    "simulator_app",
    "simulator_parser",
]
