"""`python -m mcp_console`: serve the operator console with settings from the environment."""

from .app import main

__all__: list[str] = []

main()
