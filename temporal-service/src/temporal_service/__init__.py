"""temporal_service: durable, change-managed template deployment (Temporal) and its MCP server.

Import the parts from their modules (`temporal_service.worker`, `.server`, `.workflows`,
`.activities`): this package stays light because Temporal's workflow sandbox imports it.
"""

__all__: list[str] = []
