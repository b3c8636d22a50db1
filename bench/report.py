"""Recording benchmark results: each benchmark owns one marked section of a Markdown file."""

from __future__ import annotations

from pathlib import Path

__all__ = ["publish", "write_section"]


def write_section(path: Path, section: str, mark: str) -> None:
    """Replace the section between two `mark` lines in `path` (or append it)."""
    text = path.read_text() if path.exists() else "# Benchmarks\n\n"
    if mark in text:
        head, _, rest = text.partition(mark)
        _, _, tail = rest.partition(mark)
        text = head + section + tail
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    path.write_text(text)


def publish(section: str, mark: str, path: Path | None) -> None:
    """Print a benchmark's section and, given a `path` (its --write), record it there too."""
    print(section)
    if path is not None:
        write_section(path, section, mark)
