"""Redaction of tokens, passwords and secrets from anything that may be logged."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["REDACTED", "is_sensitive_key", "redact", "redact_text"]

REDACTED = "[REDACTED]"

_SENSITIVE_KEY = re.compile(
    r"(pass(word|wd|phrase)?|secret|token|authorization|api[_-]?key|credential|"
    r"private[_-]?key|cookie|session[_-]?id|community|x-auth-token|x-vault-token|client_assertion)",
    re.IGNORECASE,
)
# Keys that contain a sensitive word but only describe, never carry, a secret.
_SAFE_KEYS = frozenset(
    {
        "token_type",
        "token.type",
        "secret_path",
        "secret.path",
        "secret.source",
        "event.action",
        "auth_method",
    }
)

_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # JWTs (three base64url segments, the first two starting with '{"' encoded)
    (re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"), REDACTED),
    # Authorization header values
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # PEM private keys (the whole block, or what is left of it on one line)
    (
        re.compile(
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(?:-----END [A-Z ]*PRIVATE KEY-----|$)",
            re.DOTALL,
        ),
        REDACTED,
    ),
    # GitHub tokens (classic, fine-grained, app, OAuth) and AWS access key ids
    (re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})"), REDACTED),
    (re.compile(r"\bAKIA[0-9A-Z]{16}\b"), REDACTED),
    # Vault/OpenBao service and batch tokens
    (re.compile(r"\b(hvs|hvb|s|b)\.[A-Za-z0-9_-]{20,}"), REDACTED),
    # key=value / key: value pairs whose key is sensitive
    (
        re.compile(
            r"(?i)\b(password|passwd|secret|token|api[_-]?key|client_secret)"
            r"(\"?\s*[:=]\s*\"?)([^\s\"',;&]+)"
        ),
        r"\1\2" + REDACTED,
    ),
)


# Every log line passes each of its fields through here; the same keys and the same short
# values (tool names, outcomes, ids) come back on every call, so both answers are memoized
# (profiled: redaction was about a tenth of a tool call's CPU). Pure functions of a str.
_MEMO_MAX_LEN = 256


@functools.lru_cache(maxsize=4096)
def is_sensitive_key(key: str) -> bool:
    """True when a field named `key` may carry a secret value."""
    return key.lower() not in _SAFE_KEYS and bool(_SENSITIVE_KEY.search(key))


# The same answers as `is_sensitive_key`, read with one dict lookup in the loop below (log
# documents repeat the same few dozen keys); bounded like the memo above.
_KEY_VERDICTS: dict[str, bool] = {}
_KEY_VERDICTS_MAX = 4096


def _sensitive(key: str) -> bool:
    verdict = _KEY_VERDICTS.get(key)
    if verdict is None:
        verdict = is_sensitive_key(key)
        if len(_KEY_VERDICTS) < _KEY_VERDICTS_MAX:
            _KEY_VERDICTS[key] = verdict
    return verdict


@functools.lru_cache(maxsize=8192)
def _redact_short(text: str) -> str:
    return _redact(text)


def _redact(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_text(text: str) -> str:
    """Mask secrets recognisable by their shape inside free text."""
    if len(text) <= _MEMO_MAX_LEN:
        return _redact_short(text)
    return _redact(text)


_SCALARS = frozenset({int, float, bool, type(None)})


def redact(value: Any, _depth: int = 0) -> Any:
    """Return a copy of `value` with sensitive keys masked and secret-shaped text replaced."""
    if _depth > 8:
        return REDACTED
    kind = type(value)
    if kind is str:
        return redact_text(value)
    if kind in _SCALARS:
        return value
    if kind is list or kind is tuple:
        # Lists of short strings (roles, actors) are common in log documents: inline too.
        return [
            _redact_short(item)
            if type(item) is str and len(item) <= _MEMO_MAX_LEN
            else redact(item, _depth + 1)
            for item in value
        ]
    if kind is dict or isinstance(value, Mapping):
        # Log documents are flat dicts of short strings and numbers: those are handled
        # inline (this runs for every field of every log line).
        out: dict[Any, Any] = {}
        verdicts = _KEY_VERDICTS
        for key, item in value.items():
            sensitive = verdicts.get(key)
            if sensitive is None:
                sensitive = isinstance(key, str) and _sensitive(key)
            if sensitive and item is not None and item != "":
                out[key] = REDACTED
            elif type(item) is str:
                out[key] = redact_text(item) if len(item) > _MEMO_MAX_LEN else _redact_short(item)
            elif type(item) in _SCALARS:
                out[key] = item
            else:
                out[key] = redact(item, _depth + 1)
        return out
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(v, _depth + 1) for v in value]
    if isinstance(value, str):  # a str subclass (an enum member, say)
        return redact_text(value)
    return value
