"""A faithful ServiceNow instance simulator: Table API, Change Management API, OAuth, CMDB."""

from mcp_sandbox.servicenow.app import create_servicenow_app
from mcp_sandbox.servicenow.cli import main

__all__ = ["create_servicenow_app", "main"]
