"""`python -m github_simulator`: serve a simulated GitHub."""

from github_simulator.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
