"""Figures the Vietnamese way (51,6%; 159.493; +1,1 điểm %), by the indicator's unit."""

from __future__ import annotations

from tongket.core.vntext import format_number, format_percent

DECIMALS = {"percent": 1, "ratio": 1, "count": 0}


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "percent":
        return format_percent(value, 1)
    return format_number(value, DECIMALS.get(unit, 1))


def format_signed(value: float | None, unit: str) -> str:
    """A gap or a change: '+1,1 điểm %' for percentages (points, not percent of percent)."""
    if value is None:
        return "–"
    d = DECIMALS.get(unit, 1)
    shown = round(value, d)  # the sign of what is shown: never "−0,0"
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    body = format_number(abs(value), d)
    return f"{sign}{body} điểm %" if unit == "percent" else f"{sign}{body}"


def format_target(target: float | tuple[float, float] | None, unit: str) -> str:
    if target is None:
        return "–"
    if isinstance(target, tuple):
        lo, hi = target
        suffix = "%" if unit == "percent" else ""
        d = DECIMALS.get(unit, 1)
        return f"{format_number(lo, d)}–{format_number(hi, d)}{suffix}"
    return format_value(target, unit)


def format_pct_change(value: float | None) -> str:
    if value is None:
        return "–"
    shown = round(value, 1)
    sign = "+" if shown > 0 else "−" if shown < 0 else "±"
    return f"{sign}{format_number(abs(value), 1)}%"
