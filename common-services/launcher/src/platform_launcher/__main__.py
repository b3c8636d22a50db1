"""`python -m platform_launcher` (`make up`): run the whole platform until Ctrl-C."""

from __future__ import annotations

from .up import main

__all__: list[str] = []

if __name__ == "__main__":
    raise SystemExit(main())
