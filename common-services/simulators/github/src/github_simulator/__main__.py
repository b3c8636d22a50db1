"""`python -m mcp_sandbox.github`: serve a simulated GitHub."""

from mcp_sandbox.github.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
