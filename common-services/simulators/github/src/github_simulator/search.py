"""`GET /search/issues` query language: free words plus qualifiers such as `repo:` or `is:pr`."""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import field_error, validation_failed
from .state import Hub, Issue, Repo

__all__ = ["IssueQuery", "parse_query", "search_issues"]

_SEARCH_DOCS = "https://docs.github.com/rest/search/search#search-issues-and-pull-requests"
_KNOWN = {"repo", "org", "user", "is", "type", "state", "label", "author", "assignee", "in", "no"}


@dataclass
class IssueQuery:
    """A parsed query: words (AND-ed) and qualifiers (each list AND-ed, labels too)."""

    words: list[str] = field(default_factory=list)
    repos: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)  # issue | pr
    states: set[str] = field(default_factory=set)  # open | closed
    labels: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    no_assignee: bool = False
    scopes: set[str] = field(default_factory=set)  # title | body | comments


def parse_query(q: str) -> IssueQuery:
    """Parse `q`; unknown qualifiers are searched as words, as GitHub does."""
    try:
        tokens = shlex.split(q)
    except ValueError:  # an unbalanced quote: plain words
        tokens = q.split()
    query = IssueQuery()
    for token in tokens:
        key, sep, value = token.partition(":")
        key = key.lower()
        if not sep or key not in _KNOWN or not value:
            query.words.append(token.lower())
            continue
        lowered = value.lower()
        if key == "repo":
            query.repos.append(lowered)
        elif key in ("org", "user"):
            query.owners.append(lowered)
        elif key in ("is", "type", "state"):
            if lowered in ("issue", "pr"):
                query.kinds.add(lowered)
            elif lowered == "pull-request":
                query.kinds.add("pr")
            elif lowered in ("open", "closed"):
                query.states.add(lowered)
        elif key == "label":
            query.labels.append(lowered)
        elif key == "author":
            query.authors.append(lowered)
        elif key == "assignee":
            query.assignees.append(lowered)
        elif key == "no" and lowered == "assignee":
            query.no_assignee = True
        elif key == "in":
            query.scopes.update(lowered.split(","))
    return query


def _text(issue: Issue, scopes: set[str]) -> str:
    parts = []
    if not scopes or "title" in scopes:
        parts.append(issue.title)
    if not scopes or "body" in scopes:
        parts.append(issue.body or "")
    if not scopes or "comments" in scopes:
        parts.extend(c.body for c in issue.comments)
    return "\n".join(parts).lower()


def _matches(query: IssueQuery, repo: Repo, issue: Issue) -> bool:
    if query.repos and repo.full_name.lower() not in query.repos:
        return False
    if query.owners and repo.owner.login.lower() not in query.owners:
        return False
    if query.kinds and ("pr" if issue.pull else "issue") not in query.kinds:
        return False
    if query.states and issue.state not in query.states:
        return False
    labels = {name.lower() for name in issue.labels}
    if any(label not in labels for label in query.labels):
        return False
    if query.authors and issue.user.lower() not in query.authors:
        return False
    assignees = {a.lower() for a in issue.assignees}
    if any(a not in assignees for a in query.assignees) or (query.no_assignee and assignees):
        return False
    text = _text(issue, query.scopes)
    return all(word in text for word in query.words)


def search_issues(
    hub: Hub, q: str | None, sort: str | None, order: str | None
) -> list[tuple[Repo, Issue]]:
    """Matching issues and pull requests of every repository the token sees."""
    if not q or not q.strip():
        raise validation_failed(
            field_error("Search", "q", "missing"), documentation_url=_SEARCH_DOCS
        )
    if len(q) > 256:
        raise validation_failed(
            {
                "message": "The search is longer than 256 characters.",
                "resource": "Search",
                "field": "q",
                "code": "invalid",
            },
            documentation_url=_SEARCH_DOCS,
        )
    query = parse_query(q)
    repos: Iterable[Repo] = hub.repos.values()
    found = [(r, i) for r in repos for i in r.issues.values() if _matches(query, r, i)]
    key = {"created": lambda p: p[1].created_at, "comments": lambda p: len(p[1].comments)}.get(
        sort or "", lambda p: p[1].updated_at
    )
    found.sort(key=key, reverse=(order or "desc") != "asc")  # type: ignore[arg-type]
    return found
