"""The template-programmer catalog: versioned Velocity templates and a small Velocity renderer.

Each template has a stable id (the "parent") and one id per committed version; the parent id
resolves to the latest committed version, a version id to that exact version (rollback).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["CATALOG", "Template", "TemplateVersion", "param_names", "render"]

_NS = uuid.UUID("3c9d7f10-2b4a-4e61-8f0d-2c0ffee00002")
_PROJECTS = {"Day-N": str(uuid.uuid5(_NS, "project:Day-N")),
             "Campus": str(uuid.uuid5(_NS, "project:Campus"))}  # fmt: skip
_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_FOREACH = re.compile(r"^\s*#foreach\s*\(\s*\$(\w+)\s+in\s+\$(\w+)\s*\)\s*$")
_END = re.compile(r"^\s*#end\s*$")
_BASE_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z, so version times are stable


@dataclass(frozen=True, slots=True)
class TemplateVersion:
    """One committed version of a template."""

    id: str
    version: int
    content: str
    comment: str
    time_ms: int


@dataclass(frozen=True, slots=True)
class Template:
    """A template and its committed versions (oldest first)."""

    id: str
    name: str
    project: str
    description: str
    versions: tuple[TemplateVersion, ...]
    fails_on_device: str | None = None  # CLI line the device rejects, for the broken template

    @property
    def project_id(self) -> str:
        """The project's id."""
        return _PROJECTS[self.project]

    @property
    def latest(self) -> TemplateVersion:
        """The latest committed version."""
        return self.versions[-1]

    def version_by_id(self, version_id: str) -> TemplateVersion | None:
        """The committed version with this id, if any."""
        return next((v for v in self.versions if v.id == version_id), None)


def _template(name: str, project: str, description: str, *bodies: tuple[str, str],
              fails: str | None = None) -> Template:  # fmt: skip
    versions = tuple(
        TemplateVersion(
            str(uuid.uuid5(_NS, f"template:{name}:v{n}")),
            n,
            body.strip("\n"),
            comment,
            _BASE_MS + n * 86_400_000 + len(name) * 60_000,
        )
        for n, (body, comment) in enumerate(bodies, start=1)
    )
    return Template(str(uuid.uuid5(_NS, f"template:{name}")), name, project, description,
                    versions, fails)  # fmt: skip


CATALOG: tuple[Template, ...] = (
    _template(
        "NTP-Servers", "Day-N", "Point the device at the regional NTP servers",
        ("ntp server $ntp_primary prefer\nntp server $ntp_secondary\n", "Initial version"),
        ("clock timezone $timezone 0 0\nntp source Loopback0\nntp server $ntp_primary prefer\n"
         "ntp server $ntp_secondary\n", "Add timezone and NTP source"),
    ),
    _template(
        "Banner-MOTD", "Day-N", "Legal login banner",
        ("banner motd ^C\n$banner_text\n^C\n", "Initial version"),
        ("banner motd ^C\nAuthorized access only - $site_name\n$banner_text\n^C\n",
         "Prefix the site name"),
    ),
    _template(
        "Access-VLANs", "Campus", "Create a VLAN and assign access ports to it",
        ("vlan $vlan_id\n name $vlan_name\n", "VLAN only"),
        ("vlan $vlan_id\n name $vlan_name\n#foreach($port in $access_ports)\ninterface $port\n"
         " switchport mode access\n switchport access vlan $vlan_id\n#end\n", "Assign ports"),
        ("vlan $vlan_id\n name $vlan_name\n#foreach($port in $access_ports)\ninterface $port\n"
         " switchport mode access\n switchport access vlan $vlan_id\n spanning-tree portfast\n"
         "#end\n", "Add portfast"),
    ),
    _template(
        "Broken-Template", "Campus", "Known-bad template (the device rejects it)",
        ("interface $interface\n switchport trunk encapsulation isl\n", "Initial version"),
        ("interface $interface\n switchport trunk encapsulation isl\n storm-control level 200\n",
         "Add storm control"),
        fails="switchport trunk encapsulation isl",
    ),
)  # fmt: skip


def param_names(content: str) -> tuple[list[str], set[str]]:
    """The template's parameters in order of appearance, and which of them are lists."""
    loop_vars: set[str] = set()
    lists: set[str] = set()
    names: list[str] = []
    for line in content.splitlines():
        match = _FOREACH.match(line)
        if match:
            loop_vars.add(match.group(1))
            lists.add(match.group(2))
            if match.group(2) not in names:
                names.append(match.group(2))
            continue
        for var in _VAR.finditer(line):
            name = var.group(1) or var.group(2)
            if name not in loop_vars and name not in names:
                names.append(name)
    return names, lists


def _items(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [part.strip() for part in str(value).split(",") if part.strip()]


def _substitute(line: str, values: Mapping[str, Any]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(1) or match.group(2)
        # Velocity leaves unresolved references verbatim; so do we.
        return str(values[name]) if name in values else match.group(0)

    return _VAR.sub(repl, line)


def render(content: str, params: Mapping[str, Any]) -> tuple[str, list[str]]:
    """Render `$var`, `${var}` and one level of `#foreach`; return (text, missing params)."""
    names, _ = param_names(content)
    missing = [n for n in names if params.get(n) in (None, "", [])]
    out: list[str] = []
    lines = content.splitlines()
    i = 0
    while i < len(lines):
        match = _FOREACH.match(lines[i])
        if not match:
            out.append(_substitute(lines[i], params))
            i += 1
            continue
        end = next((j for j in range(i + 1, len(lines)) if _END.match(lines[j])), len(lines))
        body = lines[i + 1 : end]
        for item in _items(params.get(match.group(2), "")):
            scope = {**params, match.group(1): item}
            out.extend(_substitute(line, scope) for line in body)
        i = end + 1
    return "\n".join(out), missing
