"""Template filters of the norms pages (numbers themselves go through analytics' vn_number)."""

from django import template

register = template.Library()


@register.filter
def absolute(value):
    """-198 -> 198, so "thiếu {{ b.balance|absolute|vn_number }}" reads "thiếu 198"."""
    return abs(value) if isinstance(value, int | float) else value
