"""Repository contents: base64 files with git blob shas, directories, create and update."""

from __future__ import annotations

import base64
import hashlib

import httpx
import pytest

NC = "/repos/netops/network-configs"
AS = "/repos/netops/automation-scripts"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def git_blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_a_file_is_base64_in_lines_of_60_with_its_blob_sha(gh: httpx.Client) -> None:
    body = gh.get(f"{NC}/contents/devices/lon-core-01.cfg.j2").json()
    assert body["type"] == "file" and body["encoding"] == "base64"
    lines = body["content"].rstrip("\n").split("\n")
    assert all(len(line) == 60 for line in lines[:-1]) and len(lines[-1]) <= 60
    data = base64.b64decode(body["content"])
    assert body["size"] == len(data) and body["sha"] == git_blob_sha(data)
    assert b"hostname lon-core-01" in data and b"{{ enable_secret }}" in data
    assert body["name"] == "lon-core-01.cfg.j2" and body["_links"]["self"] == body["url"]
    assert body["download_url"].endswith("/raw/main/devices/lon-core-01.cfg.j2")


def test_every_inventory_device_has_a_template(gh: httpx.Client) -> None:
    from simulator_kit.network import DEVICES

    listing = gh.get(f"{NC}/contents/devices").json()
    assert {e["name"] for e in listing} == {f"{d.hostname}.cfg.j2" for d in DEVICES}
    assert all(e["type"] == "file" and "content" not in e for e in listing)


def test_the_root_lists_directories_first(gh: httpx.Client) -> None:
    root = gh.get(f"{NC}/contents").json()
    assert [(e["type"], e["name"]) for e in root][:2] == [("dir", "devices"), ("dir", "docs")]
    assert root[-1] == next(e for e in root if e["name"] == "README.md")
    assert gh.get(f"{NC}/contents/").json() == root


def test_a_ref_selects_the_version(gh: httpx.Client) -> None:
    main = base64.b64decode(gh.get(f"{NC}/contents/templates/ntp.j2").json()["content"])
    branch = gh.get(f"{NC}/contents/templates/ntp.j2", params={"ref": "feature/ntp-update"})
    assert b"{{ ntp_primary }}" in main and b"10.0.0.123" in base64.b64decode(
        branch.json()["content"]
    )
    unknown = gh.get(f"{NC}/contents/templates/ntp.j2", params={"ref": "nope"})
    assert unknown.status_code == 404
    assert unknown.json()["message"] == "No commit found for the ref nope"
    assert gh.get(f"{NC}/contents/templates/none.j2").status_code == 404


def test_create_then_update_with_the_current_sha(gh: httpx.Client) -> None:
    path = f"{AS}/contents/docs/ENV.md"
    created = gh.put(
        path, json={"message": "Add", "content": b64("v1\n"), "branch": "fix/timeout-handling"}
    )
    assert created.status_code == 201
    sha = created.json()["content"]["sha"]
    assert sha == git_blob_sha(b"v1\n") and "content" not in created.json()["content"]
    commit = created.json()["commit"]
    assert commit["message"] == "Add" and commit["author"]["name"] == "MCP platform integration"
    updated = gh.put(
        path,
        json={
            "message": "Update",
            "content": b64("v2\n"),
            "sha": sha,
            "branch": "fix/timeout-handling",
        },
    )
    assert updated.status_code == 200
    assert updated.json()["commit"]["parents"][0]["sha"] == commit["sha"]
    read = gh.get(path, params={"ref": "fix/timeout-handling"}).json()
    assert base64.b64decode(read["content"]) == b"v2\n"
    assert gh.get(path).status_code == 404  # main is untouched


def test_an_update_without_sha_is_422_and_with_a_stale_sha_409(gh: httpx.Client) -> None:
    path = f"{AS}/contents/README.md"
    current = gh.get(path).json()["sha"]
    missing = gh.put(path, json={"message": "m", "content": b64("x")})
    assert missing.status_code == 422
    assert missing.json()["message"] == 'Invalid request.\n\n"sha" wasn\'t supplied.'
    gh.put(path, json={"message": "m", "content": b64("x"), "sha": current}).raise_for_status()
    stale = gh.put(path, json={"message": "m", "content": b64("y"), "sha": current})
    assert stale.status_code == 409
    assert stale.json()["message"] == f"README.md does not match {current}"


@pytest.mark.parametrize(
    ("repo", "body", "status", "message"),
    [
        (AS, {"content": b64("x")}, 422, 'Invalid request.\n\n"message" wasn\'t supplied.'),
        (AS, {"message": "m"}, 422, 'Invalid request.\n\n"content" wasn\'t supplied.'),
        (AS, {"message": "m", "content": "***"}, 422, "content is not valid Base64"),
        (AS, {"message": "m", "content": b64("x"), "branch": "nope"}, 404, "Branch nope not found"),
        (
            NC,
            {"message": "m", "content": b64("x")},
            409,
            "Changes must be made through a pull request.",
        ),
        (
            "/repos/netops/legacy-ansible",
            {"message": "m", "content": b64("x")},
            403,
            "Repository was archived so is read-only.",
        ),
    ],
)
def test_invalid_writes_are_refused_like_github(
    gh: httpx.Client, repo: str, body: dict[str, str], status: int, message: str
) -> None:
    response = gh.put(f"{repo}/contents/new.txt", json=body)
    assert (response.status_code, response.json()["message"]) == (status, message)


def test_a_directory_cannot_be_overwritten(gh: httpx.Client) -> None:
    response = gh.put(f"{AS}/contents/scripts", json={"message": "m", "content": b64("x")})
    assert response.status_code == 422
