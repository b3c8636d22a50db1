"""One command in a device's terminal session: output with prompt and echo, IOS filters applied.

Outputs come from the shared network's generators (`simulator_kit.network.run_command`) plus
`outputs.py`. Like a device behind a RADKit Service, the terminal runs whatever it is
sent; refusing commands is the MCP server's job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from simulator_kit.network import SUCCESS, Device, run_command

from .outputs import processes_cpu, show_logging

__all__ = ["FAILURE", "SUCCESS", "Session", "apply_filter"]

FAILURE = "FAILURE"
_FILTERS = ("include", "exclude", "begin", "section", "count")
# A "|" with a space beside it starts a filter stage; "include a|b" keeps its alternation.
_PIPE = re.compile(r"(?<=\s)\||\|(?=\s)")


def apply_filter(lines: list[str], stage: str) -> list[str] | None:
    """Lines after one `| <filter> <regex>` stage, or None when the stage is not valid IOS."""
    name, _, pattern = stage.strip().partition(" ")
    pattern = pattern.strip()
    if name not in _FILTERS or not pattern:
        return None
    try:
        regex = re.compile(pattern)
    except re.error:
        return None
    if name == "include":
        return [line for line in lines if regex.search(line)]
    if name == "exclude":
        return [line for line in lines if not regex.search(line)]
    if name == "count":
        return [f"Number of lines which match regexp = {sum(1 for x in lines if regex.search(x))}"]
    if name == "begin":
        start = next((i for i, line in enumerate(lines) if regex.search(line)), len(lines))
        return lines[start:]
    kept: list[str] = []  # section: top-level lines that match, with their indented children
    keep = False
    for line in lines:
        if line and not line[0].isspace():
            keep = bool(regex.search(line))
        if keep:
            kept.append(line)
    return kept


@dataclass(frozen=True, slots=True)
class Session:
    """A terminal on one reachable device."""

    device: Device
    running_config: Callable[[], str]
    uptime: float
    reachable_ips: frozenset[str]

    @property
    def prompt(self) -> str:
        """The exec prompt, e.g. `par-acc-01#`."""
        return f"{self.device.hostname}#"

    def run(self, command: str) -> tuple[str, str]:
        """(SUCCESS or FAILURE, what the terminal shows) for one command line."""
        base, *stages = _PIPE.split(command)
        base = " ".join(base.split())
        status, body = self._body(base)
        if status == SUCCESS:
            lines = body.splitlines()
            for stage in stages:
                filtered = apply_filter(lines, stage)
                if filtered is None:
                    at = command.index(stage) + len(stage) - len(stage.lstrip())
                    caret = " " * (len(self.prompt) + at) + "^"
                    status, lines = FAILURE, [caret, "% Invalid input detected at '^' marker."]
                    break
                lines = filtered
            body = "\n".join(lines)
        shown = f"{body}\n" if body else ""
        return status, f"{self.prompt}{command}\n{shown}{self.prompt}"

    def _body(self, base: str) -> tuple[str, str]:
        """The command's own output, without echo and prompt."""
        words = base.lower().split()
        if words[:3] == ["show", "processes", "cpu"] and len(words) <= 4:
            return SUCCESS, processes_cpu(self.device)
        if words == ["show", "logging"]:
            return SUCCESS, show_logging(self.device, self.running_config())
        bucket, text = run_command(
            self.device,
            base,
            reachable=True,
            running_config=self.running_config,
            uptime=self.uptime,
            reachable_ips=self.reachable_ips,
        )
        lines = text.splitlines()[1:]  # drop the generator's echo line
        while lines and lines[-1] in ("", self.prompt):
            lines.pop()
        if bucket != SUCCESS:
            # Carets point into "prompt + command" on a real terminal.
            lines = [" " * len(self.prompt) + x if x.strip() == "^" else x for x in lines]
            return FAILURE, "\n".join(lines)
        return SUCCESS, "\n".join(lines)
