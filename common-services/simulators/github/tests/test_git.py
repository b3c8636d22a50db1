"""Git objects in miniature: blob shas as git computes them, history and diffs."""

from __future__ import annotations

from github_simulator.git import ancestors, blob_sha, diff_trees, make_commit


def test_blob_shas_match_git_hash_object() -> None:
    assert blob_sha(b"") == "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
    assert blob_sha(b"hello\n") == "ce013625030ba8dba906f756967f9e9ca394464a"


def test_commit_shas_depend_on_content_and_parents() -> None:
    a = make_commit({"f": b"1"}, (), "m", "u", "2024-01-01T00:00:00Z")
    same = make_commit({"f": b"1"}, (), "m", "u", "2024-01-01T00:00:00Z")
    child = make_commit({"f": b"2"}, (a.sha,), "m", "u", "2024-01-01T00:00:00Z")
    assert a.sha == same.sha != child.sha and len(a.sha) == 40
    assert ancestors({a.sha: a, child.sha: child}, child.sha) == {a.sha, child.sha}


def test_diffs_report_status_counts_and_hunks() -> None:
    old = {"keep": b"x\n", "edit": b"a\nb\nc\n", "gone": b"bye\n", "bin": b"\x00\x01"}
    new = {"keep": b"x\n", "edit": b"a\nB\nc\nd\n", "born": b"hi\n", "bin": b"\x00\x02"}
    changes = {c.filename: c for c in diff_trees(old, new)}
    assert sorted(changes) == ["bin", "born", "edit", "gone"]
    assert (changes["edit"].status, changes["edit"].additions, changes["edit"].deletions) == (
        "modified",
        2,
        1,
    )
    assert changes["edit"].patch == "@@ -1,3 +1,4 @@\n a\n-b\n+B\n c\n+d"
    assert changes["born"].status == "added" and changes["gone"].status == "removed"
    assert changes["gone"].sha is None and changes["bin"].patch is None
