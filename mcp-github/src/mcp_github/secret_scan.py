"""Refuse to publish obvious secrets: private keys, tokens and cleartext device passwords.

A commit or an issue comment is forever (history, forks, notifications), so content that
matches a credential shape is refused before any call to GitHub. Only the kind of secret and
its line number are reported, never the matched text.
"""

from __future__ import annotations

import re

from .errors import ContentRefused

__all__ = ["PATTERNS", "find_secrets", "refuse_secrets"]

# A value that is a template variable or a reference, not a secret.
_REF = r"(?!\{\{|\{%|\$\{|\$[A-Za-z_]|<[A-Za-z_])"
_SOURCES: tuple[tuple[str, str], ...] = (
    ("private key", r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{22,})"),
    ("AWS access key", r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    ("Slack token", r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    ("Google API key", r"\bAIza[0-9A-Za-z_-]{35}\b"),
    ("Vault token", r"\bhv[sbr]\.[A-Za-z0-9_-]{20,}"),
    ("JSON web token", r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    # Cisco IOS: cleartext (0) or reversible (7) passwords ending a line, literal communities.
    ("device password", rf"(?im)\b(?:password|secret|key|key-string)\s+[07]\s+{_REF}\S{{4,}}\s*$"),
    ("SNMP community", rf"(?im)^\s*snmp-server\s+community\s+{_REF}[^\s{{]\S*"),
    # password = "literal" (8+ characters) in code or configuration files.
    (
        "password literal",
        r"(?i)\b(?:password|passwd|pwd|secret|api[_-]?key|access[_-]?token|client[_-]?secret)"
        rf"[\"']?\s*[:=]\s*[\"']{_REF}[^\"'\s]{{8,}}[\"']",
    ),
)
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(source)) for kind, source in _SOURCES
)


def find_secrets(text: str) -> list[tuple[str, int]]:
    """(kind, line number) of every secret-looking match, in order."""
    found: list[tuple[str, int]] = []
    for kind, pattern in PATTERNS:
        for match in pattern.finditer(text):
            found.append((kind, text.count("\n", 0, match.start()) + 1))
    return sorted(found, key=lambda item: item[1])


def refuse_secrets(text: str | None, what: str) -> None:
    """Raise ContentRefused when `text` looks like it carries a secret."""
    if not text:
        return
    found = find_secrets(text)
    if found:
        where = ", ".join(f"{kind} (line {line})" for kind, line in found[:5])
        raise ContentRefused(
            f"{what} looks like it contains a secret: {where}. Nothing was sent to GitHub; "
            "keep secrets in the vault and commit a variable or reference instead"
        )
