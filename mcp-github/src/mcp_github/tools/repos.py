"""Repository tools: list and read repositories, read files and directories (read)."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated, Any, Literal

from pydantic import Field

from mcp_common.server import Toolset

from ..client import GitHubClient
from ..errors import NotText
from ..models import FileContents, FileEntry, RepositoryDetail, RepositoryList
from ..validation import OWNER_PATTERN
from .common import Owner, PageNo, PerPage, Repo

__all__ = ["decode_text", "repo_tools"]

# GitHub's contents API inlines files up to 1 MB; beyond, encoding is "none".
MAX_INLINE = 1024 * 1024
OptionalOwner = Annotated[
    str | None,
    Field(
        pattern=OWNER_PATTERN,
        max_length=39,
        description="Organisation or user login; omit for every repository the token sees",
    ),
]
Visibility = Annotated[Literal["all", "public", "private"], Field(description="Which ones")]
RepoSort = Annotated[
    Literal["updated", "created", "pushed", "full_name"], Field(description="Order")
]
Path = Annotated[
    str,
    Field(
        max_length=1000,
        description="File or directory path from the repository root, e.g. "
        "devices/par-acc-01.cfg.j2; empty for the root directory",
    ),
]
Ref = Annotated[
    str | None,
    Field(max_length=255, description="Branch, tag or commit sha; omit for the default branch"),
]


def decode_text(path: str, data: dict[str, Any], max_chars: int) -> tuple[str, bool]:
    """The UTF-8 text of a contents API file object, cut to `max_chars`; binary is refused."""
    size = int(data.get("size") or 0)
    if data.get("encoding") != "base64" or size > MAX_INLINE:
        raise NotText(f"{path} is too large to read through the contents API ({size} bytes)")
    try:
        raw = base64.b64decode(str(data.get("content") or ""))
    except (binascii.Error, ValueError):
        raise NotText(f"{path}: GitHub returned content that is not valid base64") from None
    if b"\0" in raw[:8000]:  # git's own heuristic for binary files
        raise NotText(f"{path} is a binary file ({size} bytes); only text files are returned")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotText(f"{path} is not UTF-8 text ({size} bytes); it is not returned") from None
    return (text[:max_chars], True) if len(text) > max_chars else (text, False)


def repo_tools(client: GitHubClient, *, max_file_chars: int = 100_000) -> Toolset:
    """The repository toolset over one client."""
    ts = Toolset("repos", "List and read repositories, files and directories")

    @ts.tool(action="read", title="List repositories", cache_ttl=60, cache_tags={"repos"})
    async def list_repositories(
        owner: OptionalOwner = None,
        visibility: Visibility = "all",
        sort: RepoSort = "updated",
        page: PageNo = 1,
        per_page: PerPage = 30,
    ) -> RepositoryList:
        """Repositories of an organisation or user (or all the token sees), one page."""
        result = await client.list_repositories(
            owner, visibility=visibility, sort=sort, page=page, per_page=per_page
        )
        return RepositoryList.from_page(owner, result)

    @ts.tool(action="read", title="Get a repository", cache_ttl=60, cache_tags={"repos"})
    async def get_repository(owner: Owner, repo: Repo) -> RepositoryDetail:
        """One repository: default branch, visibility, topics, dates and write access."""
        return RepositoryDetail.from_api(await client.get_repository(owner, repo))

    @ts.tool(action="read", title="Get file contents")
    async def get_file_contents(
        owner: Owner, repo: Repo, path: Path = "", ref: Ref = None
    ) -> FileContents:
        """A text file's content (with its sha, needed to update it) or a directory listing.

        Binary files and files over 1 MB are refused; long text is cut (truncated=true).
        """
        data = await client.get_contents(owner, repo, path, ref)
        if isinstance(data, list):
            entries = [
                FileEntry(
                    name=str(e.get("name")),
                    path=str(e.get("path")),
                    type=str(e.get("type")),
                    size=int(e.get("size") or 0),
                )
                for e in data
            ]
            return FileContents(path=path.strip("/"), ref=ref, type="dir", entries=entries)
        kind = str(data.get("type"))
        result = FileContents(
            path=str(data.get("path") or path),
            ref=ref,
            type=kind if kind in ("file", "symlink", "submodule") else "file",
            sha=data.get("sha"),
            size=data.get("size"),
            html_url=data.get("html_url"),
        )
        if kind == "file":
            result.text, result.truncated = decode_text(result.path, data, max_file_chars)
        return result

    return ts
