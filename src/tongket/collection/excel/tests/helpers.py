"""Fixtures built in code: the shipped 02.ĐN-TH form, its template, and filled-in copies."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile
from functools import lru_cache
from pathlib import Path

from openpyxl import load_workbook

from tongket.catalog.packs import Form, check_pack
from tongket.collection.excel import ExpectedMeta, WorkbookMeta, build_workbook

PACK = Path(__file__).resolve().parents[5] / "packs" / "vn" / "catalog"
KEY = b"test-hmac-key"
SHEET = "Biểu 02"


@lru_cache(maxsize=1)
def form() -> Form:
    return check_pack(PACK).forms["02.ĐN-TH"]


def meta(**over) -> WorkbookMeta:
    f = form()
    fields = {
        "form_code": f.code,
        "form_version": f.version,
        "form_name": f.name_vi,
        "round_id": 12,
        "period": "2024-2025",
        "unit_code": "79001",
        "unit_name": "Trường Tiểu học Kim Đồng",
        "due": dt.date(2024, 10, 5),
        "status": "draft",
    }
    fields.update(over)
    return WorkbookMeta(**fields)


def expected(**over) -> ExpectedMeta:
    f = form()
    fields = {
        "form_code": f.code,
        "form_version": f.version,
        "round_id": 12,
        "period": "2024-2025",
        "unit_code": "79001",
    }
    fields.update(over)
    return ExpectedMeta(**fields)


def template(values=None, explanations=None, key: bytes = KEY, **meta_over) -> bytes:
    return build_workbook(
        meta(**meta_over), form().layout, values or {}, explanations, hmac_key=key
    )


def edit(data: bytes, changes: dict[str, object], sheet: str = SHEET, fn=None) -> bytes:
    """Open a workbook as a user would, set cells (e.g. {"F31": 7}), save it."""
    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    for coord, value in changes.items():
        ws[coord] = value
    if fn:
        fn(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def make_zip(members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return out.getvalue()


def patch_member(data: bytes, name: str, *, size: int | None = None, flags: int = 0) -> bytes:
    """Rewrite a member's declared uncompressed size and/or OR its flags, in both headers:
    a zip that lies, as a hostile one would."""
    buf = bytearray(data)
    pos = buf.find(b"PK\x01\x02")
    while pos != -1:
        n_len = struct.unpack_from("<H", buf, pos + 28)[0]
        if buf[pos + 46 : pos + 46 + n_len].decode() == name:
            local = struct.unpack_from("<I", buf, pos + 42)[0]
            if size is not None:
                struct.pack_into("<I", buf, pos + 24, size)
                struct.pack_into("<I", buf, local + 22, size)
            for at in (pos + 8, local + 6):
                struct.pack_into("<H", buf, at, struct.unpack_from("<H", buf, at)[0] | flags)
        pos = buf.find(b"PK\x01\x02", pos + 4)
    return bytes(buf)
