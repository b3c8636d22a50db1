"""`python -m mcp_sandbox.servicenow`: serve a simulated ServiceNow instance."""

from mcp_sandbox.servicenow.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
