"""A faithful ServiceNow instance simulator: Table API, Change Management API, OAuth, CMDB."""

from servicenow_simulator.app import create_servicenow_app
from servicenow_simulator.cli import main

__all__ = ["create_servicenow_app", "main"]
