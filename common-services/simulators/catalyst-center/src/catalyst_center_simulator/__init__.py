"""Cisco Catalyst Center (DNA Center) Intent API simulator for tests and local runs."""

from __future__ import annotations

from .app import create_catalyst_center_app
from .cli import main

__all__ = ["create_catalyst_center_app", "main"]
