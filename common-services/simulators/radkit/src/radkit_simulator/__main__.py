"""`python -m mcp_sandbox.radkit`: run the RADKit simulator."""

from __future__ import annotations

from .app import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
