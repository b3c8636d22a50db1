"""Pydantic results of the ServiceNow tools (summaries by default, details on request).

One module per kind of record, each with its own public face: `incidents`, `changes` and
`cmdb` (and `tasks`, what incident and change results share).
"""

from . import changes, cmdb, incidents, tasks

__all__ = ["changes", "cmdb", "incidents", "tasks"]
