"""Figures the Vietnamese way (51,6%; 159.493; +1,1 điểm %), by the indicator's unit.

How many decimals a figure shows is defined once (core.definitions: the indicator's own
`decimals` in the catalog, else its unit's); every function here takes it from there.
"""

from __future__ import annotations

from tongket.core.definitions import decimals_of, rounded
from tongket.core.vntext import format_number, format_percent


def _decimals(unit: str, decimals: int | None) -> int:
    return decimals_of(unit) if decimals is None else decimals


def format_value(value: float | None, unit: str, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    d = _decimals(unit, decimals)
    if unit == "percent":
        return format_percent(value, d)
    return format_number(value, d)


def format_signed(value: float | None, unit: str, decimals: int | None = None) -> str:
    """A gap or a change: '+1,1 điểm %' for percentages (points, not percent of percent)."""
    if value is None:
        return "–"
    shown = rounded(value, _decimals(unit, decimals))  # the sign of what is shown: never "−0,0"
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    body = format_number(abs(shown), _decimals(unit, decimals))
    return f"{sign}{body} điểm %" if unit == "percent" else f"{sign}{body}"


def format_target(
    target: float | tuple[float, float] | None, unit: str, decimals: int | None = None
) -> str:
    if target is None:
        return "–"
    if isinstance(target, tuple):
        lo, hi = target
        suffix = "%" if unit == "percent" else ""
        d = _decimals(unit, decimals)
        return f"{format_number(lo, d)}–{format_number(hi, d)}{suffix}"
    return format_value(target, unit, decimals)


def format_pct_change(value: float | None) -> str:
    if value is None:
        return "–"
    shown = rounded(value, 1)
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    return f"{sign}{format_number(abs(shown), 1)}%"
