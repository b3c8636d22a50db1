"""The admins' feed: the last policy decisions and circuit changes, from the log tails."""

from __future__ import annotations

import json
from pathlib import Path

from mcp_console.audit import LogFeed


def _write(path: Path, events: list[dict[str, object]], noise: str = "INFO: started\n") -> None:
    path.write_text(noise + "".join(json.dumps(e) + "\n" for e in events))


def test_decisions_newest_first_bounded(tmp_path: Path) -> None:
    decisions = [
        {
            "@timestamp": f"2026-12-06T10:00:{i:02d}+00:00",
            "service.name": "mcp-github",
            "event.action": "authorization.decision",
            "user.id": f"user-{i}",
            "user.actors": ["mcp-console"],
            "authz.resource": "github",
            "authz.action": "read",
            "authz.tool": "list_issues",
            "authz.decision": "allow" if i % 2 else "deny",
            "authz.reason": "" if i % 2 else "no group grants read on github",
        }
        for i in range(10)
    ]
    _write(tmp_path / "mcp-github.log", [*decisions, {"event.action": "other"}])
    (tmp_path / "broken.log").write_text("{not json\n")
    feed = LogFeed(tmp_path)
    latest = feed.decisions(3)
    assert [d.who for d in latest] == ["user-9", "user-8", "user-7"]
    assert latest[0].allowed and not latest[1].allowed and latest[0].actors == ("mcp-console",)
    assert latest[1].reason == "no group grants read on github"


def test_only_the_tail_of_a_big_log_is_read(tmp_path: Path) -> None:
    old = {"@timestamp": "1", "event.action": "authorization.decision", "user.id": "old"}
    new = {"@timestamp": "2", "event.action": "authorization.decision", "user.id": "new"}
    (tmp_path / "big.log").write_text(json.dumps(old) + "\n" + "x" * 5000 + "\n" + json.dumps(new))
    assert [d.who for d in LogFeed(tmp_path, tail_bytes=1024).decisions(10)] == ["new"]


def test_circuit_states_are_the_last_change_per_backend(tmp_path: Path) -> None:
    events = [
        {"@timestamp": "1", "service.name": "mcp-service-now", "backend": "servicenow",
         "event.action": "upstream.circuit_open", "circuit.state": "open"},
        {"@timestamp": "2", "service.name": "mcp-service-now", "backend": "servicenow",
         "event.action": "upstream.circuit_closed", "circuit.state": "closed"},
    ]  # fmt: skip
    _write(tmp_path / "mcp-service-now.log", events)
    [change] = LogFeed(tmp_path).circuits()["mcp-service-now"]
    assert (change.backend, change.state) == ("servicenow", "closed")


def test_no_directory_no_feed(tmp_path: Path) -> None:
    feed = LogFeed(None)
    assert not feed.available and feed.decisions(5) == [] and feed.circuits() == {}
    assert not LogFeed(tmp_path / "missing").available
