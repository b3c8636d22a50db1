"""Secret masking in configurations: a table of real-world lines, then every simulated config."""

from __future__ import annotations

import pytest

from mcp_common.network import MASK, mask_config, mask_line
from simulator_kit.network import DEVICES
from simulator_kit.network import secretgen as sg
from simulator_kit.network.configs import running_config

M = MASK
MASKED = [
    # enable and local users (hashes are secrets too: they can be cracked)
    ("enable secret 9 $9$abcdEFGH$hashhashhash", f"enable secret 9 {M}"),
    ("enable secret 5 $1$aZI8$iCIWh/qFO7MuV2ZnmSld39", f"enable secret 5 {M}"),
    ("enable secret level 15 5 $1$x$y", f"enable secret level 15 5 {M}"),
    ("enable password 7 078CFB4A74A889E1BE9920", f"enable password 7 {M}"),
    ("enable password Cisco123", f"enable password {M}"),
    ("username admin privilege 15 secret 9 $9$aa$bb", f"username admin privilege 15 secret 9 {M}"),
    (
        "username netops privilege 15 password 0 Falcon42!ab",
        f"username netops privilege 15 password 0 {M}",
    ),
    (
        "username bob algorithm-type scrypt secret S3cr3t!",
        f"username bob algorithm-type scrypt secret {M}",
    ),
    (
        "username admin password 5 $5$ezy2$5qfJn  role network-admin",
        f"username admin password 5 {M}  role network-admin",
    ),
    (" password 7 0822455D0A16", f" password 7 {M}"),
    # TACACS+ / RADIUS, IOS and NX-OS, quoted or not
    (" key 7 01A54B3BF7CBD6AB606D4772150BA6", f" key 7 {M}"),
    (" key 0 Nimbus42!e258", f" key 0 {M}"),
    (" key Orchid77!beef", f" key {M}"),
    (" key 12345678", f" key {M}"),
    ('tacacs-server key 7 "00D64AA6071E"', f'tacacs-server key 7 "{M}"'),
    (
        'tacacs-server host 10.20.9.41 key 7 "0250BC0C"',
        f'tacacs-server host 10.20.9.41 key 7 "{M}"',
    ),
    (
        'radius-server host 10.20.9.42 key 7 "10B273" authentication accounting',
        f'radius-server host 10.20.9.42 key 7 "{M}" authentication accounting',
    ),
    ("radius-server key MyRadiusKey", f"radius-server key {M}"),
    (" server-private 10.1.1.1 key 7 1234ABCD", f" server-private 10.1.1.1 key 7 {M}"),
    # SNMP communities and v3 users
    ("snmp-server community public RO SNMP-ACL", f"snmp-server community {M} RO SNMP-ACL"),
    (
        "snmp-server community orchid8619ec group network-operator",
        f"snmp-server community {M} group network-operator",
    ),
    (
        "snmp-server host 10.0.0.60 version 2c s3cretcomm",
        f"snmp-server host 10.0.0.60 version 2c {M}",
    ),
    (
        "snmp-server host 10.0.0.61 traps version 2c comm2 udp-port 162",
        f"snmp-server host 10.0.0.61 traps version 2c {M} udp-port 162",
    ),
    (
        "snmp-server user monitor network-operator auth sha 0x1565 priv aes-128 0x1404 "
        "localizedkey",
        f"snmp-server user monitor network-operator auth sha {M} priv aes-128 {M} localizedkey",
    ),
    (
        "snmp-server user u1 g1 v3 auth sha AuthPass1 priv aes 128 PrivPass1",
        f"snmp-server user u1 g1 v3 auth sha {M} priv aes 128 {M}",
    ),
    # VPN, routing protocols, NTP, first-hop redundancy, wireless
    (
        "crypto isakmp key Harbor55!0a0b address 203.0.113.10",
        f"crypto isakmp key {M} address 203.0.113.10",
    ),
    ("  pre-shared-key Quartz11!ffee", f"  pre-shared-key {M}"),
    ("  pre-shared-key local 0 LocalKey1", f"  pre-shared-key local 0 {M}"),
    ("  key-string 7 0123456789AB", f"  key-string 7 {M}"),
    (
        " standby 1 authentication md5 key-string HsrpKey",
        f" standby 1 authentication md5 key-string {M}",
    ),
    (" vrrp 1 authentication text VrrpPass", f" vrrp 1 authentication text {M}"),
    (" neighbor 198.51.100.2 password 7 01234ABC", f" neighbor 198.51.100.2 password 7 {M}"),
    (" ip ospf authentication-key 7 0822455D", f" ip ospf authentication-key 7 {M}"),
    (" ip ospf message-digest-key 1 md5 7 0822455D", f" ip ospf message-digest-key 1 md5 7 {M}"),
    (" isis password IsisPass", f" isis password {M}"),
    (" area-password AreaPass", f" area-password {M}"),
    ("ntp authentication-key 1 md5 155F067D22700ED0FB 7", f"ntp authentication-key 1 md5 {M} 7"),
    (" security wpa psk set-key ascii 0 Meadow12!abcd", f" security wpa psk set-key ascii 0 {M}"),
    (" ppp chap password 7 1234ABCD", f" ppp chap password 7 {M}"),
    ("key config-key password-encrypt MasterKey1", f"key config-key password-encrypt {M}"),
    # credentials in URLs, HSRP/NHRP plain keys, licensing tokens, PKCS#12 passwords
    (
        "copy running-config scp://backup:S3cr3t!@10.0.0.5/r1.cfg",
        f"copy running-config scp://backup:{M}@10.0.0.5/r1.cfg",
    ),
    (" path scp://archiver:p@ss@10.0.0.5/$h", f" path scp://archiver:{M}@10.0.0.5/$h"),
    ("boot system ftp://u:FtpPass1@10.0.0.9/ios.bin", f"boot system ftp://u:{M}@10.0.0.9/ios.bin"),
    (" standby 1 authentication Hsrp1Key", f" standby 1 authentication {M}"),
    (" standby authentication Hsrp0Key", f" standby authentication {M}"),
    (" ip nhrp authentication NhrpKey1", f" ip nhrp authentication {M}"),
    (
        "license smart trust idtoken ODE2ZjYyMjEtNzFlMy00 local force",
        f"license smart trust idtoken {M} local force",
    ),
    (
        "crypto pki export TP pkcs12 flash:tp.p12 pkcs12-password Pk12Pass!",
        f"crypto pki export TP pkcs12 flash:tp.p12 pkcs12-password {M}",
    ),
    # plain passwords, secrets and keys may contain spaces: the rest of the line is secret
    (
        "username bob password 0 correct horse battery staple",
        f"username bob password 0 {M}",
    ),
    ("enable secret my enable phrase", f"enable secret {M}"),
    (" neighbor 198.51.100.2 password bgp pass phrase", f" neighbor 198.51.100.2 password {M}"),
    (
        "radius-server host 10.1.1.1 auth-port 1645 acct-port 1646 key my radius key",
        f"radius-server host 10.1.1.1 auth-port 1645 acct-port 1646 key {M}",
    ),
    ("tacacs-server key two words", f"tacacs-server key {M}"),
    # free text is masked conservatively too: a secret in a description is still a secret
    (" description temp password Summer2024", f" description temp password {M}"),
]

UNCHANGED = [
    "service password-encryption",
    "password encryption aes",
    "aaa authentication login default group ISE-TACACS local",
    "key chain OSPF-KEYS",
    "ntp server 10.0.0.123 key 1",
    "ntp trusted-key 1",
    "ntp authenticate",
    " authentication pre-share",
    " area 0 authentication message-digest",
    "crypto key generate rsa modulus 2048",
    " authentication key-management wpa",
    "hostname par-core-01",
    "interface GigabitEthernet1/0/1",
    "security passwords min-length 12",
    " no security wpa akm dot1x",
    "certificate ca 01",
    "  30820122 300D0609 2A864886 F70D0101 01050003 82010F00 3082010A 02820101",
]


@pytest.mark.parametrize(("line", "expected"), MASKED, ids=[m[0][:40] for m in MASKED])
def test_secret_values_are_masked(line: str, expected: str) -> None:
    masked, count = mask_line(line)
    assert masked == expected
    assert count == expected.count(MASK)


@pytest.mark.parametrize("line", UNCHANGED)
def test_lines_without_secrets_are_left_alone(line: str) -> None:
    assert mask_line(line) == (line, 0)


def test_key_ids_inside_a_key_chain_stay_but_key_strings_go() -> None:
    text = "key chain OSPF-KEYS\n key 1\n  key-string 7 0822455D0A16\n!\nradius server R\n key 9\n"
    result = mask_config(text)
    assert result.text == (
        f"key chain OSPF-KEYS\n key 1\n  key-string 7 {M}\n!\nradius server R\n key {M}\n"
    )
    assert result.masked == 2


def test_line_endings_and_layout_are_kept() -> None:
    text = "hostname r1\r\nenable secret 9 $9$a$b\r\nend"
    assert mask_config(text).text == f"hostname r1\r\nenable secret 9 {M}\r\nend"


def _secrets_of(hostname: str, config: str) -> set[str]:
    """Every secret the simulator generates for a device, kept when it is in its config."""
    candidates = {"public"}
    for label in ("enable", "admin", "netops", "backup", "ops"):
        five = sg.type5(hostname, label)
        candidates |= {
            sg.type9(hostname, label),
            sg.type8(hostname, label),
            five,
            five.replace("$1$", "$5$", 1),
        }
    for label in (
        "ep",
        "netops",
        "tacacs",
        "radius",
        "ospf-chain",
        "bgp",
        "ntp",
        "tacacs-host",
        "v3a",
        "v3p",
    ):
        for length in (8, 10, 12, 14, 16):
            seven = sg.type7(hostname, label, length)
            candidates |= {seven, seven.lower()}
    for label in ("netops", "tacacs", "radius", "isakmp", "ikev2", "wlan-psk"):
        candidates.add(sg.plain(hostname, label))
    candidates |= {sg.words(hostname, "snmp-ro"), sg.words(hostname, "snmp-rw")}
    return {c for c in candidates if f" {c}" in config or f'"{c}"' in config}


@pytest.mark.parametrize("dev", DEVICES, ids=[d.hostname for d in DEVICES])
def test_no_secret_of_any_simulated_config_survives(dev: object) -> None:
    config = running_config(dev)  # type: ignore[arg-type]
    secrets = _secrets_of(dev.hostname, config)  # type: ignore[attr-defined]
    assert len(secrets) >= 6
    result = mask_config(config)
    assert not {s for s in secrets if s in result.text}
    assert result.masked >= len({s for s in secrets if len(s) > 8}) // 2
    assert len(result.text.splitlines()) == len(config.splitlines())
    assert f"hostname {dev.hostname}" in result.text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "line",
    [
        "*Mar  4 09:14:22.519: %PARSER-5-CFGLOG_LOGGEDCMD: User:netops  logged command:"
        "snmp-server community juniper320934 RO SNMP-ACL",
        "2025 Mar  4 09:14:23 lon-core-01 %ACLLOG-5-CMDLOG: netops: snmp-server community "
        "orchid8619ec group network-operator",
    ],
)
def test_commands_quoted_in_syslog_lines_are_masked(line: str) -> None:
    masked, count = mask_line(line)
    assert count == 1 and MASK in masked
    assert "juniper320934" not in masked and "orchid8619ec" not in masked
