"""Org-unit trees as plain arrays: the tree as of a date, its ancestor closure, and
the re-attribution of legacy units to today's tree through successor links.

Conventions (the lead's models map onto them one to one):
- an edge (child_id, parent_id, valid_from, valid_to) holds on D when
  valid_from <= D < valid_to; None means open on that side. valid_to is exclusive so the
  legacy edge ending 1/7/2025 and the new edge starting 1/7/2025 never overlap.
- a unit is *in the tree* on D when an edge holding on D names it (as child or parent);
  the nation, which has no parent, is in the tree through its children's edges.
- a successor link (old_unit_id, new_unit_id, weight): the weights of one old unit sum
  to 1, so re-attributed values are never created or lost, only moved.

Everything works on dense indices (0..U-1) into a sorted array of unit ids, so the engine
can use numpy instead of Python dictionaries on the hot paths.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

DATE_MIN = np.datetime64("0001-01-01", "D")
DATE_MAX = np.datetime64("9999-12-31", "D")
WEIGHT_TOLERANCE = 1e-9


class TreeError(ValueError):
    """An inconsistent tree or successor table (two parents on one day, a cycle, bad weights)."""


def table_rows(data: Any, columns: tuple[str, ...]) -> list[tuple]:
    """Accept a pandas DataFrame, a dict of columns, or an iterable of tuples/dicts."""
    if data is None:
        return []
    if hasattr(data, "to_dict") and hasattr(data, "columns"):  # pandas, without importing it
        missing = [c for c in columns if c not in data.columns]
        if missing:
            raise TreeError(f"Thiếu cột {missing} / missing columns {missing}")
        return list(zip(*(data[c].tolist() for c in columns), strict=True))
    if isinstance(data, dict):
        return list(zip(*(list(data[c]) for c in columns), strict=True))
    out = []
    for row in data:
        if isinstance(row, dict):
            out.append(tuple(row.get(c) for c in columns))
        else:
            out.append(tuple(row))
    return out


def _day(value: Any, default: np.datetime64) -> np.datetime64:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return default
    if isinstance(value, dt.datetime):
        value = value.date()
    day = np.datetime64(value, "D")
    return default if np.isnat(day) else day


@dataclass
class Edges:
    """Effective-dated parent links as column arrays."""

    child: np.ndarray  # int64 unit ids
    parent: np.ndarray
    valid_from: np.ndarray  # datetime64[D]
    valid_to: np.ndarray

    @classmethod
    def from_data(cls, data: Any) -> Edges:
        rows = table_rows(data, ("child_id", "parent_id", "valid_from", "valid_to"))
        child = np.array([int(r[0]) for r in rows], dtype=np.int64)
        parent = np.array([int(r[1]) for r in rows], dtype=np.int64)
        vf = np.array([_day(r[2], DATE_MIN) for r in rows], dtype="datetime64[D]")
        vt = np.array([_day(r[3], DATE_MAX) for r in rows], dtype="datetime64[D]")
        bad = np.nonzero(vf >= vt)[0]
        if len(bad):
            i = bad[0]
            raise TreeError(
                f"Cạnh {child[i]}→{parent[i]} có valid_from ≥ valid_to "
                f"/ edge {child[i]}->{parent[i]} has valid_from >= valid_to"
            )
        return cls(child, parent, vf, vt)

    def unit_ids(self) -> np.ndarray:
        return np.union1d(self.child, self.parent)

    def holding(self, day: np.datetime64) -> np.ndarray:
        return (self.valid_from <= day) & (day < self.valid_to)


@dataclass
class Closure:
    """Ancestor closure of one tree: rows (unit, ancestor, depth, weight), self rows included.

    Rows are sorted by unit so the rows of one unit are a slice (start[u]:start[u+1]);
    that is what keeps an incremental update at a few microseconds.
    """

    unit: np.ndarray  # int64 dense indices
    ancestor: np.ndarray
    depth: np.ndarray  # int16; 0 = the unit itself
    weight: np.ndarray  # float64; 1 except where a split re-attributes a share
    parent: np.ndarray  # per dense index: parent's dense index in this tree, -1 for roots/absent
    member: np.ndarray  # per dense index: bool, the unit is in this tree
    start: np.ndarray = field(default_factory=lambda: np.zeros(1, np.int64))

    def __post_init__(self) -> None:
        order = np.lexsort((self.ancestor, self.unit))
        for name in ("unit", "ancestor", "depth", "weight"):
            setattr(self, name, getattr(self, name)[order])
        n = len(self.parent)
        self.start = np.searchsorted(self.unit, np.arange(n + 1)).astype(np.int64)
        # the same rows grouped by ancestor, for the full roll-up: one gather and one
        # np.add.reduceat over all terms at once instead of a scatter per term
        by_anc = np.argsort(self.ancestor, kind="stable")
        self.unit_by_anc = self.unit[by_anc]
        self.weight_by_anc = self.weight[by_anc]
        anc_sorted = self.ancestor[by_anc]
        cut = (
            np.concatenate([[0], np.nonzero(np.diff(anc_sorted))[0] + 1])
            if len(anc_sorted)
            else anc_sorted
        )
        self.anc_starts = cut.astype(np.int64)
        self.anc_ids = anc_sorted[self.anc_starts] if len(anc_sorted) else anc_sorted
        self.unweighted = bool(np.all(self.weight == 1.0))

    def rows_of(self, u: int) -> slice:
        return slice(int(self.start[u]), int(self.start[u + 1]))

    def children(self, u: int) -> np.ndarray:
        return np.nonzero(self.parent == u)[0]


def parents_on(
    edges: Edges, index: np.ndarray, day: np.datetime64
) -> tuple[np.ndarray, np.ndarray]:
    """(parent dense index per unit or -1, membership mask) of the tree on `day`."""
    n = len(index)
    hold = edges.holding(day)
    child = np.searchsorted(index, edges.child[hold])
    parent = np.searchsorted(index, edges.parent[hold])
    uniq, counts = np.unique(child, return_counts=True)
    if len(uniq) and counts.max() > 1:
        bad = int(index[uniq[np.argmax(counts)]])
        raise TreeError(
            f"Đơn vị {bad} có hai đơn vị cha vào ngày {day} / unit {bad} has two parents on {day}"
        )
    parent_of = np.full(n, -1, dtype=np.int64)
    parent_of[child] = parent
    member = np.zeros(n, dtype=bool)
    member[child] = True
    member[parent] = True
    return parent_of, member


def closure_on(edges: Edges, index: np.ndarray, day: np.datetime64) -> Closure:
    """Ancestor closure of the tree as it was on `day` (school -> commune -> ... -> nation)."""
    parent_of, member = parents_on(edges, index, day)
    # every unit gets its self row, members or not: a value held by a unit outside the tree
    # on that day still counts for the unit itself instead of vanishing
    units = np.arange(len(index), dtype=np.int64)
    cols_u, cols_a, cols_d = [units], [units], [np.zeros(len(units), np.int16)]
    cur_u, cur_a = units, units
    for depth in range(1, len(index) + 2):
        nxt = parent_of[cur_a]
        keep = nxt >= 0
        if not keep.any():
            break
        if depth > len(index):  # a path longer than the number of units must loop
            bad = int(index[cur_u[keep][0]])
            raise TreeError(
                f"Cây có vòng lặp qua đơn vị {bad} / the tree has a cycle through unit {bad}"
            )
        cur_u, cur_a = cur_u[keep], nxt[keep]
        cols_u.append(cur_u)
        cols_a.append(cur_a)
        cols_d.append(np.full(len(cur_u), depth, np.int16))
    u = np.concatenate(cols_u)
    return Closure(
        u, np.concatenate(cols_a), np.concatenate(cols_d), np.ones(len(u)), parent_of, member
    )


def successor_map(data: Any) -> dict[int, list[tuple[int, float]]]:
    """old unit id -> [(new unit id, weight)], validated (weights > 0, summing to 1)."""
    out: dict[int, list[tuple[int, float]]] = {}
    for old, new, weight in table_rows(data, ("old_unit_id", "new_unit_id", "weight")):
        w = 1.0 if weight is None else float(weight)
        if not w > 0:
            raise TreeError(
                f"Trọng số kế thừa {old}→{new} phải dương / successor weight {old}->{new} must be > 0"
            )
        out.setdefault(int(old), []).append((int(new), w))
    for old, links in out.items():
        total = sum(w for _, w in links)
        if abs(total - 1.0) > WEIGHT_TOLERANCE:
            raise TreeError(
                f"Tổng trọng số kế thừa của đơn vị {old} là {total:g}, phải bằng 1 "
                f"/ successor weights of unit {old} sum to {total:g}, not 1"
            )
    return out


def last_parent(edges: Edges) -> dict[int, int]:
    """Each child's parent on the latest edge it had: the fallback for a closed unit
    without successor links (its values go where its parent's went, never nowhere)."""
    order = np.argsort(edges.valid_to, kind="stable")
    return {int(c): int(p) for c, p in zip(edges.child[order], edges.parent[order], strict=True)}


def resolve_to_tree(
    index: np.ndarray,
    member: np.ndarray,
    successors: dict[int, list[tuple[int, float]]],
    fallback_parent: dict[int, int],
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """Map every unit to units of the target tree: (unit, target, weight) rows and the units
    that could not be resolved (kept as their own root so their values still count).

    Order of rules: a unit in the tree maps to itself; else it follows its successor links
    (a merge sums, a split shares by weight, chains multiply); else its last parent.
    """
    pos = {int(uid): i for i, uid in enumerate(index.tolist())}
    memo: dict[int, dict[int, float]] = {}
    unresolved: list[int] = []

    def resolve(i: int, stack: tuple[int, ...]) -> dict[int, float]:
        if i in memo:
            return memo[i]
        if member[i]:
            memo[i] = {i: 1.0}
            return memo[i]
        if i in stack:
            raise TreeError(
                f"Liên kết kế thừa tạo vòng qua đơn vị {index[i]} "
                f"/ successor links loop through unit {index[i]}"
            )
        uid = int(index[i])
        acc: dict[int, float] = {}
        links = successors.get(uid)
        if links is None and uid in fallback_parent:
            links = [(fallback_parent[uid], 1.0)]
        if not links:
            unresolved.append(uid)
            acc = {i: 1.0}
        else:
            for new_uid, w in links:
                j = pos.get(new_uid)
                if j is None:
                    raise TreeError(
                        f"Đơn vị kế thừa {new_uid} của {uid} không có trong cây "
                        f"/ successor {new_uid} of {uid} is not a known unit"
                    )
                for tgt, w2 in resolve(j, (*stack, i)).items():
                    acc[tgt] = acc.get(tgt, 0.0) + w * w2
        memo[i] = acc
        return acc

    src, dst, wts = [], [], []
    for i in range(len(index)):
        if member[i]:
            continue
        for tgt, w in resolve(i, ()).items():
            src.append(i)
            dst.append(tgt)
            wts.append(w)
    members = np.nonzero(member)[0]
    src_a = np.concatenate([members, np.array(src, np.int64)])
    dst_a = np.concatenate([members, np.array(dst, np.int64)])
    w_a = np.concatenate([np.ones(len(members)), np.array(wts, np.float64)])
    return src_a, dst_a, w_a, sorted(set(unresolved))


def compose(
    closure: Closure, src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int
) -> Closure:
    """Closure of 'today's tree' for every unit: unit -> target(s) -> their ancestors.

    A split's shares that meet again higher up (two new communes of one province) are
    summed, so the province receives weight 1 of the old commune, as it should.
    """
    starts, ends = closure.start[dst], closure.start[dst + 1]
    lengths = ends - starts
    rep = np.repeat(np.arange(len(dst)), lengths)
    offs = np.arange(len(rep)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = starts[rep] + offs
    u = src[rep]
    a = closure.ancestor[rows]
    w = weight[rep] * closure.weight[rows]
    d = closure.depth[rows]
    key = u * n + a
    uniq, inv = np.unique(key, return_inverse=True)
    w_sum = np.bincount(inv, weights=w, minlength=len(uniq))
    d_min = np.full(len(uniq), np.iinfo(np.int16).max, np.int16)
    np.minimum.at(d_min, inv, d)
    # membership and parents stay those of today's tree: a legacy unit is not *in* it
    return Closure(uniq // n, uniq % n, d_min, w_sum, closure.parent, closure.member)


def to_day(value: Any) -> np.datetime64:
    return _day(value, DATE_MAX)


def known_units(edges: Edges, extra: Iterable[int] = ()) -> np.ndarray:
    ids = edges.unit_ids()
    extra_a = np.fromiter((int(x) for x in extra), dtype=np.int64)
    return np.union1d(ids, extra_a)
