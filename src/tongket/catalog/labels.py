"""Combos in people's words: "grade=3;level=TH" → "Lớp 3, Tiểu học", from the pack's dimensions.

Messages and pages name a cell's disaggregation this way; the codes stay in files and the API.
"""

from __future__ import annotations

from functools import lru_cache

from tongket.catalog.models import Dimension


@lru_cache(maxsize=1)
def _dimensions(_stamp: int) -> dict[str, tuple[str, dict[str, str]]]:
    return {d.code: (d.name_vi, dict(d.options or {})) for d in Dimension.objects.all()}


def dimensions() -> dict[str, tuple[str, dict[str, str]]]:
    # the count changes when a pack adds a dimension; options rarely change within a process
    return _dimensions(Dimension.objects.count())


def combo_label(combo: str) -> str:
    """Each part as its option's label ("Lớp 3"), or "dimension: value" when the option has none."""
    if not combo:
        return "tổng số"
    dims = dimensions()
    parts = []
    for part in combo.split(";"):
        code, _, value = part.partition("=")
        name, options = dims.get(code, (code, {}))
        parts.append(options.get(value) or f"{name.lower()}: {value}")
    return ", ".join(parts)
