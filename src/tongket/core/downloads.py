"""The one way a page hands out a file: an attachment whose name survives the trip.

Setting Content-Disposition by hand with a Vietnamese name makes Django encode the whole
header as RFC 2047 (=?utf-8?b?…?=), which browsers do not read for file names, so every file
arrived as "download.xlsx". RFC 6266 says how: an ASCII `filename=` fallback for old clients and
`filename*=UTF-8''…` with the real name; Django's content_disposition_header writes both.
"""

from __future__ import annotations

import unicodedata

from django.http import HttpResponse
from django.utils.http import content_disposition_header


def ascii_fallback(name: str) -> str:
    """ "Biểu mẫu Đ1.xlsx" → "Bieu mau D1.xlsx": what a client without RFC 6266 shows."""
    base = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    text = "".join(c for c in base if not unicodedata.combining(c))
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    text = " ".join(text.encode("ascii", "ignore").decode("ascii").split())
    cleaned = "".join(c if c.isprintable() and c not in '"\\' else "_" for c in text)
    return cleaned.strip() or "tep"


def disposition(filename: str) -> str:
    """The Content-Disposition value for an attachment called `filename` (NFC)."""
    name = unicodedata.normalize("NFC", filename)
    header = content_disposition_header(True, name) or "attachment"
    if name.isascii():  # filename="…" alone is exact (Django escapes quotes)
        return header
    fallback = ascii_fallback(name)
    # Django writes only filename*= for a non-ASCII name; add the ASCII fallback (RFC 6266 §4.3)
    return f'attachment; filename="{fallback}"; ' + header.removeprefix("attachment; ")


def attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    """An HttpResponse that downloads `data` as `filename`."""
    resp = HttpResponse(data, content_type=content_type)
    resp["Content-Disposition"] = disposition(filename)
    return resp
