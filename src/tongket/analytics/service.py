"""The process-wide roll-up engine, fed from the database and kept current.

Which values count: a value written by a submission counts while that submission is
*submitted* or *approved*; drafts and returned (or re-opened) reports do not, so a dashboard
never shows figures a school is still typing or an officer has sent back. Values without a
submission (historical imports such as the grade-1 intakes behind completion rates) count.
The collection workflow keeps one row per (element, combo, unit, period) and points it at the
submission that last wrote it, so this rule is one join.

Freshness: `values_changed` (sent on commit after submit/approve/return/reopen) refreshes the
unit's figures in this process at once (apps.py connects it). Other processes, and writes that
send no signal, are caught by a cheap watermark check (latest Submission.updated_at, the tree's
and the catalog's fingerprints) at most every SYNC_SECONDS. `tongket analytics rebuild`
recomputes everything from the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone

from tongket.analytics.engine import (
    MODE_AS_OF,
    MODE_CURRENT,
    MODES,
    BuildStats,
    IndicatorValue,
    RollupEngine,
)
from tongket.analytics.translate import Compiled, compile_indicators, engine_rows, unit_triples
from tongket.core import periods as pd

log = logging.getLogger(__name__)

CHECK_PREFIX = "qc_"  # engine indicators that serve data-quality checks, not the catalog
SYNC_SECONDS = 2.0  # how stale another process's writes may be before this one notices
COUNTED_STATUSES = ("submitted", "approved")
MODE_LABELS = {MODE_AS_OF: "Cây đơn vị tại kỳ báo cáo", MODE_CURRENT: "Cây đơn vị hiện nay"}


def counted_q(prefix: str = "") -> Q:
    """DataValue rows that count in the figures (see the module docstring)."""
    return Q(**{f"{prefix}submission__isnull": True}) | Q(
        **{f"{prefix}submission__status__in": COUNTED_STATUSES}
    )


def period_day(code: str) -> dt.date:
    """The day whose tree a period's figures roll up by ("the tree as of the period").

    School years and their semesters use 30/9 of the first year, the start-of-year
    statistical date (the 1/7/2025 reform fell between school years, so any day inside the
    year picks the same tree); other periods use their last day.
    """
    p = pd.parse(code)
    if p.kind in (pd.PeriodKind.SCHOOL_YEAR, pd.PeriodKind.SEMESTER):
        return dt.date(p.school_year.start.year, 9, 30)
    return p.end


def shift_period(code: str, years: int) -> str | None:
    """The same period `years` school years later (negative: earlier); None if unparsable."""
    try:
        p = pd.parse(code)
    except pd.PeriodError:
        return None
    y = p.start.year + years
    if p.kind == pd.PeriodKind.SCHOOL_YEAR:
        return pd.school_year(y).code
    if p.kind == pd.PeriodKind.SEMESTER:
        return pd.school_year(p.school_year.start.year + years).semester(int(p.code[-1])).code
    if p.kind == pd.PeriodKind.QUARTER:
        return pd.quarter(y, int(p.code[-1])).code
    if p.kind == pd.PeriodKind.MONTH:
        return pd.month(y, p.start.month).code
    return pd.year(y).code


def period_sort_key(code: str) -> tuple:
    try:
        p = pd.parse(code)
        return (p.start, p.end, code)
    except pd.PeriodError:
        return (dt.date.max, dt.date.max, code)


# --------------------------------------------------------------------------- inputs


def compiled_catalog() -> Compiled:
    """The catalog's indicators (in pack order) plus the data-quality peer checks."""
    from tongket.analytics.quality import CHECK_INDICATORS
    from tongket.catalog.models import Indicator

    rows = Indicator.objects.order_by("id").values(
        "code", "name_vi", "name_en", "numerator", "denominator", "factor", "unit", "direction"
    )
    return compile_indicators([*rows, *CHECK_INDICATORS])


def _counted_values(compiled: Compiled, **filters):
    from tongket.collection.models import DataValue

    if not compiled.reads:
        return []
    return (
        DataValue.objects.filter(counted_q(), **filters)
        .filter(element__code__in=sorted(compiled.elements), combo__in=sorted(compiled.all_combos))
        .values_list("element__code", "combo", "unit_id", "period", "value")
        .iterator(chunk_size=5000)
    )


@dataclass
class Tree:
    edges: list[tuple[int, int, dt.date | None, dt.date | None]]
    successors: list[tuple[int, int, float]]
    units: set[int]


def tree_for(seed: Iterable[int]) -> Tree:
    """Edges and successor links of the units with data, their ancestors at any date and
    the units they became (with those units' ancestors), nothing else.

    Pruning keeps the engine's dense arrays the size of the data rather than of the national
    tree (a province's data touches ~1 % of the 15 k units loaded). UnitParent.valid_to is
    inclusive; the engine's is exclusive, hence the day added.
    """
    from tongket.units.models import KIND_DEPTH, OrgUnit, UnitParent, UnitSuccessor

    parents: dict[int, list[tuple[int, dt.date, dt.date | None]]] = {}
    for c, p, vf, vt in UnitParent.objects.values_list(
        "child_id", "parent_id", "valid_from", "valid_to"
    ):
        parents.setdefault(c, []).append((p, vf, vt))
    succ: dict[int, list[tuple[int, float]]] = {}
    for o, n, w in UnitSuccessor.objects.values_list("old_id", "new_id", "weight"):
        succ.setdefault(o, []).append((n, float(w)))
    units: set[int] = set()
    frontier = {int(u) for u in seed}
    while frontier:
        units |= frontier
        nxt: set[int] = set()
        for u in frontier:
            nxt.update(p for p, _, _ in parents.get(u, ()))
            nxt.update(n for n, _ in succ.get(u, ()))
        frontier = nxt - units
    edges: list[tuple[int, int, dt.date | None, dt.date | None]] = [
        (c, p, vf, (vt + dt.timedelta(days=1)) if vt else None)
        for c in units
        for p, vf, vt in parents.get(c, ())
    ]
    olds = [o for o in units if o in succ]
    depth = {
        pk: KIND_DEPTH[kind]
        for pk, kind in OrgUnit.objects.filter(
            pk__in={n for o in olds for n, _ in succ[o]}
        ).values_list("pk", "kind")
    }
    successors: list[tuple[int, int, float]] = []
    for o in olds:
        links = succ[o]
        if sum(w for _, w in links) > 1 + 1e-9:
            # the converter links a few island districts both to their new special zone and
            # to the province that contains it: keep the finer target, or the province
            # would receive the district twice
            deepest = max(depth.get(n, 0) for n, _ in links)
            links = [(n, w) for n, w in links if depth.get(n, 0) == deepest]
        total = sum(w for _, w in links)
        successors.extend((o, n, w / total) for n, w in links)
    return Tree(edges, successors, units)


# (unit tree, catalog): each a tuple of aggregates, compared for equality only
Fingerprints = tuple[tuple[object, ...], tuple[object, ...]]


def _fingerprints() -> Fingerprints:
    from tongket.catalog.models import Indicator, PackVersion
    from tongket.units.models import UnitParent, UnitSuccessor

    tree = (
        tuple(UnitParent.objects.aggregate(n=Count("id"), m=Max("id")).values()),
        tuple(UnitSuccessor.objects.aggregate(n=Count("id"), m=Max("id")).values()),
    )
    catalog = (
        tuple(Indicator.objects.aggregate(n=Count("id"), m=Max("id")).values()),
        PackVersion.objects.aggregate(m=Max("loaded_at"))["m"],
    )
    return tree, catalog


def _watermark() -> dt.datetime | None:
    from tongket.collection.models import Submission

    return Submission.objects.aggregate(m=Max("updated_at"))["m"]


# --------------------------------------------------------------------------- the service


class Analytics:
    """One engine per process, built on first use. Every engine call holds the lock: the
    engine mutates numpy arrays in place and the web server answers on several threads."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.engine: RollupEngine | None = None
        self.compiled: Compiled | None = None
        self.units: set[int] = set()
        self._watermark: dt.datetime | None = None
        self._fingerprints: Fingerprints | None = None
        self._checked = 0.0
        self.stats: BuildStats | None = None
        self.round_periods: list[str] = []

    # -- building ------------------------------------------------------------------------
    def rebuild(self) -> BuildStats:
        """Full rebuild from the database."""
        from tongket.collection.models import DataValue, ReportingRound

        with self._lock:
            t0 = time.perf_counter()
            watermark, prints = _watermark(), _fingerprints()  # before reading: never miss
            compiled = compiled_catalog()
            raw = list(_counted_values(compiled))
            value_periods = set(
                DataValue.objects.filter(counted_q()).values_list("period", flat=True).distinct()
            )
            self.round_periods = sorted(
                set(ReportingRound.objects.values_list("period", flat=True).distinct()),
                key=period_sort_key,
            )
            known = {p for p in value_periods | set(self.round_periods) if _parsable(p)}
            rows = engine_rows(compiled, raw, shift_period, known)
            tree = tree_for({u for _, _, u, _, _ in raw})
            engine = RollupEngine(
                compiled.indicators,
                edges=tree.edges,
                successors=tree.successors,
                periods={p: period_day(p) for p in known},
                combos=compiled.combos,
                current_date=timezone.localdate(),
                threads=2,
            )
            if len(rows):
                stats = engine.build(rows.columns())
            else:  # DuckDB cannot type empty columns: one NULL row, which build() skips
                stats = engine.build(
                    {
                        "element_code": ["-"],
                        "combo": [0],
                        "unit_id": [0],
                        "period": [next(iter(known), "2000-2001")],
                        "value": [None],
                    }
                )
            if self.engine is not None:
                self.engine.close()
            self.engine, self.compiled, self.units = engine, compiled, tree.units
            self._watermark, self._fingerprints = watermark, prints
            self._checked = time.monotonic()
            self.stats = stats
            for w in stats.warnings:
                log.warning("analytics: %s", w)
            log.info(
                "analytics rebuilt: %d values, %d units, %d periods in %.2f s",
                len(rows),
                stats.units,
                stats.periods,
                time.perf_counter() - t0,
            )
            return stats

    def ready(self) -> RollupEngine:
        """The engine, built if needed and brought up to date with other processes' writes."""
        with self._lock:
            if self.engine is None:
                self.rebuild()
            elif time.monotonic() - self._checked > SYNC_SECONDS:
                self.sync()
            assert self.engine is not None
            return self.engine

    def sync(self) -> None:
        """Apply what changed since the last look (writes of other processes)."""
        from tongket.collection.models import Submission

        with self._lock:
            self._checked = time.monotonic()
            if self.engine is None:
                return
            prints = _fingerprints()
            assert self._fingerprints is not None  # set together with the engine
            if prints[1] != self._fingerprints[1]:  # the catalog changed: new terms
                self.rebuild()
                return
            if prints[0] != self._fingerprints[0]:
                self._set_tree(self.units)
                self._fingerprints = prints
            if self._watermark is None:
                changed = Submission.objects.all()
            else:
                changed = Submission.objects.filter(updated_at__gt=self._watermark)
            rows = list(changed.values_list("unit_id", "round__period", "updated_at"))
            for unit_id, period, at in rows:
                self.refresh(unit_id, period)
                if self._watermark is None or at > self._watermark:
                    self._watermark = at

    def _set_tree(self, units: set[int]) -> None:
        tree = tree_for(units)
        assert self.engine is not None
        self.engine.set_tree(tree.edges, tree.successors)
        self.units = tree.units

    def refresh(self, unit_id: int, period: str) -> None:
        """A unit's figures for a period changed: recompute its leaf sums (and those of the
        periods whose cohort base reads this one) and propagate to its ancestors only."""
        with self._lock:
            eng, compiled = self.engine, self.compiled
            if eng is None or compiled is None or not _parsable(period):
                return  # nothing built yet: the first use reads everything anyway
            if period not in eng.periods:
                if self._triples(unit_id, period):
                    # a period's first figures: shifted cohort bases of *every* unit belong
                    # in it too, which only a full read provides (once per new period)
                    self.rebuild()
                return
            if unit_id not in self.units:
                self._set_tree(self.units | {unit_id})
            targets = [period] + [
                t
                for o in sorted(compiled.offsets)
                if (t := shift_period(period, -o)) is not None and t in eng.periods
            ]
            for p in targets:
                eng.update_unit(unit_id, p, self._triples(unit_id, p))

    def _triples(self, unit_id: int, period: str) -> list[tuple[str, int, float]]:
        compiled = self.compiled
        assert compiled is not None
        own = [
            (e, c, v) for e, c, _, _, v in _counted_values(compiled, unit_id=unit_id, period=period)
        ]
        earlier = {}
        for o in compiled.offsets:
            src = shift_period(period, o)
            if src is not None:
                earlier[o] = [
                    (e, c, v)
                    for e, c, _, _, v in _counted_values(compiled, unit_id=unit_id, period=src)
                ]
        return unit_triples(compiled, own, earlier)

    # -- reading -------------------------------------------------------------------------
    def info(self, include_checks: bool = False) -> dict:
        """Indicator code -> IndicatorInfo, catalog order; the quality checks on request."""
        with self._lock:
            self.ready()
            assert self.compiled is not None
            return {
                c: i
                for c, i in self.compiled.info.items()
                if include_checks or not c.startswith(CHECK_PREFIX)
            }

    def periods(self) -> list[str]:
        """Periods to offer in the dashboard: those of reporting rounds that have figures
        (years that only hold cohort history stay out of the menu); every period with
        figures when no round exists at all (figures imported without rounds)."""
        with self._lock:
            eng = self.ready()
            have = set(eng.periods)
            offered = [p for p in self.round_periods if p in have]
            return offered or sorted(have, key=period_sort_key)

    def values(
        self,
        unit_ids: Iterable[int],
        period: str,
        mode: str = MODE_AS_OF,
        indicators: Iterable[str] | None = None,
    ) -> dict[tuple[int, str], IndicatorValue]:
        """(unit, indicator) -> value; units or periods without data get value None."""
        if mode not in MODES:
            raise ValueError(f"chế độ cây không hợp lệ: {mode}")
        ids = [int(u) for u in unit_ids]
        with self._lock:
            eng = self.ready()
            assert self.compiled is not None
            codes = list(indicators) if indicators is not None else list(self.compiled.info)
            codes = [c for c in codes if c in self.compiled.info]
            out: dict[tuple[int, str], IndicatorValue] = {}
            known = [u for u in ids if _in_index(eng, u)] if period in eng.periods else []
            if known and codes:
                for r in eng.indicator_values(known, period, mode, codes):
                    out[(r.unit_id, r.indicator)] = r
            for u in ids:
                for c in codes:
                    out.setdefault((u, c), IndicatorValue(u, period, c, None, None, None, mode))
            return out

    def value(self, unit_id: int, period: str, indicator: str, mode: str = MODE_AS_OF):
        return self.values([unit_id], period, mode, [indicator])[(unit_id, indicator)]

    def trend(
        self, unit_id: int, indicator: str, mode: str = MODE_AS_OF, periods: list[str] | None = None
    ) -> list[IndicatorValue]:
        wanted = periods if periods is not None else self.periods()
        return [self.value(unit_id, p, indicator, mode) for p in wanted]

    def term_state(self) -> dict[str, np.ndarray]:
        with self._lock:
            return self.ready().term_state()


def _parsable(code: str) -> bool:
    try:
        pd.parse(code)
        return True
    except pd.PeriodError:
        return False


def _in_index(eng: RollupEngine, unit_id: int) -> bool:
    i = int(np.searchsorted(eng.index, unit_id))
    return i < len(eng.index) and int(eng.index[i]) == unit_id


_service = Analytics()


def get() -> Analytics:
    return _service


def reset() -> None:
    """Forget the engine (tests; the next use rebuilds from the database)."""
    global _service
    if _service.engine is not None:
        _service.engine.close()
    _service = Analytics()


def on_values_changed(sender, unit_id: int, period: str, status: str = "", **kwargs) -> None:
    """Receiver of collection.signals.values_changed (connected in apps.py)."""
    try:
        _service.refresh(int(unit_id), str(period))
    except Exception:  # the write already committed; a stale figure must not fail the request
        log.exception("analytics refresh failed for unit %s period %s", unit_id, period)
        with _service._lock:  # start again from the database on next use
            if _service.engine is not None:
                _service.engine.close()
            _service.engine = None
