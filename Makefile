# Two commands on a fresh machine (Python 3.11+ and the package index):
#   make up     run the whole platform on 127.0.0.1 with embedded defaults
#   make test   lint, type-check and run every test
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)
PYTEST_ARGS ?=

.PHONY: up test lint typecheck pytest token otp sync bench clean help

help:
	@echo "make up            run the platform (Ctrl-C stops it)"
	@echo "make test          ruff, import contracts, mypy (strict) and the whole test suite"
	@echo "make token ID=...  print an access token for a demo identity (SERVER=... for one server)"
	@echo "make otp ID=...    print the current one-time code of an MFA demo identity"
	@echo "make bench         run the benchmarks (numbers go to docs/benchmarks.md)"

.tools/bin/uv:
	@echo "installing uv into .tools/ (one time)"
	@$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet uv

sync: $(if $(findstring .tools,$(UV)),.tools/bin/uv)
	@$(UV) sync --frozen --quiet

up: sync
	@$(UV) run --frozen python -m platform_launcher

token: sync
	@$(UV) run --frozen python -m platform_launcher.token $(ID) $(SERVER)

otp: sync
	@$(UV) run --frozen python -m platform_launcher.otp $(ID)

lint: sync
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen lint-imports --no-cache

typecheck: sync
	$(UV) run --frozen mypy

pytest: sync
	$(UV) run --frozen pytest $(PYTEST_ARGS)

test: lint typecheck pytest

bench: sync
	$(UV) run --frozen python bench/auth_overhead.py --write docs/benchmarks.md
	$(UV) run --frozen python bench/rest_proxy.py --write docs/benchmarks.md
	$(UV) run --frozen python bench/simulators.py --write docs/benchmarks.md
	$(UV) run --frozen python bench/load.py --write docs/benchmarks.md

clean:
	rm -rf .platform .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
