"""`python -m dev_idp`: serve the development issuer."""

from __future__ import annotations

from .app import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
