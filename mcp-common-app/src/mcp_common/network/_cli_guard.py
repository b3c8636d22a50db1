"""The read-only allow-list for device CLI commands: what an MCP tool may send to a device."""

from __future__ import annotations

import re

from mcp_common.errors import InvalidInput

__all__ = [
    "ALLOWED_FILTERS",
    "ALLOWED_VERBS",
    "MAX_COMMAND_LENGTH",
    "CommandRefused",
    "check_command",
]


class CommandRefused(InvalidInput):
    """A CLI command is not on the read-only allow-list; nothing was sent to any device."""


# Exec commands that only read. Exact words: IOS abbreviations ("sh", "conf t", "wr") are
# refused rather than interpreted, so what is checked is what the device will run.
ALLOWED_VERBS = frozenset({"show", "ping", "traceroute"})
# Output filters allowed after "|"; "redirect", "append", "tee" would write files.
ALLOWED_FILTERS = frozenset({"include", "exclude", "begin", "section", "count"})
MAX_COMMAND_LENGTH = 256

# Chaining (";"), line breaks (a second command), NX-OS redirections (">", ">>") and any
# other control character.
_FORBIDDEN = re.compile(r"[;\r\n\x00-\x1f\x7f<>`]")


def check_command(command: str) -> str:
    """Return the command, whitespace-normalised, or raise CommandRefused saying why."""
    if not isinstance(command, str):
        raise CommandRefused("each command must be a string")
    shown = command if len(command) <= 60 else command[:57] + "..."
    shown = shown.encode("unicode_escape").decode("ascii")
    if len(command) > MAX_COMMAND_LENGTH:
        raise CommandRefused(f"command {shown!r} is longer than {MAX_COMMAND_LENGTH} characters")
    if _FORBIDDEN.search(command):
        raise CommandRefused(
            f"command {shown!r} refused: it contains a line break, ';', '<', '>', '`' or a "
            "control character; send one read-only command per entry"
        )
    if not command.isascii():
        raise CommandRefused(f"command {shown!r} refused: only ASCII characters are accepted")
    stages = [" ".join(part.split()) for part in command.split("|")]
    words = stages[0].split(" ")
    verb = words[0].lower()
    if verb not in ALLOWED_VERBS:
        allowed = ", ".join(sorted(ALLOWED_VERBS))
        raise CommandRefused(
            f"command {shown!r} refused: only read-only commands starting with {allowed} "
            "(written in full) are accepted"
        )
    if len(words) < 2:
        raise CommandRefused(f"command {shown!r} refused: '{verb}' needs an argument")
    for stage in stages[1:]:
        name = stage.split(" ")[0].lower() if stage else ""
        if name not in ALLOWED_FILTERS or len(stage.split(" ")) < 2:
            filters = ", ".join(sorted(ALLOWED_FILTERS))
            raise CommandRefused(
                f"command {shown!r} refused: after '|' only the output filters {filters} "
                "followed by a pattern are accepted"
            )
    return " | ".join(stages)
