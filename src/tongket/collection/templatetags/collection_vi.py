"""Codes of the collection workflow shown in Vietnamese (levels, round events, combos)."""

from __future__ import annotations

from django import template

from tongket.catalog.labels import combo_label
from tongket.collection.models import LEVEL_LABELS, ROUND_ACTION_LABELS

register = template.Library()


@register.filter
def level_vi(code: str) -> str:
    return LEVEL_LABELS.get(code or "", code or "")


@register.filter
def approval_path(levels) -> str:
    """["commune", "province"] → "UBND xã/phường → Sở GD&ĐT"."""
    return " → ".join(level_vi(x) for x in levels or [])


@register.filter
def round_action_vi(code: str) -> str:
    return ROUND_ACTION_LABELS.get(code or "", code or "")


@register.filter
def combo_vi(combo: str) -> str:
    return combo_label(combo or "")
