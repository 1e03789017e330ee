"""The roll-up engine: every indicator at every level of the tree, for every period, in
both tree modes, kept current one school submission at a time.

Shape of the computation (see docs/analytics.md for the measurements behind it):

1. *Project once* (DuckDB, one scan of the values): each value row is matched to the
   indicator *terms* it feeds (a term is an element with an optional combo filter) and
   summed per (unit, period, term). 50 M values become a few million leaf sums. This is the
   only step that reads raw values, and it does not depend on the tree, so both tree modes
   and every level share it.
2. *Roll up through a closure* (numpy): for each tree the ancestor closure lists
   (unit, ancestor, weight); aggregate[ancestor] = sum(weight * leaf[unit]). Weights are 1
   in the tree as it was; in today's tree a legacy unit's rows carry its successor shares.
3. *Indicators from terms*: numerator and denominator are linear in the terms (expr.py
   guarantees it), so they come from the rolled-up terms by a small matrix product at query
   time. Rates are therefore always sum(numerators) / sum(denominators), never an average.

State is dense numpy arrays shaped (period, term, unit): an incremental update adds a delta
to a unit's ancestors (a handful of array rows), a dashboard reads ~100 columns.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import numpy as np

# the two tree modes are defined once, in core.definitions (pure, like this engine)
from tongket.core.definitions import MODE_AS_OF, MODE_CURRENT, MODES

from . import expr as ex
from . import targets
from .tree import (
    Closure,
    Edges,
    TreeError,
    closure_on,
    compose,
    known_units,
    last_parent,
    resolve_to_tree,
    successor_map,
    table_rows,
    to_day,
)

_ALIASES = {
    "element": ("element_code", "element_id", "element"),
    "combo": ("combo", "combo_id"),
    "unit": ("unit_id", "org_unit_id", "unit"),
    "period": ("period", "period_id", "period_code"),
    "value": ("value",),
}
_SCHOOL_YEAR = re.compile(r"^(\d{4})-(\d{4})")


class EngineError(ValueError):
    """Bad input to the engine (unknown unit, period without a date, missing column...)."""


@dataclass(frozen=True)
class Indicator:
    code: str
    numerator: str
    denominator: str | None = None
    factor: float = 1.0  # 100 for a percentage


@dataclass(frozen=True, slots=True)
class IndicatorValue:
    unit_id: int
    period: Any
    indicator: str
    value: float | None  # None: no data, or a rate whose denominator is 0
    numerator: float | None
    denominator: float | None  # None for a count
    mode: str
    rank: int | None = None  # set by children_values()


@dataclass
class BuildStats:
    seconds_project: float = 0.0
    seconds_rollup: float = 0.0
    leaf_rows: int = 0  # (unit, period, term) sums produced by step 1
    units: int = 0
    terms: int = 0
    periods: int = 0
    warnings: list[str] = field(default_factory=list)


def _as_indicator(x: Any) -> Indicator:
    if isinstance(x, Indicator):
        return x
    if isinstance(x, Mapping):
        return Indicator(
            str(x["code"]), x["numerator"], x.get("denominator"), float(x.get("factor", 1.0))
        )
    code, num, *rest = x
    den = rest[0] if rest else None
    factor = float(rest[1]) if len(rest) > 1 and rest[1] is not None else 1.0
    return Indicator(str(code), num, den, factor)


def default_period_day(period: Any) -> np.datetime64 | None:
    """'2024-2025' (and '2024-2025 HK1'...) -> 30/9/2024, the start-of-year statistical date.

    Any day inside the school year would pick the same tree, since the 1/7/2025 reform fell
    between school years; callers with other period codes pass explicit dates.
    """
    m = _SCHOOL_YEAR.match(str(period))
    if m and int(m.group(2)) == int(m.group(1)) + 1:
        return np.datetime64(f"{m.group(1)}-09-30", "D")
    return None


class RollupEngine:
    """Roll-ups of indicators over an effective-dated org-unit tree.

    indicators: Indicator, (code, numerator, denominator, factor) or dicts.
    edges:      (child_id, parent_id, valid_from, valid_to) rows, valid_to exclusive.
    successors: (old_unit_id, new_unit_id, weight) rows; weights of one old unit sum to 1.
    periods:    period key -> date whose tree applies ("the tree as of the period").
    combos:     (combo, category, option) rows, needed by filters such as [sex=female].
    element_ids: code -> int id, when the values carry element ids instead of codes.
    """

    def __init__(
        self,
        indicators: Iterable[Any],
        *,
        edges: Any,
        successors: Any = None,
        periods: Mapping[Any, Any] | None = None,
        combos: Any = None,
        element_ids: Mapping[str, int] | None = None,
        current_date: dt.date | None = None,
        threads: int | None = None,
        memory_limit: str | None = None,
    ):
        self.indicators = [_as_indicator(x) for x in indicators]
        codes = [i.code for i in self.indicators]
        if len(set(codes)) != len(codes):
            dup = sorted({c for c in codes if codes.count(c) > 1})
            raise EngineError(f"Mã chỉ số trùng {dup} / duplicate indicator codes {dup}")
        self._ind_pos = {c: i for i, c in enumerate(codes)}
        self.element_ids = dict(element_ids or {})
        self._catalog = self._load_catalog(combos)
        self._compile()
        self._edges = Edges.from_data(edges)
        self._successors = successor_map(successors)
        self._period_days = {k: to_day(v) for k, v in (periods or {}).items()}
        self.current_day = to_day(current_date or dt.date.today())
        self._con = duckdb.connect()
        self._con.execute(f"SET threads={int(threads or os.cpu_count() or 1)}")
        if memory_limit:
            self._con.execute("SET memory_limit=?", [memory_limit])
        self.warnings: list[str] = []
        self._built = False

    # ------------------------------------------------------------------ compile indicators
    @staticmethod
    def _load_catalog(combos: Any) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {}
        for combo, category, option in table_rows(combos, ("combo", "category", "option")):
            out.setdefault(int(combo), {})[str(category)] = str(option)
        return out

    def _compile(self) -> None:
        """Parse every expression once; list the distinct terms; build the term -> indicator
        coefficient matrices and the (element, combo) -> term match rules."""
        parsed: list[tuple[ex.LinearExpr, ex.LinearExpr | None]] = []
        for ind in self.indicators:
            num = ex.parse(ind.numerator)
            den = ex.parse(ind.denominator) if ind.denominator not in (None, "") else None
            parsed.append((num, den))
        terms = sorted(
            {op for num, den in parsed for op in (num.operands + (den.operands if den else ()))}
        )
        self.terms: list[ex.Operand] = terms
        pos = {op: t for t, op in enumerate(terms)}
        n_t, n_i = len(terms), len(self.indicators)
        self._w_num = np.zeros((n_t, n_i))
        self._w_den = np.zeros((n_t, n_i))
        for i, (num, den) in enumerate(parsed):
            for op, c in num.terms:
                self._w_num[pos[op], i] = c
            for op, c in den.terms if den else ():
                self._w_den[pos[op], i] = c
        self._has_den = np.array([den is not None for _, den in parsed])
        self._factor = np.array([ind.factor for ind in self.indicators], dtype=float)
        # presence masks: an indicator has data where any of its terms has at least one value
        self._p_num = (self._w_num != 0).astype(float)
        self._p_den = (self._w_den != 0).astype(float)
        # match rules: element -> [(combo or None for "any", term)]
        self._rules: dict[Any, list[tuple[int | None, int]]] = {}
        for t, op in enumerate(terms):
            combos = ex.combos_matching(op.filters, self._catalog)
            if combos is not None and not combos:
                raise EngineError(self._no_combo_message(op))
            keys: list[Any] = [op.element]
            if self.element_ids:
                if op.element not in self.element_ids:
                    raise EngineError(
                        f"Mã chỉ tiêu '{op.element}' không có trong danh mục "
                        f"/ element code '{op.element}' is not in element_ids"
                    )
                keys.append(int(self.element_ids[op.element]))
            for key in keys:
                rule = self._rules.setdefault(key, [])
                if combos:
                    rule.extend((c, t) for c in sorted(combos))
                else:
                    rule.append((None, t))
        self._match_cache: dict[tuple[Any, int], tuple[int, ...]] = {}

    def _no_combo_message(self, op: ex.Operand) -> str:
        if not self._catalog and any(k != ex.COMBO_KEY for k, _ in op.filters):
            return (
                f"Bộ lọc của {op} cần danh mục phân tổ (combos) "
                f"/ the filter in {op} needs the combos catalog"
            )
        known: dict[str, set[str]] = {}
        for opts in self._catalog.values():
            for k, v in opts.items():
                known.setdefault(k, set()).add(v)
        hints = "; ".join(f"{k}: {', '.join(sorted(known.get(k, {'?'})))}" for k, _ in op.filters)
        return (
            f"Bộ lọc của {op} không khớp tổ hợp phân tổ nào ({hints}) "
            f"/ the filter in {op} matches no disaggregation combination ({hints})"
        )

    def _terms_of(self, element: Any, combo: int) -> tuple[int, ...]:
        key = (element, combo)
        hit = self._match_cache.get(key)
        if hit is None:
            rules = self._rules.get(element, ())
            hit = tuple(t for c, t in rules if c is None or c == combo)
            self._match_cache[key] = hit
        return hit

    # ------------------------------------------------------------------ source of values
    def _register_source(self, values: Any, name: str) -> dict[str, str]:
        con = self._con
        if isinstance(values, str | os.PathLike):
            path = os.fspath(values)
            if os.path.isdir(path):
                path = os.path.join(path, "**", "*.parquet")
            lit = path.replace("'", "''")
            con.execute(
                f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM read_parquet('{lit}')"
            )
        elif isinstance(values, Mapping) or (
            isinstance(values, Sequence) and not hasattr(values, "columns")
        ):
            cols = _columns_from_rows(values)
            names = list(cols)
            sel = ", ".join(f"unnest(${i + 1}) AS {n}" for i, n in enumerate(names))
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {name}_rows AS SELECT {sel}",
                [cols[n] for n in names],
            )
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_rows")
        else:  # pandas DataFrame, Arrow table, polars... anything DuckDB can scan
            con.register(name + "_obj", values)
            con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS SELECT * FROM {name}_obj")
        described = con.execute(f"DESCRIBE SELECT * FROM {name}").fetchall()
        types = {row[0]: row[1] for row in described}
        found: dict[str, str] = {}
        for role, aliases in _ALIASES.items():
            col = next((a for a in aliases if a in types), None)
            if col is None and role != "combo":
                raise EngineError(
                    f"Thiếu cột {role} (một trong {aliases}) / missing column {role} (one of {aliases})"
                )
            if col:
                found[role] = col
                found[role + "_type"] = types[col]
        return found

    def _weights_table(self, numeric_elements: bool) -> None:
        elems, combos, terms = [], [], []
        for key, rules in self._rules.items():
            if isinstance(key, int) != numeric_elements:
                continue
            for c, t in rules:
                elems.append(key)
                combos.append(c)
                terms.append(t)
        etype = "BIGINT" if numeric_elements else "VARCHAR"
        self._con.execute(
            f"CREATE OR REPLACE TEMP TABLE tk_weights AS SELECT unnest($1::{etype}[]) AS element, "
            "unnest($2::INTEGER[]) AS combo, unnest($3::INTEGER[]) AS term",
            [elems, combos, terms],
        )

    # ------------------------------------------------------------------ build
    def build(self, values: Any) -> BuildStats:
        """Full rebuild from all values (a DataFrame/Arrow table, rows, or a Parquet path)."""
        stats = BuildStats()
        t0 = time.perf_counter()
        cols = self._register_source(values, "tk_values")
        numeric = not any(s in cols["element_type"] for s in ("VARCHAR", "STRING"))
        if numeric and not self.element_ids:
            raise EngineError(
                "Giá trị mang mã số chỉ tiêu, cần element_ids / values carry element ids: pass element_ids"
            )
        self._weights_table(numeric)
        combo_expr = f"v.{cols['combo']}" if "combo" in cols else "0"
        sql = f"""
            SELECT v.{cols["unit"]} AS u, v.{cols["period"]} AS p, w.term AS t,
                   SUM(v.{cols["value"]}::DOUBLE) AS s, COUNT(*) AS n
            FROM tk_values v JOIN tk_weights w
              ON v.{cols["element"]} = w.element
             AND (w.combo IS NULL OR w.combo = {combo_expr})
            WHERE v.{cols["value"]} IS NOT NULL AND NOT isnan(v.{cols["value"]}::DOUBLE)
              AND v.{cols["unit"]} IS NOT NULL AND v.{cols["period"]} IS NOT NULL
            GROUP BY ALL
        """
        con = self._con
        con.execute(f"CREATE OR REPLACE TEMP TABLE tk_leaf AS {sql}")
        # let go of the source (a registered DataFrame would otherwise stay referenced)
        con.execute("DROP VIEW IF EXISTS tk_values")
        con.execute("DROP TABLE IF EXISTS tk_values_rows")
        con.unregister("tk_values_obj")
        p_keys = [_plain(r[0]) for r in con.execute("SELECT DISTINCT p FROM tk_leaf").fetchall()]
        u_seen = con.execute("SELECT DISTINCT u FROM tk_leaf").fetchnumpy()["u"]
        self.warnings = []
        self._setup_periods(p_keys)
        self.index = known_units(self._edges, np.asarray(u_seen, dtype=np.int64))
        # dense positions are assigned inside DuckDB (joins with two small tables): cheaper
        # than sorting millions of ids in numpy
        con.execute(
            "CREATE OR REPLACE TEMP TABLE tk_units AS SELECT unnest($1::BIGINT[]) AS id, "
            "unnest(range(0, len($1::BIGINT[]))) AS idx",
            [self.index.tolist()],
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE tk_periods AS SELECT unnest($1) AS key, "
            "unnest(range(0, len($1))) AS idx",
            [list(self.periods)],
        )
        res = con.execute(
            "SELECT x.idx AS u, pp.idx AS p, l.t, l.s, l.n FROM tk_leaf l "
            "JOIN tk_units x ON l.u = x.id JOIN tk_periods pp ON l.p = pp.key"
        ).fetchnumpy()
        con.execute("DROP TABLE tk_leaf")
        stats.seconds_project = time.perf_counter() - t0
        stats.leaf_rows = len(res["s"])

        t1 = time.perf_counter()
        self._setup_trees()
        n_p, n_t, n_u = len(self.periods), len(self.terms), len(self.index)
        self._leaf_s = np.zeros((n_p, n_t, n_u))
        self._leaf_n = np.zeros((n_p, n_t, n_u))
        if stats.leaf_rows:
            p_i, t_i, u_i = (np.asarray(res[k], dtype=np.int64) for k in ("p", "t", "u"))
            self._leaf_s[p_i, t_i, u_i] = np.asarray(res["s"], dtype=np.float64)
            self._leaf_n[p_i, t_i, u_i] = np.asarray(res["n"], dtype=np.float64)
        del res
        self._rollup_all()
        self._built = True
        stats.seconds_rollup = time.perf_counter() - t1
        stats.units, stats.terms, stats.periods = n_u, n_t, n_p
        stats.warnings = list(self.warnings)
        return stats

    def set_tree(self, edges: Any, successors: Any = None) -> None:
        """New parent links or successor links: re-roll from the kept leaf sums (no rescan)."""
        self._require_built()
        old_index, old_s, old_n = self.index, self._leaf_s, self._leaf_n
        self._edges = Edges.from_data(edges)
        self._successors = successor_map(successors)
        self.index = known_units(self._edges, old_index)
        self._setup_trees()
        pos = np.searchsorted(self.index, old_index)
        shape = (len(self.periods), len(self.terms), len(self.index))
        self._leaf_s, self._leaf_n = np.zeros(shape), np.zeros(shape)
        self._leaf_s[:, :, pos], self._leaf_n[:, :, pos] = old_s, old_n
        self.warnings = []
        self._rollup_all()

    def _setup_periods(self, keys: Iterable[Any]) -> None:
        days: dict[Any, np.datetime64] = {}
        missing = []
        for k in set(keys) | set(self._period_days):
            day = self._period_days.get(k)
            if day is None:
                day = default_period_day(k)
            if day is None:
                missing.append(k)
            else:
                days[k] = day
        if missing:
            raise EngineError(
                f"Không biết ngày của kỳ {sorted(map(str, missing))}: truyền periods={{kỳ: ngày}} "
                f"/ no date for periods {sorted(map(str, missing))}: pass periods={{period: date}}"
            )
        self.periods: list[Any] = sorted(days, key=lambda k: (days[k], str(k)))
        self._p_day = [days[k] for k in self.periods]
        self._p_pos = {k: i for i, k in enumerate(self.periods)}

    def _setup_trees(self) -> None:
        """Closures: one per distinct period date (tree as it was) and one for today."""
        self._closures: dict[np.datetime64, Closure] = {}
        for day in set(self._p_day):
            self._closures[day] = closure_on(self._edges, self.index, day)
        today = closure_on(self._edges, self.index, self.current_day)
        src, dst, w, unresolved = resolve_to_tree(
            self.index, today.member, self._successors, last_parent(self._edges)
        )
        self._current = compose(today, src, dst, w, len(self.index))
        self._unresolved = unresolved
        if unresolved:
            self.warnings.append(
                f"{len(unresolved)} đơn vị không có trong cây hiện nay và không có đơn vị kế thừa "
                f"(vd. {unresolved[:5]}) / {len(unresolved)} units are not in today's tree and "
                f"have no successor (e.g. {unresolved[:5]}): their values stay on themselves"
            )

    def _closure(self, mode: str, p: int) -> Closure:
        if mode == MODE_CURRENT:
            return self._current
        if mode == MODE_AS_OF:
            return self._closures[self._p_day[p]]
        raise EngineError(f"Chế độ cây không hợp lệ {mode!r} / unknown tree mode {mode!r}: {MODES}")

    def _rollup_all(self) -> None:
        shape = self._leaf_s.shape
        self._agg_s = {m: np.zeros(shape) for m in MODES}
        self._agg_n = {m: np.zeros(shape) for m in MODES}
        for p in range(shape[0]):
            has = self._leaf_n[p].any(axis=0)
            off = np.nonzero(has & ~self._closures[self._p_day[p]].member)[0]
            if len(off):
                self.warnings.append(
                    f"Kỳ {self.periods[p]}: {len(off)} đơn vị có số liệu nhưng không thuộc cây của kỳ "
                    f"(vd. {self.index[off[:5]].tolist()}) / period {self.periods[p]}: {len(off)} units "
                    "with values are outside that period's tree and are not rolled up"
                )
            # unit-major copies: gathering whole rows and reducing along axis 0 is several
            # times faster than the same on the (term, unit) layout the queries prefer
            leaf_s_t = np.ascontiguousarray(self._leaf_s[p].T)
            leaf_n_t = np.ascontiguousarray(self._leaf_n[p].T)
            for mode in MODES:
                clo = self._closure(mode, p)
                if not len(clo.anc_ids):
                    continue
                for src, dst in ((leaf_s_t, self._agg_s[mode]), (leaf_n_t, self._agg_n[mode])):
                    gathered = src[clo.unit_by_anc]  # (closure rows, terms): contiguous rows
                    if not clo.unweighted:
                        gathered *= clo.weight_by_anc[:, None]
                    dst[p][:, clo.anc_ids] = np.add.reduceat(gathered, clo.anc_starts, axis=0).T

    # ------------------------------------------------------------------ incremental
    def update_unit(self, unit_id: int, period: Any, values: Any) -> float:
        """A unit's submission: `values` are now *all* its values for `period`
        ((element, combo, value) rows or columns). Only its ancestors change. Returns seconds."""
        t0 = time.perf_counter()
        self._require_built()
        u = self._unit_pos(unit_id)
        p = self._period_pos(period, create=True)
        new_s = np.zeros(len(self.terms))
        new_n = np.zeros(len(self.terms))
        for element, combo, value in _triples(values):
            if value is None or value != value:  # None or NaN: not reported
                continue
            for t in self._terms_of(element, int(combo)):
                new_s[t] += value
                new_n[t] += 1
        d_s = new_s - self._leaf_s[p, :, u]
        d_n = new_n - self._leaf_n[p, :, u]
        self._leaf_s[p, :, u] = new_s
        self._leaf_n[p, :, u] = new_n
        self._propagate(u, p, d_s, d_n)
        return time.perf_counter() - t0

    def apply_deltas(self, deltas: Any) -> None:
        """Bulk corrections: (element, combo, unit_id, period, delta) rows added to values."""
        self._require_built()
        groups: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        cols = _columns_from_rows(deltas, ("element", "combo", "unit_id", "period", "delta"))
        for element, combo, unit_id, period, delta in zip(*cols.values(), strict=True):
            if delta is None or delta != delta:
                continue
            key = (self._unit_pos(unit_id), self._period_pos(period, create=True))
            d_s, _ = groups.setdefault(key, (np.zeros(len(self.terms)), np.zeros(len(self.terms))))
            for t in self._terms_of(element, int(combo)):
                d_s[t] += float(delta)
        for (u, p), (d_s, d_n) in groups.items():
            self._leaf_s[p, :, u] += d_s
            # a delta changes sums, not which values exist: presence counts stay as they are
            self._propagate(u, p, d_s, d_n)

    def _propagate(self, u: int, p: int, d_s: np.ndarray, d_n: np.ndarray) -> None:
        for mode in MODES:
            clo = self._closure(mode, p)
            rows = clo.rows_of(u)
            anc, w = clo.ancestor[rows], clo.weight[rows]
            self._agg_s[mode][p][:, anc] += d_s[:, None] * w[None, :]
            self._agg_n[mode][p][:, anc] += d_n[:, None] * w[None, :]

    def _unit_pos(self, unit_id: int) -> int:
        i = int(np.searchsorted(self.index, int(unit_id)))
        if i >= len(self.index) or self.index[i] != int(unit_id):
            raise EngineError(
                f"Đơn vị {unit_id} không có trong cây: gọi set_tree() trước "
                f"/ unit {unit_id} is not in the tree: call set_tree() first"
            )
        return i

    def _period_pos(self, period: Any, create: bool = False) -> int:
        p = self._p_pos.get(period)
        if p is not None:
            return p
        if not create:
            raise EngineError(f"Chưa có số liệu kỳ {period} / no data for period {period}")
        # a new period (the first submission of a round): grow the arrays by one period;
        # periods stay sorted by date, so the old ones keep their relative order
        self._setup_periods([*self.periods, period])
        new_p = self._p_pos[period]
        shape = self._leaf_s.shape

        def grow(a: np.ndarray) -> np.ndarray:
            return np.insert(a, new_p, np.zeros(shape[1:]), axis=0)

        self._leaf_s, self._leaf_n = grow(self._leaf_s), grow(self._leaf_n)
        for m in MODES:
            self._agg_s[m], self._agg_n[m] = grow(self._agg_s[m]), grow(self._agg_n[m])
        day = self._p_day[new_p]
        if day not in self._closures:
            self._closures[day] = closure_on(self._edges, self.index, day)
        return new_p

    def _require_built(self) -> None:
        if not self._built:
            raise EngineError("Chưa build() / call build() first")

    # ------------------------------------------------------------------ queries
    def _compute(self, u_idx: np.ndarray | None, p: int, mode: str, ind: np.ndarray):
        """num, den, presence and value for indicators `ind` at units `u_idx` (None: all)."""
        s = self._agg_s[mode][p]  # (terms, units)
        n = self._agg_n[mode][p]
        if u_idx is not None:
            s, n = s[:, u_idx], n[:, u_idx]
        num = self._w_num[:, ind].T @ s  # (indicators, units)
        den = self._w_den[:, ind].T @ s
        has_num = (self._p_num[:, ind].T @ n) > 0
        has_den = (self._p_den[:, ind].T @ n) > 0
        is_rate = self._has_den[ind][:, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            val = np.where(is_rate, num / den, num) * self._factor[ind][:, None]
        ok = has_num & np.where(is_rate, has_den & (den != 0), True)
        return num, den, has_num, has_den, val, ok

    def indicator_values(
        self,
        unit_ids: int | Iterable[int],
        period: Any,
        mode: str = MODE_AS_OF,
        indicators: Iterable[str] | None = None,
    ) -> list[IndicatorValue]:
        """Value, numerator and denominator of indicators for units in one period."""
        self._require_built()
        ids = (
            [int(unit_ids)]
            if isinstance(unit_ids, int | np.integer)
            else [int(x) for x in unit_ids]
        )
        u_idx = np.array([self._unit_pos(x) for x in ids], dtype=np.int64)
        p = self._period_pos(period)
        self._closure(mode, p)  # validates the mode
        ind = self._indicator_idx(indicators)
        num, den, has_num, has_den, val, ok = self._compute(u_idx, p, mode, ind)
        out = []
        for j, uid in enumerate(ids):
            for k, i in enumerate(ind):
                rate = bool(self._has_den[i])
                out.append(
                    IndicatorValue(
                        uid,
                        period,
                        self.indicators[i].code,
                        float(val[k, j]) if ok[k, j] else None,
                        float(num[k, j]) if has_num[k, j] else None,
                        (float(den[k, j]) if has_den[k, j] else None) if rate else None,
                        mode,
                    )
                )
        return out

    def _indicator_idx(self, indicators: Iterable[str] | None) -> np.ndarray:
        if indicators is None:
            return np.arange(len(self.indicators))
        codes = [indicators] if isinstance(indicators, str) else list(indicators)
        unknown = [c for c in codes if c not in self._ind_pos]
        if unknown:
            raise EngineError(f"Chỉ số không tồn tại {unknown} / unknown indicators {unknown}")
        return np.array([self._ind_pos[c] for c in codes], dtype=np.int64)

    def children(self, unit_id: int, period: Any, mode: str = MODE_AS_OF) -> list[int]:
        """Direct children of a unit in the tree of that period (or today's tree)."""
        self._require_built()
        clo = self._closure(mode, self._period_pos(period))
        return self.index[clo.children(self._unit_pos(unit_id))].tolist()

    def children_values(
        self,
        unit_id: int,
        period: Any,
        indicator: str,
        mode: str = MODE_AS_OF,
        higher_is_better: bool = True,
    ) -> list[IndicatorValue]:
        """Children that have a value for the indicator, ranked (1 = best), best first."""
        rows = [
            r
            for r in self.indicator_values(
                self.children(unit_id, period, mode), period, mode, [indicator]
            )
            if r.value is not None
        ]
        ranks = targets.rank_values({r.unit_id: r.value for r in rows}, higher_is_better)
        ranked = [_with_rank(r, ranks[r.unit_id]) for r in rows]
        return sorted(ranked, key=lambda r: (r.rank, r.unit_id))

    def trend(
        self,
        unit_id: int,
        indicator: str,
        mode: str = MODE_AS_OF,
        periods: Iterable[Any] | None = None,
    ) -> list[IndicatorValue]:
        """One indicator for one unit across periods, oldest first."""
        self._require_built()
        keys = self.periods if periods is None else sorted(periods, key=self._period_pos)
        return [self.indicator_values(unit_id, k, mode, [indicator])[0] for k in keys]

    def export(self, mode: str, period: Any | None = None) -> dict[str, np.ndarray]:
        """Every indicator at every unit with data, as columns (for persisting or comparing)."""
        self._require_built()
        cols: dict[str, list[np.ndarray]] = {
            k: [] for k in ("unit_id", "period", "indicator", "numerator", "denominator", "value")
        }
        ind = np.arange(len(self.indicators))
        codes = np.array([i.code for i in self.indicators], dtype=object)
        ps = range(len(self.periods)) if period is None else [self._period_pos(period)]
        for p in ps:
            u_idx = np.nonzero(self._agg_n[mode][p].any(axis=0))[0]
            num, den, has_num, has_den, val, ok = self._compute(u_idx, p, mode, ind)
            k, j = np.nonzero(has_num | has_den)
            cols["unit_id"].append(self.index[u_idx[j]])
            cols["period"].append(np.array([self.periods[p]] * len(j), dtype=object))
            cols["indicator"].append(codes[k])
            cols["numerator"].append(np.where(has_num[k, j], num[k, j], np.nan))
            cols["denominator"].append(np.where(has_den[k, j], den[k, j], np.nan))
            cols["value"].append(np.where(ok[k, j], val[k, j], np.nan))
        return {k: (np.concatenate(v) if v else np.zeros(0)) for k, v in cols.items()}

    def indicator_matrix(self, period: Any, mode: str) -> dict[str, np.ndarray]:
        """Every indicator at every unit for one period as dense arrays (indicators x units):
        the bulk form for persisting a snapshot; value is NaN where there is no value."""
        self._require_built()
        p = self._period_pos(period)
        self._closure(mode, p)
        ind = np.arange(len(self.indicators))
        num, den, has_num, has_den, val, ok = self._compute(None, p, mode, ind)
        return {
            "unit_id": self.index,
            "indicator": np.array([i.code for i in self.indicators], dtype=object),
            "numerator": np.where(has_num, num, np.nan),
            "denominator": np.where(has_den & self._has_den[:, None], den, np.nan),
            "value": np.where(ok, val, np.nan),
        }

    def term_state(self) -> dict[str, np.ndarray]:
        """The raw rolled-up term sums (copies), for equality checks between two engines."""
        self._require_built()
        out = {"leaf_s": self._leaf_s.copy(), "leaf_n": self._leaf_n.copy()}
        for m in MODES:
            out[f"{m}_s"], out[f"{m}_n"] = self._agg_s[m].copy(), self._agg_n[m].copy()
        return out

    def close(self) -> None:
        self._con.close()


def _plain(x: Any) -> Any:
    return x.item() if isinstance(x, np.generic) else x


def _with_rank(r: IndicatorValue, rank: int | None) -> IndicatorValue:
    return IndicatorValue(
        r.unit_id, r.period, r.indicator, r.value, r.numerator, r.denominator, r.mode, rank
    )


def _columns_from_rows(data: Any, names: Sequence[str] | None = None) -> dict[str, list]:
    """Rows (tuples or dicts) or a mapping of columns -> dict of Python lists."""
    if isinstance(data, Mapping):
        cols = {k: list(v) for k, v in data.items()}
        if names:
            cols = {n: cols[n] for n in names}
        return cols
    if hasattr(data, "columns"):
        wanted = names or list(data.columns)
        return {n: data[n].tolist() for n in wanted}
    rows = list(data)
    if not rows:
        return {n: [] for n in (names or ())}
    if isinstance(rows[0], Mapping):
        keys = names or list(rows[0])
        return {k: [r[k] for r in rows] for k in keys}
    keys = names or ("element", "combo", "unit_id", "period", "value")[: len(rows[0])]
    return {k: [r[i] for r in rows] for i, k in enumerate(keys)}


def _triples(values: Any) -> Iterable[tuple[Any, int, float]]:
    if isinstance(values, Mapping) or hasattr(values, "columns"):
        cols = _columns_from_rows(values)
        el = cols.get("element") or cols.get("element_code") or cols.get("element_id")
        if el is None:
            raise EngineError("Thiếu cột element / missing column element")
        combo = cols.get("combo") or [0] * len(el)
        return zip(el, combo, cols["value"], strict=True)
    out = []
    for row in values:
        if isinstance(row, Mapping):
            el = row.get("element", row.get("element_code", row.get("element_id")))
            out.append((el, row.get("combo", 0), row["value"]))
        else:
            out.append(tuple(row))
    return out


__all__ = [
    "MODES",
    "MODE_AS_OF",
    "MODE_CURRENT",
    "BuildStats",
    "EngineError",
    "Indicator",
    "IndicatorValue",
    "RollupEngine",
    "TreeError",
    "default_period_day",
]
