"""The kit every backend simulator is built from: one Gate, one fault implementation, shared
`/sandbox` controls, request statistics, session tokens, the command line, background serving
and the simulated network (`simulator_kit.network`).
"""

from __future__ import annotations

from .admin import ControlError, Controls, admin_routes, control_body, control_count
from .app import simulator_app
from .cli import add_deadline_options, run_simulator, simulator_parser
from .errors import SimulatorError
from .faults import Fault, FaultError, Faults
from .gate import Gate
from .lifecycle import Lifecycle
from .listener import serve as serve_with_deadlines
from .serve import BackgroundServer, free_port
from .state import SimulatorState
from .stats import RequestStats
from .tokens import SessionTokens

__all__ = [
    "BackgroundServer",
    "ControlError",
    "Controls",
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
    "admin_routes",
    "control_body",
    "control_count",
    "free_port",
    "run_simulator",
    "serve_with_deadlines",
    "simulator_app",
    "simulator_parser",
]
