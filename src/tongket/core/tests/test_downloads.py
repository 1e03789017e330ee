"""Every download keeps its name: RFC 6266 filename*= (UTF-8) with an ASCII fallback, never the
RFC 2047 "=?utf-8?…" that browsers ignore (they then saved every form as download.xlsx)."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest

from tongket.analytics.tests.helpers import province, put
from tongket.collection.tests.factories import open_th_round
from tongket.core.downloads import ascii_fallback, disposition
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user


def names(header: str) -> tuple[str | None, str | None]:
    """(filename fallback, filename* decoded) as a browser reads them."""
    plain = re.search(r'filename="((?:[^"\\]|\\.)*)"', header)
    star = re.search(r"filename\*=utf-8''([^;]+)", header, re.I)
    return (
        plain.group(1) if plain else None,
        unquote(star.group(1), encoding="utf-8") if star else None,
    )


def assert_well_named(header: str, expect: str | None = None) -> None:
    assert "=?utf-8?" not in header.lower()  # no RFC 2047
    assert header.isascii() and header.startswith("attachment;")
    fallback, real = names(header)
    assert fallback and fallback.isascii()
    if expect is not None:
        assert (real or fallback) == expect


def test_vietnamese_name_has_both_forms():
    header = disposition("Biểu mẫu 02.ĐN-TH – Trường Số 1.xlsx")
    assert names(header) == (
        "Bieu mau 02.DN-TH - Truong So 1.xlsx",
        "Biểu mẫu 02.ĐN-TH – Trường Số 1.xlsx",
    )


def test_ascii_name_is_plain_and_quotes_are_escaped():
    assert disposition("a.xlsx") == 'attachment; filename="a.xlsx"'
    assert names(disposition('a"b.xlsx'))[0] == 'a\\"b.xlsx'
    assert ascii_fallback("ĐĐĐ") == "DDD" and ascii_fallback("序") == "tep"


@pytest.mark.django_db
def test_collection_workbook_download_keeps_its_vietnamese_name(client):
    rnd, school, _, school_user = open_th_round()
    client.force_login(school_user)
    resp = client.get(f"/collection/rounds/{rnd.pk}/units/{school.pk}/excel/")
    assert resp.status_code == 200
    assert_well_named(resp["Content-Disposition"])
    real = names(resp["Content-Disposition"])[1]
    assert real and real.endswith(".xlsx") and not real.isascii()


@pytest.mark.django_db
def test_analytics_exports_are_well_named(client):
    a = make_school(commune("03127")).unit
    put(a, "2025-2026", "pupils", "level=TH", 100)
    client.force_login(make_user(Role.PROVINCE, province()))
    for table in ("plan", "children"):
        resp = client.get(f"/analytics/xuat/{table}.xlsx", {"period": "2025-2026"})
        assert resp.status_code == 200, table
        assert_well_named(resp["Content-Disposition"])


@pytest.mark.django_db
def test_report_files_are_well_named(client):
    from tongket.reports.models import ReportJob

    user = make_user(Role.PROVINCE, province())
    job = ReportJob.objects.create(
        unit=province(), period="2025-2026", kind="tong-ket", status="done", docx=b"PK", user=user
    )
    client.force_login(user)
    resp = client.get(f"/reports/job/{job.pk}/bao-cao.docx")
    assert resp.status_code == 200
    assert_well_named(
        resp["Content-Disposition"], f"tong-ket-2025-2026-{province().code}-bao-cao.docx"
    )
