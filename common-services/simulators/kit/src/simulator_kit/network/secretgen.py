"""Deterministic, realistic-looking device secrets (Cisco type 0/5/7/8/9) for simulated configs.

Every value is derived from the hostname and a label, so configs are stable across runs while
still differing between devices: the MCP server's secret masking must cope with variety.
"""

from __future__ import annotations

import hashlib

__all__ = ["config_secrets", "plain", "type5", "type7", "type8", "type9", "words"]

_CRYPT = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_WORDS = ("Falcon", "Granite", "Harbor", "Juniper", "Meadow", "Nimbus", "Orchid", "Quartz")


def _digest(seed: str, label: str) -> bytes:
    return hashlib.shake_256(f"{seed}|{label}".encode()).digest(64)


def _crypt_chars(seed: str, label: str, length: int) -> str:
    data = _digest(seed, label)
    return "".join(_CRYPT[b % 64] for b in data[:length])


def type9(seed: str, label: str) -> str:
    """A scrypt hash as IOS-XE prints it: `$9$<14 salt>$<43 hash>`."""
    return f"$9${_crypt_chars(seed, label + ':s', 14)}${_crypt_chars(seed, label + ':h', 43)}"


def type8(seed: str, label: str) -> str:
    """A PBKDF2-SHA256 hash: `$8$<14 salt>$<43 hash>`."""
    return f"$8${_crypt_chars(seed, label + ':s', 14)}${_crypt_chars(seed, label + ':h', 43)}"


def type5(seed: str, label: str) -> str:
    """An MD5-crypt hash: `$1$<4 salt>$<22 hash>` (IOS) / `$5$...` style is NX-OS's own."""
    return f"$1${_crypt_chars(seed, label + ':s', 4)}${_crypt_chars(seed, label + ':h', 22)}"


def type7(seed: str, label: str, length: int = 10) -> str:
    """A Vigenere 'type 7' string: two decimal digits then upper-case hex."""
    data = _digest(seed, label)
    return f"{data[0] % 16:02d}" + data[1 : 1 + length].hex().upper()


def plain(seed: str, label: str) -> str:
    """A human-chosen plaintext secret (the worst kind, and the one masking must catch)."""
    data = _digest(seed, label)
    word = _WORDS[data[0] % len(_WORDS)]
    return f"{word}{data[1] % 90 + 10}!{data[2:4].hex()}"


def words(seed: str, label: str) -> str:
    """A lowercase community-string-like token."""
    data = _digest(seed, label)
    return f"{_WORDS[data[3] % len(_WORDS)].lower()}{data[4:7].hex()}"


def config_secrets(config: str) -> set[str]:
    """The secret values in a raw sandbox config, found without any masker (for tests)."""
    words = ("password", "secret", "key", "key-string", "community", "pre-shared-key", "md5")
    found = set()
    for line in config.splitlines():
        tokens = line.replace('"', " ").split()
        for i, token in enumerate(tokens[:-1]):
            if token in words or token in ("sha", "aes-128", "ascii"):
                rest = [t for t in tokens[i + 1 :] if not t.isdigit()]
                if rest and len(rest[0]) >= 6 and not rest[0].startswith("ISE"):
                    found.add(rest[0])
    return found
