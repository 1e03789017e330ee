"""Where the shared labelled seed reports are, if this checkout has them beside it."""

from __future__ import annotations

from pathlib import Path


def seeds_dir() -> Path | None:
    # The repository sits next to shared/ (…/main and …/shared); walk up rather than count
    # levels so a moved checkout still finds it.
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "shared" / "corpus" / "seeds"
        if candidate.is_dir() and any(candidate.glob("*.json")):
            return candidate
    return None


def corpus_dir() -> Path | None:
    """shared/corpus beside the checkout (its parent in CI and on main, an ancestor for a
    worktree), or None."""
    seeds = seeds_dir()
    return seeds.parent if seeds is not None else None
