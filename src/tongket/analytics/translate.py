"""Catalog indicators (core.expr semantics) translated into the roll-up engine's linear terms.

Plain Python, no Django import, so the translation is tested on its own.

The catalog's language (`tongket.core.expr`) and the engine's (`engine/expr.py`) differ:

* core: `pupils[grade=1|2;level=TH]@-4` selects the values whose combo has *exactly* the named
  dimensions, each with one of the listed options, four school years back; no filter is the
  total row (combo ''); `*` and `/` by constants are allowed.
* engine: `element[cat=opt, ...]` selects every combo that *contains* the pairs; terms are
  linear; combos are integer ids described by a (combo, category, option) catalog.

Rather than weaken either language, every distinct core filter becomes one pseudo-category
`fN` of the engine catalog: a combo id carries `fN=y` exactly when core.expr would select it
for filter N. The exact-dimension rule and the alternatives are thereby decided here, once, by
core.expr itself (`pupils[level=TH]` never picks up `grade=1;level=TH`), and the engine only
looks the answer up. Because exact matching names every dimension of a selected combo, the
combos any indicator can read are finite and known from the indicators alone: values in other
combos are never needed and are not even read from the database.

A period offset becomes a virtual element: `pupils@-4` in period t holds `pupils` of period
t-4 (same unit), so the cohort base of a completion rate rolls up with the tree of year t,
next to its numerator.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product
from typing import cast

from tongket.analytics.engine import Indicator
from tongket.core import definitions
from tongket.core import expr as cx

# The engine's pseudo-category option: any NAME token works; "y" reads as "selected".
_YES = "y"


class TranslationError(ValueError):
    """An indicator the engine cannot roll up (non-linear, or a bare constant)."""


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name_vi: str
    name_en: str
    unit: str  # percent, ratio, count
    direction: str  # up, down, none
    factor: float
    numerator: str
    denominator: str | None
    source: str = ""
    decimals: int = 1  # shown with, on every surface (core.definitions)

    @property
    def higher_is_better(self) -> bool:
        return self.direction != "down"

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)


@dataclass
class Compiled:
    """What the engine needs, plus what the feeder needs to select and shift values."""

    indicators: list[Indicator]
    info: dict[str, IndicatorInfo]
    combo_ids: dict[str, int]  # combo text -> engine combo id (only combos some filter selects)
    combos: list[tuple[int, str, str]]  # engine catalog rows (combo id, pseudo-category, 'y')
    # element -> offset (0, -4, ...) -> combo texts read at that offset
    reads: dict[str, dict[int, set[str]]] = field(default_factory=dict)

    @property
    def elements(self) -> set[str]:
        return set(self.reads)

    @property
    def offsets(self) -> set[int]:
        return {o for by_off in self.reads.values() for o in by_off if o}

    @property
    def all_combos(self) -> set[str]:
        return set(self.combo_ids)

    def virtual(self, element: str, offset: int) -> str:
        return element if offset == 0 else f"{element}@{offset}"


def linear_refs(expression: cx.Expression) -> dict[cx.Ref, float]:
    """The expression as sum(coefficient * reference); refuse anything that is not linear.

    A roll-up adds the children's numerators and denominators, which is exact only for sums
    of references times constants: a product of two references, a division by one or a bare
    constant would give wrong provincial figures silently, so they are refused here.
    """
    refs = expression.refs

    def walk(node: ast.AST) -> tuple[dict[cx.Ref, float], float]:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant):
            return {}, float(cast(float, node.value))  # cx.parse admits numbers only
        if isinstance(node, ast.Name):
            return {refs[int(node.id[2:])]: 1.0}, 0.0
        if isinstance(node, ast.UnaryOp):
            terms, const = walk(node.operand)
            if isinstance(node.op, ast.USub):
                return {k: -v for k, v in terms.items()}, -const
            return terms, const
        if isinstance(node, ast.BinOp):
            (lt, lc), (rt, rc) = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Add | ast.Sub):
                sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
                out = dict(lt)
                for k, v in rt.items():
                    out[k] = out.get(k, 0.0) + sign * v
                return out, lc + sign * rc
            if isinstance(node.op, ast.Mult):
                if lt and rt:
                    raise TranslationError(
                        f"'{expression.source}': không nhân hai số liệu với nhau được "
                        "(tổng hợp theo cây cần biểu thức tuyến tính)"
                    )
                scale, terms, const = (lc, rt, rc) if not lt else (rc, lt, lc)
                return {k: v * scale for k, v in terms.items()}, const * scale
            if isinstance(node.op, ast.Div):
                if rt or rc == 0:
                    raise TranslationError(
                        f"'{expression.source}': chỉ chia cho hằng số khác 0; tỷ lệ là "
                        "tử số / mẫu số của chỉ số"
                    )
                return {k: v / rc for k, v in lt.items()}, lc / rc
        raise TranslationError(f"'{expression.source}': biểu thức không hợp lệ")

    terms, const = walk(expression._tree)
    if const:
        raise TranslationError(
            f"'{expression.source}': hằng số đứng riêng không cộng dồn theo cây được"
        )
    terms = {k: v for k, v in terms.items() if v}
    if not terms:
        raise TranslationError(f"'{expression.source}': các số hạng triệt tiêu nhau")
    return terms


def filter_combos(filters: tuple[tuple[str, tuple[str, ...]], ...]) -> set[str]:
    """Every combo text core.expr selects for a filter: exactly its dimensions, one listed
    option each (the product of the alternatives); no filter is the total row ''."""
    if not filters:
        return {""}
    dims = [d for d, _ in filters]
    return {
        cx.combo_key(dict(zip(dims, choice, strict=True)))
        for choice in product(*[opts for _, opts in filters])
    }


def _coef(c: float) -> str:
    text = f"{abs(c):.12f}".rstrip("0").rstrip(".")
    return text or "0"


def compile_indicators(rows: Iterable[Mapping]) -> Compiled:
    """rows: dicts with code, name_vi, numerator, denominator, factor, unit, direction."""
    filter_ids: dict[tuple, int] = {}
    combo_filters: dict[str, set[int]] = {}
    reads: dict[str, dict[int, set[str]]] = {}
    engine_inds: list[Indicator] = []
    info: dict[str, IndicatorInfo] = {}

    def side(text: str) -> str:
        parts = []
        for ref, coef in sorted(linear_refs(cx.parse(text)).items(), key=lambda kv: str(kv[0])):
            fid = filter_ids.setdefault(ref.filters, len(filter_ids))
            combos = filter_combos(ref.filters)
            for c in combos:
                combo_filters.setdefault(c, set()).add(fid)
            reads.setdefault(ref.element, {}).setdefault(ref.offset, set()).update(combos)
            virtual = ref.element if ref.offset == 0 else f"{ref.element}@{ref.offset}"
            sign = "-" if coef < 0 else "+"
            mag = abs(coef)
            body = f'"{virtual}"[f{fid}={_YES}]'
            parts.append(f"{sign} {body}" if mag == 1 else f"{sign} {_coef(mag)} * {body}")
        return " ".join(parts)

    for row in rows:
        code = str(row["code"])
        try:
            num = side(row["numerator"])
            den = side(row["denominator"]) if row.get("denominator") else None
        except cx.ExpressionError as exc:
            raise TranslationError(f"Chỉ số {code}: {exc}") from exc
        except TranslationError as exc:
            raise TranslationError(f"Chỉ số {code}: {exc}") from exc
        factor = float(row.get("factor") or 1.0)
        engine_inds.append(Indicator(code, num, den, factor))
        info[code] = IndicatorInfo(
            code=code,
            name_vi=str(row.get("name_vi") or code),
            name_en=str(row.get("name_en") or ""),
            unit=str(row.get("unit") or ("percent" if den else "count")),
            direction=str(row.get("direction") or "up"),
            factor=factor,
            numerator=str(row["numerator"]),
            denominator=row.get("denominator") or None,
            source=str(row.get("source") or ""),
            decimals=(
                int(row["decimals"])
                if row.get("decimals") is not None
                else definitions.decimals_of(
                    str(row.get("unit") or ("percent" if den else "count"))
                )
            ),
        )
    combo_ids = {c: i + 1 for i, c in enumerate(sorted(combo_filters))}
    catalog = [
        (combo_ids[c], f"f{fid}", _YES) for c, fids in combo_filters.items() for fid in sorted(fids)
    ]
    return Compiled(engine_inds, info, combo_ids, sorted(catalog), reads)


@dataclass
class ValueRows:
    """Columns in the engine's data contract, growing as rows are added."""

    element_code: list[str] = field(default_factory=list)
    combo: list[int] = field(default_factory=list)
    unit_id: list[int] = field(default_factory=list)
    period: list[str] = field(default_factory=list)
    value: list[float] = field(default_factory=list)

    def add(self, element: str, combo: int, unit_id: int, period: str, value: float) -> None:
        self.element_code.append(element)
        self.combo.append(combo)
        self.unit_id.append(unit_id)
        self.period.append(period)
        self.value.append(value)

    def __len__(self) -> int:
        return len(self.value)

    def columns(self) -> dict[str, list]:
        return {
            "element_code": self.element_code,
            "combo": self.combo,
            "unit_id": self.unit_id,
            "period": self.period,
            "value": self.value,
        }


def engine_rows(
    compiled: Compiled,
    values: Iterable[tuple[str, str, int, str, float]],
    shift: Callable[[str, int], str | None],
    periods: set[str],
) -> ValueRows:
    """(element, combo, unit, period, value) from the database -> engine rows.

    A value feeds its element in its own period, and every offset reference in the period it
    serves: `pupils@-4` of period t is `pupils` of t-4, so a value of t-4 is emitted at
    shift(t-4, +4) when that period is one the engine holds (`periods`).
    """
    out = ValueRows()
    reads = compiled.reads
    ids = compiled.combo_ids
    for element, combo, unit_id, period, value in values:
        by_off = reads.get(element)
        if not by_off or value is None:
            continue
        cid = ids.get(combo)
        if cid is None:
            continue
        for offset, combos in by_off.items():
            if combo not in combos:
                continue
            if offset == 0:
                out.add(element, cid, unit_id, period, float(value))
                continue
            target = shift(period, -offset)
            if target is not None and target in periods:
                out.add(f"{element}@{offset}", cid, unit_id, target, float(value))
    return out


def unit_triples(
    compiled: Compiled,
    own: Iterable[tuple[str, str, float]],
    earlier: Mapping[int, Iterable[tuple[str, str, float]]],
) -> list[tuple[str, int, float]]:
    """All engine (element, combo id, value) of one unit in one period, for update_unit():
    its own values, plus for each offset o the values of period t+o as element@o."""
    out: list[tuple[str, int, float]] = []
    ids, reads = compiled.combo_ids, compiled.reads
    for element, combo, value in own:
        if combo in reads.get(element, {}).get(0, ()):
            out.append((element, ids[combo], float(value)))
    for offset, rows in earlier.items():
        for element, combo, value in rows:
            if combo in reads.get(element, {}).get(offset, ()):
                out.append((f"{element}@{offset}", ids[combo], float(value)))
    return out
