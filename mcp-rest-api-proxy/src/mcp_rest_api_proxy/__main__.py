"""`python -m mcp_rest_api_proxy`: serve the REST proxy with settings from the environment."""

from .app import main

__all__: list[str] = []

main()
