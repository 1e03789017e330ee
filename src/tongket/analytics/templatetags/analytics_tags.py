"""Template filters for the analytics pages: Vietnamese numbers, dictionary lookups."""

from django import template

from tongket.core.vntext import format_number

register = template.Library()


@register.filter
def vn_number(value, decimals=0):
    """159493 -> '159.493'; None -> '–'."""
    if value is None or value == "":
        return "–"
    return format_number(value, int(decimals))


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None
