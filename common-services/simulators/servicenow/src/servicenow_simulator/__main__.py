"""`python -m servicenow_simulator`: serve a simulated ServiceNow instance."""

from servicenow_simulator.cli import main

__all__: list[str] = []

if __name__ == "__main__":
    main()
