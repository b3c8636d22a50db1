"""The seeded data: organisation `netops`, its repositories, history, issues and pull requests.

`network-configs` holds one configuration template per device of the shared sandbox
inventory (`devices/<hostname>.cfg.j2`), so issues and changes can name real devices.
"""

from __future__ import annotations

from .seed_files import AUTOMATION_FILES, network_configs_files
from .state import Comment, Hub, Issue, PullInfo, Repo

__all__ = ["VIEWER", "seed_hub"]

VIEWER = "mcp-platform-bot"
ORG = "netops"
_LABELS = {
    "bug": "d73a4a",
    "enhancement": "a2eeef",
    "documentation": "0075ca",
    "network": "1d76db",
    "security": "b60205",
    "automation": "0e8a16",
}


def _issue(
    hub: Hub,
    repo: Repo,
    title: str,
    user: str,
    created: str,
    *,
    body: str | None = None,
    labels: tuple[str, ...] = (),
    assignees: tuple[str, ...] = (),
    closed: str | None = None,
    pull: PullInfo | None = None,
) -> Issue:
    for name in labels:
        repo.label(name, hub.next_id()).color = _LABELS.get(name, "ededed")
    issue = hub.add_issue(
        repo,
        title,
        body,
        user,
        created,
        closed,
        labels=list(labels),
        assignees=list(assignees),
        pull=pull,
    )
    if closed:
        issue.state, issue.state_reason, issue.closed_at = "closed", "completed", closed
    return issue


def _comment(hub: Hub, issue: Issue, user: str, when: str, body: str) -> None:
    issue.comments.append(Comment(hub.next_id(), body, user, when, when))
    issue.updated_at = max(issue.updated_at, when)


def _network_configs(hub: Hub) -> None:
    org = hub.users[ORG]
    repo = hub.add_repo(
        org, "network-configs", "Device configuration templates (Jinja2)", "2023-09-04T08:00:00Z"
    )
    repo.language, repo.topics, repo.protected = "Jinja", ["network", "templates"], {"main"}
    repo.commit_files(
        "main",
        network_configs_files(),
        "Initial import of device templates",
        "alice-neteng",
        "2024-01-08T09:00:00Z",
    )
    aaa = b"aaa new-model\naaa authentication login default group ISE-TACACS local\n"
    repo.commit_files(
        "main", {"templates/aaa.j2": aaa}, "Add AAA template", "carol-sre", "2024-02-12T14:30:00Z"
    )
    repo.branches["feature/ntp-update"] = repo.branches["main"]
    acc = repo.resolve("main")
    assert acc is not None
    device = acc.tree["devices/par-acc-01.cfg.j2"].replace(
        b"logging host 10.0.0.50", b"logging host 10.0.0.50\nlogging host 10.0.1.50"
    )
    repo.commit_files(
        "feature/ntp-update",
        {
            "templates/ntp.j2": b"ntp server 10.0.0.123 prefer\nntp server 10.0.1.123\n"
            b"clock timezone {{ timezone }} 0 0\n",
            "devices/par-acc-01.cfg.j2": device,
            "changes/ntp-update.md": b"# NTP update\n\nMove every device to the new NTP pair.\n",
        },
        "Use 10.0.0.123 as the primary NTP server",
        "alice-neteng",
        "2024-03-01T10:15:00Z",
    )
    drift = _issue(
        hub,
        repo,
        "par-acc-01: NTP configuration drift",
        "carol-sre",
        "2024-02-20T08:12:00Z",
        labels=("bug", "network"),
        assignees=("alice-neteng",),
        body="par-acc-01 runs `ntp server 10.0.0.1`; the template says "
        "{{ ntp_primary }}. Rendered config and device disagree.",
    )
    _comment(
        hub,
        drift,
        "alice-neteng",
        "2024-02-21T09:00:00Z",
        "Confirmed on par-acc-01 and par-acc-02; fix in the NTP update PR.",
    )
    _comment(hub, drift, "carol-sre", "2024-02-21T11:30:00Z", "Thanks, linking the change.")
    _issue(
        hub,
        repo,
        "Add a template for sjc-wlc-01 WLAN profiles",
        "bob-dev",
        "2024-02-26T15:40:00Z",
        labels=("enhancement",),
        body="The C9800 in San Jose needs its WLAN profiles under version control.",
    )
    _issue(
        hub,
        repo,
        "Rotate the SNMP community on lon-* devices",
        "carol-sre",
        "2024-01-15T10:00:00Z",
        labels=("security", "network"),
        closed="2024-01-30T17:05:00Z",
        body="Community strings move to the vault; templates keep a variable.",
    )
    pull = PullInfo("feature/ntp-update", "main", repo.branches["feature/ntp-update"])
    pr = _issue(
        hub,
        repo,
        "Update NTP servers to 10.0.0.123/10.0.1.123",
        "alice-neteng",
        "2024-03-01T10:20:00Z",
        labels=("network",),
        assignees=("alice-neteng",),
        body="Fixes #1. Moves templates/ntp.j2 to the new NTP pair.",
        pull=pull,
    )
    _comment(hub, pr, "carol-sre", "2024-03-02T08:00:00Z", "Looks good; schedule for Tuesday.")


def _automation_scripts(hub: Hub) -> None:
    repo = hub.add_repo(
        hub.users[ORG],
        "automation-scripts",
        "Python scripts for network operations",
        "2023-10-10T12:00:00Z",
    )
    repo.language, repo.topics = "Python", ["automation", "python"]
    repo.commit_files("main", AUTOMATION_FILES, "Initial commit", "bob-dev", "2024-01-05T09:00:00Z")
    repo.branches["fix/timeout-handling"] = repo.branches["main"]
    repo.commit_files(
        "fix/timeout-handling",
        {"scripts/check_reachability.py": b'"""Ping every device."""\n\nTIMEOUT = 5\n'},
        "Raise the ping timeout to 5 s",
        "bob-dev",
        "2024-02-02T16:00:00Z",
    )
    titles = [
        ("Backups fail on NX-OS devices", ("bug",), None),
        ("Add a dry-run flag to backup_configs.py", ("enhancement", "automation"), None),
        ("Document the required environment variables", ("documentation",), None),
        ("check_reachability ignores the timeout", ("bug",), "2024-02-05T10:00:00Z"),
        ("Run the scripts in CI on every pull request", ("automation",), None),
    ]
    for index, (title, labels, closed) in enumerate(titles):
        _issue(
            hub,
            repo,
            title,
            "bob-dev",
            f"2024-02-{index + 10:02d}T09:00:00Z",
            labels=labels,
            closed=closed,
        )
    _issue(
        hub,
        repo,
        "Raise the ping timeout",
        "bob-dev",
        "2024-02-02T16:05:00Z",
        pull=PullInfo("fix/timeout-handling", "main", repo.branches["fix/timeout-handling"]),
    )


def _other_repos(hub: Hub) -> None:
    platform = hub.add_repo(
        hub.users[ORG], "mcp-platform", "Enterprise MCP platform", "2024-04-01T08:00:00Z"
    )
    platform.private, platform.language, platform.topics = True, "Python", ["mcp"]
    platform.commit_files(
        "main",
        {
            "README.md": b"# mcp-platform\n\nMCP servers for network and IT automation.\n",
            "docs/adr/0001-record-decisions.md": b"# 1. Record decisions\n\nAccepted.\n",
        },
        "Initial commit",
        "bob-dev",
        "2024-04-01T08:05:00Z",
    )
    _issue(
        hub,
        platform,
        "Add the GitHub MCP server",
        "bob-dev",
        "2024-04-02T09:00:00Z",
        labels=("enhancement",),
        assignees=("bob-dev",),
        body="Tools for issues, pull requests and file contents.",
    )
    legacy = hub.add_repo(
        hub.users[ORG], "legacy-ansible", "Retired Ansible playbooks", "2021-05-01T08:00:00Z"
    )
    legacy.language, legacy.archived = "YAML", True
    legacy.commit_files(
        "main",
        {
            "README.md": b"# legacy-ansible\n\nArchived.\n",
            "playbooks/site.yml": b"- hosts: all\n  tasks: []\n",
        },
        "Last commit",
        "carol-sre",
        "2022-06-01T08:00:00Z",
    )
    dotfiles = hub.add_repo(
        hub.users["bob-dev"], "dotfiles", "Bob's dotfiles", "2022-01-01T08:00:00Z"
    )
    dotfiles.commit_files(
        "main", {".vimrc": b"set number\n"}, "Initial commit", "bob-dev", "2022-01-01T08:00:00Z"
    )


def seed_hub(viewer: str = VIEWER) -> Hub:
    """A fresh copy of the seeded data; the token belongs to `viewer`, a `netops` member."""
    hub = Hub(viewer)
    hub.add_user(ORG, kind="Organization", name="NetOps")
    people = {"alice-neteng": "Alice Martin", "bob-dev": "Bob Chen", "carol-sre": "Carol Diaz"}
    for login, name in people.items():
        hub.add_user(login, name=name)
    hub.members[ORG] = {viewer.lower(), *people}
    _network_configs(hub)
    _automation_scripts(hub)
    _other_repos(hub)
    return hub
