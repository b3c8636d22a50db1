"""Pydantic results of the Catalyst Center tools (descriptions an LLM can act on).

One module per toolset, each with its own public face: `inventory`, `assurance`,
`templates` and `operations` (commands and tasks); `common` holds what they share (pages,
value readers) and `record` the reading of an API record into a result.
"""

from . import assurance, common, inventory, operations, record, templates

__all__ = ["assurance", "common", "inventory", "operations", "record", "templates"]
