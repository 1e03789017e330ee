"""Effective-dated closure of a tree of parent links, as plain Python (no Django import).

Each link is (child, parent, from, to). A path child -> ... -> ancestor holds on the
intersection of its links' intervals; a unit may reach the same ancestor through different
parents in different periods, so the result keeps one row per (ancestor, interval).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

Interval = tuple[dt.date, dt.date | None]
Link = tuple[int, int, dt.date, dt.date | None]
Row = tuple[int, int, int, dt.date, dt.date | None]  # ancestor, descendant, depth, from, to


def _intersect(a: Interval, b: Interval) -> Interval | None:
    start = max(a[0], b[0])
    ends = [e for e in (a[1], b[1]) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return (start, end)


def closure_rows(
    links: Iterable[Link], units: dict[int, Interval], only: Iterable[int] | None = None
) -> list[Row]:
    """Closure rows for every unit in `only` (default: every unit in `units`).

    `units` maps each unit to its own lifetime; the self row (depth 0) spans it.
    """
    parents: dict[int, list[tuple[int, Interval]]] = defaultdict(list)
    for child, parent, start, end in links:
        parents[child].append((parent, (start, end)))

    memo: dict[int, list[tuple[int, int, Interval]]] = {}

    def ancestors(unit: int, guard: frozenset[int]) -> list[tuple[int, int, Interval]]:
        if unit in memo:
            return memo[unit]
        if unit in guard:
            raise ValueError(f"cycle in the unit tree at unit {unit}")
        life = units.get(unit, (dt.date.min, None))
        out: list[tuple[int, int, Interval]] = [(unit, 0, life)]
        for parent, span in parents.get(unit, []):
            link_span = _intersect(span, life)
            if link_span is None:
                continue
            for anc, depth, anc_span in ancestors(parent, guard | {unit}):
                both = _intersect(link_span, anc_span)
                if both is not None:
                    out.append((anc, depth + 1, both))
        memo[unit] = out
        return out

    rows: list[Row] = []
    for unit in only if only is not None else units:
        for anc, depth, (start, end) in ancestors(unit, frozenset()):
            rows.append((anc, unit, depth, start, end))
    return rows
