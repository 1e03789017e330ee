"""Reading numbers from a request: malformed input is a 400 or 404 with a message, never a 500."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import Http404


def object_id(raw: object, what: str = "mục") -> int:
    """An id from the query or form; anything but digits names nothing, so 404."""
    text = str(raw if raw is not None else "").strip()
    if not text.isdigit() or len(text) > 18:
        raise Http404(f"Không có {what} này.")
    return int(text)


def integer(raw: object, label: str, default: int | None = None) -> int:
    """A whole number a form sent (a version, a year); malformed is a 400 naming the field."""
    text = str(raw if raw is not None else "").strip()
    if not text and default is not None:
        return default
    try:
        return int(text)
    except ValueError:
        raise BadRequest(f"“{label}” phải là số nguyên (nhận được “{text[:40]}”).") from None
