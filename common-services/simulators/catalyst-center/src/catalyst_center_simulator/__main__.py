"""`python -m catalyst_center_simulator`: run the simulator."""

from __future__ import annotations

from .cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
