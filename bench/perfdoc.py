"""docs/performance.md: each benchmark owns one section between its two markers and rewrites
only that section, so the benches can run alone or together in any order."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent.parent / "docs" / "performance.md"


def write_section(block: str, start: str, end: str, path: Path | None = None) -> None:
    """Put `block` (which opens with `start` and closes with `end`) in place of the section
    between those markers, or append it when the document has no such section yet."""
    path = path or DOC
    old = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if start in old and end in old:
        head, rest = old.split(start, 1)
        new = head + block + rest.split(end, 1)[1]
    else:
        new = old.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(new, encoding="utf-8")
