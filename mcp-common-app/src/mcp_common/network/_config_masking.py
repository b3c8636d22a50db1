"""Masking of secrets in device configurations and CLI outputs (IOS, IOS-XE, NX-OS)."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["MASK", "MaskedText", "mask_config", "mask_line"]

MASK = "<masked>"

# An optional encryption type before the value: 0 plain, 5/8/9 hashes, 6 AES, 7 Vigenere.
_TYPE = r"(?:[0-9]\s+)?"
# The secret itself: a quoted string (NX-OS) or one token.
_VALUE = r'(?:"(?P<quoted>[^"]*)"|(?P<value>[^\s"]+))'
# Not preceded by a word character or a dash ("trusted-key", "password-encryption"...).
_START = r"(?<![\w-])"
# Words that end a plain password typed with spaces (NX-OS `role`, RADIUS/TACACS+ host
# options, `crypto isakmp key K address A`...): what follows them is not the secret.
_STOP = (
    r"(?:role|expire|priv-lvl|privilege|level|authentication|accounting|timeout|retransmit"
    r"|single-connection|auth-port|acct-port|port|vrf|address|hostname|no-xauth)\b"
)
# Passwords, secrets and keys typed in clear may contain spaces (IOS takes the rest of the
# line): a hashed/encrypted value (type 1-9) is one token, a plain one runs to the line end.
_PHRASE_VALUE = (
    r'(?:(?:[0-9]\s+)?"(?P<quoted>[^"]*)"'
    r'|[1-9]\s+(?P<value>[^\s"]+)'
    r'|(?:0\s+)?(?P<phrase>[^\s"]+(?:[ \t]+(?!' + _STOP + r')[^\s"]+)*))'
)


@dataclass(frozen=True, slots=True)
class _Rule:
    """One kind of secret: where its value is, and on which lines to look."""

    name: str
    pattern: re.Pattern[str]
    only: re.Pattern[str] | None = None
    unless: re.Pattern[str] | None = None

    def spans(self, line: str) -> list[tuple[int, int]]:
        """The (start, end) of every secret value this rule finds on the line."""
        if self.only is not None and not self.only.search(line):
            return []
        if self.unless is not None and self.unless.search(line):
            return []
        found = []
        for match in self.pattern.finditer(line):
            groups = match.groupdict()
            group = next(g for g in ("quoted", "value", "phrase") if groups.get(g) is not None)
            found.append(match.span(group))
        return found


def _rule(
    name: str,
    head: str,
    *,
    only: str | None = None,
    unless: str | None = None,
    value: str = _VALUE,
) -> _Rule:
    return _Rule(
        name,
        re.compile(head + value, re.IGNORECASE),
        re.compile(only, re.IGNORECASE) if only else None,
        re.compile(unless, re.IGNORECASE) if unless else None,
    )


_LEVEL = r"(?:level\s+\d+\s+)?"

RULES: tuple[_Rule, ...] = (
    # enable secret/password, username ... secret/password, line passwords, BGP neighbours,
    # PPP, NX-OS "username x password 5 ...": everything introduced by password or secret.
    _rule("password", _START + r"password\s+(?!encryption\b)" + _LEVEL, value=_PHRASE_VALUE),
    _rule("secret", _START + r"secret\s+" + _LEVEL, value=_PHRASE_VALUE),
    _rule("isis-password", _START + r"(?:area|domain)-password\s+" + _TYPE),
    _rule("config-key", _START + r"password-encrypt\s+"),
    # TACACS+/RADIUS keys (IOS and NX-OS, quoted or not), crypto isakmp key, PAC keys.
    _rule(
        "key",
        _START + r"key\s+",
        unless=r"^\s*(?:ntp\s|key\s+chain\b|key\s+config-key\b|crypto\s+key\s)",
        value=_PHRASE_VALUE,
    ),
    _rule("key-string", _START + r"key-string\s+" + _TYPE),
    _rule(
        "authentication-key",
        _START
        + r"authentication-key\s+(?:\d+\s+(?:md5|sha\d*|cmac-aes-128|hmac-sha\S*)\s+)?"
        + _TYPE,
    ),
    _rule("message-digest-key", _START + r"message-digest-key\s+\d+\s+md5\s+" + _TYPE),
    # HSRP plain-text authentication (`standby 1 authentication KEY`; md5 forms are above).
    _rule(
        "hsrp-authentication",
        r"^\s*standby\s+(?:\d+\s+)?authentication\s+(?!md5\b|text\b)",
        value=_PHRASE_VALUE,
    ),
    _rule("nhrp-authentication", _START + r"nhrp\s+authentication\s+"),
    # Smart Licensing trust/registration tokens, PKCS#12 import/export passwords.
    _rule("license-idtoken", _START + r"idtoken\s+"),
    _rule("pkcs12-password", _START + r"pkcs12-password\s+" + _TYPE),
    # Credentials inside URLs (copy, archive, boot): scheme://user:PASSWORD@host/...
    _Rule(
        "url-password",
        re.compile(r"\b[a-z][a-z0-9+.-]*://[^\s:/@]*:(?P<value>[^\s/]+)@", re.IGNORECASE),
    ),
    _rule("authentication-text", _START + r"authentication\s+text\s+"),
    _rule(
        "pre-shared-key",
        _START + r"pre-shared-key\s+(?:(?:local|remote)\s+)?(?!address\b|hostname\b)" + _TYPE,
    ),
    _rule("wlan-psk", _START + r"(?:set-key|wpa-psk)\s+(?:ascii|hex)\s+" + _TYPE),
    _rule("snmp-community", r"^\s*snmp-server\s+community\s+" + _TYPE),
    _rule(
        "snmp-host-community",
        r"^\s*snmp-server\s+host\s+\S+(?:\s+(?:informs|traps))?"
        r"(?:\s+version\s+(?:1|2c|3\s+(?:auth|noauth|priv)))?(?:\s+vrf\s+\S+)?\s+",
    ),
    _rule(
        "snmp-user-auth",
        _START + r"auth\s+(?:md5|sha\S*)\s+",
        only=r"^\s*snmp-server\s+user\s",
    ),
    _rule(
        "snmp-user-priv",
        _START + r"priv\s+(?:(?:des|3des|aes)(?:-\d+)?\s+)?(?:(?:128|192|256)\s+)?",
        only=r"^\s*snmp-server\s+user\s",
    ),
)

# Inside "key chain" blocks, "key 1" names a key (its secret is on the key-string line).
_KEY_ID = re.compile(r"^\s+key\s+\d+\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class MaskedText:
    """Text with its secrets replaced by MASK, and how many were replaced."""

    text: str
    masked: int


# Syslog lines that quote a configuration command (IOS config logger, NX-OS accounting):
# the quoted command is masked like a config line.
_LOGGED_COMMAND = re.compile(
    r"(?P<head>(?:logged command:|%ACCOUNTING-\S+:|%ACLLOG-\S+: [^:\s]+:|CMDLOG: [^:\s]+:)\s*)"
    r"(?P<command>.*)$"
)


def mask_line(line: str, section: str = "") -> tuple[str, int]:
    """Mask the secrets on one line; `section` is the enclosing top-level line, if any."""
    logged = _LOGGED_COMMAND.search(line)
    if logged is not None:
        masked, count = _mask_spans(logged.group("command"), "")
        head = line[: logged.start("command")]
        return head + masked, count
    return _mask_spans(line, section)


def _mask_spans(line: str, section: str) -> tuple[str, int]:
    if section.lower().startswith("key chain") and _KEY_ID.match(line):
        return line, 0
    spans = sorted({span for rule in RULES for span in rule.spans(line) if span[1] > span[0]})
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    for start, end in reversed(merged):
        line = line[:start] + MASK + line[end:]
    return line, len(merged)


def mask_config(text: str) -> MaskedText:
    """Mask every password, secret, key and community string in a config or CLI output.

    Certificates (crypto pki certificate chains) are public and stay as they are.
    """
    out: list[str] = []
    total = 0
    section = ""
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body and not body[0].isspace():
            section = body
        masked, count = mask_line(body, section)
        out.append(masked + line[len(body) :])
        total += count
    return MaskedText("".join(out), total)
