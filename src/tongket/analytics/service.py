"""The process-wide roll-up engines, fed from the database and kept current.

What they read is decided in analytics.inputs (which submissions count, the derived school and
register counts) under the definitions of tongket.core.definitions; there is one engine per
counting policy (working figures, approved only), each built on first use.

Freshness: `values_changed` (sent on commit after submit/approve/return/reopen) refreshes the
unit's figures in this process at once (apps.py connects it). Other processes, and writes that
send no signal, are caught by a cheap watermark check (latest Submission.updated_at, the tree's,
the catalog's and the register's fingerprints, today's date) at most every SYNC_SECONDS.
`tongket analytics rebuild` recomputes everything from the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from django.utils import timezone

from tongket.analytics import inputs
from tongket.analytics.engine import (
    MODE_AS_OF,
    MODES,
    BuildStats,
    IndicatorValue,
    RollupEngine,
)
from tongket.analytics.translate import Compiled, compile_indicators, engine_rows, unit_triples
from tongket.core import definitions as d
from tongket.core import periods as pd

log = logging.getLogger(__name__)

CHECK_PREFIX = "qc_"  # engine indicators that serve data-quality checks, not the catalog
SYNC_SECONDS = 2.0  # how stale another process's writes may be before this one notices


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
        "code",
        "name_vi",
        "name_en",
        "numerator",
        "denominator",
        "factor",
        "unit",
        "direction",
        "decimals",
    )
    return compile_indicators([*rows, *CHECK_INDICATORS])


def _counted_values(compiled: Compiled, policy: d.Policy, **filters):
    if not compiled.reads:
        return []
    return inputs.counted_values(compiled.elements, compiled.all_combos, policy, **filters)


def _values_of(compiled: Compiled, policy: d.Policy, unit_id: int, period: str, today: dt.date):
    """(element, combo, value) of one unit in one period: counted and derived."""
    own = [
        (e, c, v)
        for e, c, _, _, v in _counted_values(compiled, policy, unit_id=unit_id, period=period)
    ]
    derived = inputs.derived_values([period], today, [unit_id], compiled.elements)
    return own + [(e, c, v) for e, c, _, _, v in derived]


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


# (unit tree, catalog, schools and register, today): compared for equality only
Fingerprints = tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...], dt.date]


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
    return tree, catalog, inputs.derived_fingerprint(), timezone.localdate()


def _watermark() -> dt.datetime | None:
    from tongket.collection.models import Submission

    return Submission.objects.aggregate(m=Max("updated_at"))["m"]


# --------------------------------------------------------------------------- the service


class Analytics:
    """One engine per process and counting policy, built on first use. Every engine call holds
    the lock: the engine mutates numpy arrays in place and the web server answers on several
    threads."""

    def __init__(self, policy: d.Policy = d.DASHBOARD_POLICY) -> None:
        self.policy = d.Policy(policy)
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
        from tongket.collection.models import ReportingRound

        with self._lock:
            t0 = time.perf_counter()
            watermark, prints = _watermark(), _fingerprints()  # before reading: never miss
            compiled = compiled_catalog()
            raw = list(_counted_values(compiled, self.policy))
            value_periods = inputs.counted_periods(self.policy)
            self.round_periods = sorted(
                set(ReportingRound.objects.values_list("period", flat=True).distinct()),
                key=period_sort_key,
            )
            known = {p for p in value_periods | set(self.round_periods) if _parsable(p)}
            raw += inputs.derived_values(
                sorted(known, key=period_sort_key), prints[3], elements=compiled.elements
            )
            rows = engine_rows(compiled, raw, shift_period, known)
            tree = tree_for({u for _, _, u, _, _ in raw})
            engine = RollupEngine(
                compiled.indicators,
                edges=tree.edges,
                successors=tree.successors,
                periods={p: d.reference_date(p) for p in known},
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
            if prints != self._fingerprints:
                # new terms (catalog), another tree, schools or certificates (derived values),
                # or a new day (the register date of the current period): read everything
                self.rebuild()
                return
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
        assert compiled is not None and self._fingerprints is not None
        today = self._fingerprints[3]
        own = _values_of(compiled, self.policy, unit_id, period, today)
        earlier = {}
        for o in compiled.offsets:
            src = shift_period(period, o)
            if src is not None:
                earlier[o] = _values_of(compiled, self.policy, unit_id, src, today)
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

    def holds(self, period: str) -> bool:
        """Whether the engine has figures for the period (menu or not: cohort history too)."""
        with self._lock:
            return period in self.ready().periods

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


_services: dict[d.Policy, Analytics] = {}
_services_lock = threading.Lock()


def get(policy: d.Policy | str = d.DASHBOARD_POLICY) -> Analytics:
    """The engine of a counting policy (working figures unless told otherwise)."""
    key = d.Policy(policy)
    with _services_lock:
        if key not in _services:
            _services[key] = Analytics(key)
        return _services[key]


def reset() -> None:
    """Forget the engines (tests; the next use rebuilds from the database)."""
    with _services_lock:
        for svc in _services.values():
            if svc.engine is not None:
                svc.engine.close()
        _services.clear()


def on_values_changed(sender, unit_id: int, period: str, status: str = "", **kwargs) -> None:
    """Receiver of collection.signals.values_changed (connected in apps.py)."""
    for svc in list(_services.values()):
        try:
            svc.refresh(int(unit_id), str(period))
        except Exception:  # the write already committed; a stale figure must not fail it
            log.exception("analytics refresh failed for unit %s period %s", unit_id, period)
            with svc._lock:  # start again from the database on next use
                if svc.engine is not None:
                    svc.engine.close()
                svc.engine = None
