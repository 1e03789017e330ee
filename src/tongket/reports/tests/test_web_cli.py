"""The reports page, background jobs, scope, the forms workbook, the PDF and the command."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from openpyxl import load_workbook

from tongket.analytics import service
from tongket.core.models import Role
from tongket.core.testing.factories import make_user
from tongket.reports import actions
from tongket.reports.builder import build_report
from tongket.reports.docgen import ReportKind, pdf, render_docx
from tongket.reports.models import ReportJob
from tongket.units.queries import schools_under

P = "2024-2025"


def _school(province):
    return schools_under(province, dt.date(2024, 9, 30)).order_by("code").first()


def test_province_officer_generates_on_the_web(
    client, province, inline_jobs, django_capture_on_commit_callbacks
):
    client.force_login(make_user(Role.PROVINCE, province))
    page = client.get("/reports/", {"unit": province.pk, "period": P, "kind": "giao-ban"})
    assert page.status_code == 200 and "Lập báo cáo" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post(
            "/reports/generate/", {"unit": province.pk, "period": P, "kind": "giao-ban"}
        )
    assert resp.status_code == 302
    job = ReportJob.objects.get(pk=int(resp["Location"].rstrip("/").split("/")[-1]))
    assert job.status == "done", job.error
    page = client.get(resp["Location"]).content.decode()
    assert "Đã xong" in page and 'http-equiv="refresh"' not in page
    docx = client.get(f"/reports/job/{job.pk}/bao-cao.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    forms = client.get(f"/reports/job/{job.pk}/bieu-thong-ke.xlsx")
    assert forms.status_code == 200
    assert "02.ĐN-TH" in load_workbook(io.BytesIO(forms.content)).sheetnames


def test_pending_job_page_refreshes_itself(client, province):
    user = make_user(Role.PROVINCE, province)
    job = ReportJob.objects.create(unit=province, period=P, kind="tong-ket", user=user)
    client.force_login(user)
    page = client.get(f"/reports/job/{job.pk}/").content.decode()
    # htmx polls the status card; without JavaScript the page reloads itself
    assert 'hx-trigger="every 1s"' in page and "Đang chờ" in page
    assert '<noscript><meta http-equiv="refresh" content="1"></noscript>' in page
    card = client.get(f"/reports/job/{job.pk}/", headers={"HX-Request": "true"})
    text = card.content.decode()
    assert text.startswith('<div class="card" id="job"') and "<html" not in text
    assert "HX-Request" in card["Vary"]
    job.status = ReportJob.Status.FAILED
    job.error = "LibreOffice không chạy"
    job.save()
    done = client.get(f"/reports/job/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in done and "LibreOffice không chạy" in done  # polling stops


def test_draft_edited_on_the_web(client, province):
    client.force_login(make_user(Role.PROVINCE, province))
    q = {"unit": province.pk, "period": P, "kind": "tong-ket", "mode": "as_of"}
    assert client.get("/reports/draft/", q).status_code == 200
    resp = client.post(
        "/reports/draft/", {**q, "intro": "Mở đầu do chuyên viên viết.", "sign_name": "Lò Văn A"}
    )
    assert resp.status_code == 302
    draft = actions.get_draft(province, P, "tong-ket")
    assert draft.intro == "Mở đầu do chuyên viên viết." and draft.sign_name == "Lò Văn A"


def test_scope_school_user_cannot_generate_the_province_report(
    client, province, inline_jobs, django_capture_on_commit_callbacks
):
    school = _school(province)
    user = make_user(Role.SCHOOL, school)
    with pytest.raises(PermissionDenied):
        actions.start_job(user, province, P, "tong-ket")
    client.force_login(user)
    assert client.get("/reports/", {"unit": province.pk, "period": P}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/reports/generate/", {"unit": province.pk, "period": P})
    assert resp.status_code == 403
    assert not ReportJob.objects.filter(unit=province).exists()
    # a job of someone else's province report cannot be downloaded either
    other = ReportJob.objects.create(unit=province, period=P, kind="tong-ket", status="done")
    assert client.get(f"/reports/job/{other.pk}/").status_code == 403
    assert client.get(f"/reports/job/{other.pk}/bao-cao.docx").status_code == 403
    # their own school: allowed
    job = actions.start_job(user, school, P, "giao-ban", want_pdf=False)
    assert job.unit == school


def test_leader_generates_but_does_not_edit_drafts(province):
    leader = make_user(Role.LEADER, province)
    assert actions.start_job(leader, province, P, "giao-ban", want_pdf=False).pk
    with pytest.raises(PermissionDenied):
        actions.save_draft(leader, province, P, "tong-ket", {"intro": "x"})


def test_forms_workbook_sums_the_schools(province, tmp_path):
    out = tmp_path / "forms.xlsx"
    call_command("report", "forms", "--unit", "11", "--period", P, "-o", str(out))
    wb = load_workbook(out)
    assert {"01.ĐN-MN", "02.ĐN-TH", "03.ĐN-THCS", "04.ĐN-THPT", "02.CN-TH"} <= set(wb.sheetnames)
    ws = wb["02.ĐN-TH"]
    headers = [c.value for c in ws[8]]
    assert headers[2:5] == ["Tổng số", "Công lập", "Tư thục"]
    row = next(r for r in ws.iter_rows(min_row=6) if r[1].value == "Tổng số học sinh")
    pupils = service.get().value(province.pk, P, "qc_pupils_th").value
    assert row[2].value == pupils and row[3].value == pupils and row[4].value == 0


def test_cli_review_writes_docx_and_xlsx(province, tmp_path):
    out, annex = tmp_path / "bc.docx", tmp_path / "pl.xlsx"
    call_command(
        "report", "review", "--unit", "11", "--period", P, "--kind", "so-ket",
        "--today-tree", "-o", str(out), "--xlsx", str(annex), "--no-charts",
    )  # fmt: skip
    assert out.read_bytes()[:2] == b"PK" and "Chỉ tiêu" in load_workbook(annex).sheetnames


@pytest.mark.skipif(pdf.soffice_path() is None, reason="LibreOffice (soffice) not installed")
def test_pdf_pages_header_and_no_overflow(province, tmp_path):
    built = build_report(province, P, ReportKind.TONG_KET, charts=False)
    data = pdf.docx_to_pdf(render_docx(built.report).data, tmp_path / "r.pdf")
    assert pdf.pdf_page_count(data) > 1
    if pdf.pdftoppm_path() is None:
        pytest.skip("pdftoppm not installed")
    pages = pdf.pdf_to_pngs(tmp_path / "r.pdf", tmp_path / "png", dpi=30, first=1, last=3)
    from PIL import Image

    widths = {Image.open(p).size[0] for p in pages}
    # A4 portrait (or a landscape annex) at 30 dpi: 210 mm = 248 px, 297 mm = 351 px
    assert all(min(abs(w - 248), abs(w - 351)) <= 2 for w in widths), widths
    exe = subprocess.run(["which", "pdftotext"], capture_output=True, text=True).stdout.strip()
    if not exe:
        pytest.skip("pdftotext not installed")
    text = subprocess.run(
        [exe, "-l", "1", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    ).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text
    # no word runs past the right edge of its page (2 mm of slack)
    html = subprocess.run(
        [exe, "-bbox", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True
    ).stdout
    slack = 2 / 25.4 * 72
    for page in re.finditer(r'<page width="([\d.]+)" height="[\d.]+">(.*?)</page>', html, re.S):
        width = float(page.group(1))
        for m in re.finditer(r'xMax="([\d.]+)"', page.group(2)):
            assert float(m.group(1)) <= width - slack, (width, m.group(0))
