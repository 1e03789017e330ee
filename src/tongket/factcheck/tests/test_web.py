"""The report checker page: highlights, hostile input, unreadable files, the import step."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.factcheck.models import DUPLICATE_IMPORT_MESSAGE, CheckedDocument, HistoricalValue
from tongket.factcheck.tests.test_actions import (
    BUDGET,
    DROPOUT,
    LEGACY_DAY,
    RATE,
    RATE_WITH_FRACTION,
    SAMPLE,
    legacy_school,
    school_user,
)

pytestmark = pytest.mark.django_db


def check(client, **data):
    return client.post("/factcheck/", data)


def upload(client, name: str, content: bytes):
    return client.post("/factcheck/", {"file": SimpleUploadedFile(name, content)})


def docx_bytes(*paragraphs: str) -> bytes:
    import docx

    document = docx.Document()
    for p in paragraphs:
        document.add_paragraph(p)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def document_of(user) -> CheckedDocument:
    return CheckedDocument.objects.filter(owner=user).latest("pk")


# ---------------------------------------------------------------- the page


def test_login_required(client):
    resp = client.get("/factcheck/")
    assert resp.status_code == 302 and "/login/" in resp["Location"]


def test_form_is_vietnamese(client):
    client.force_login(make_user(Role.ADMIN, None))
    page = client.get("/factcheck/").content.decode()
    assert "Kiểm tra số liệu báo cáo" in page and "Dán văn bản" in page
    assert "//cdn" not in page and "https://" not in page


def test_pasted_text_is_shown_with_figures_and_problems_highlighted(client):
    user, _ = school_user()
    client.force_login(user)
    resp = check(client, text=SAMPLE)
    assert resp.status_code == 200
    page = resp.content.decode()
    marks = re.findall(r'<mark class="fact[^"]*"[^>]*>', page.split("fc-doc", 2)[2])
    assert len(marks) == 9  # every figure of the sample
    # Tooltip: value, unit, counted, indicator, bound.
    tip = re.search(r'<mark class="fact" id="f4" title="([^"]*)">0,25%</mark>', page).group(1)
    assert "giá trị: 0,25%" in tip and "đơn vị: tỷ lệ (%)" in tip and "đếm: —" in tip
    assert (
        "chỉ tiêu: Tỷ lệ học sinh bỏ học;" in tip
        and "dropout_rate" not in tip
        and "giới hạn: chính xác" in tip
    )
    tip = re.search(r'id="f1" title="([^"]*)">57/65 trường<', page).group(1)
    assert "đếm: trường" in tip and "phân số: 57/65" in tip
    # Hard (red) and soft (amber) problems, with the message beside the quotes.
    assert '<mark class="fact hard" id="f7"' in page
    assert '<mark class="fact soft" id="f2"' in page
    assert re.search(r'<span class="note hard" id="i\d">\[\d\] Sai số học: Các phần', page)
    assert re.search(r'<span class="note soft" id="i\d">\[\d\] Lưu ý: 87,6% là 57/65', page)
    assert "(lệch 180.000.000)" in page
    # Summary tables and the import form, the period read from the text.
    assert "Vấn đề (2)" in page and "Số liệu (9)" in page
    assert 'name="period" value="2019-2020"' in page
    assert page.count('type="checkbox" name="facts"') == 4
    assert "không nhập: “kinh phí” chưa có chỉ tiêu tương ứng trong danh mục" in page
    # The document is kept for its owner under its own address.
    doc = document_of(user)
    assert doc.name == "Văn bản dán vào" and doc.text.startswith("<b>BÁO CÁO</b>")
    again = client.get(f"/factcheck/tai-lieu/{doc.pk}/")
    assert again.status_code == 200 and "0,25%</mark>" in again.content.decode()


def test_hostile_html_is_escaped_everywhere(client):
    client.force_login(make_user(Role.ADMIN, None))
    text = SAMPLE + '\n"><script>alert(2)</script> Tỷ lệ bỏ học 1,5%<img src=x onerror=alert(3)>'
    page = check(client, text=text).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>BÁO" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(3)&gt;" in page
    # A hostile file name too.
    resp = upload(client, '<img src="n" onerror=alert(4)>.txt', SAMPLE.encode())
    page = resp.content.decode()
    assert resp.status_code == 200 and "<img src=" not in page
    assert "&lt;img src=&quot;n&quot; onerror=alert(4)&gt;.txt" in page


def test_uploaded_docx_and_html_are_read(client):
    client.force_login(make_user(Role.ADMIN, None))
    page = upload(
        client, "bc.docx", docx_bytes("Năm học 2019-2020.", "Tỷ lệ học sinh bỏ học 0,25%.")
    ).content.decode()
    assert "0,25%</mark>" in page and "bc.docx" in page
    html = "<html><body><nav>Có 123 trường</nav><p>Tỷ lệ lớp học 2 buổi/ngày đạt 95,5%.</p>"
    html += "<script>var x = '12 trường';</script>"
    page = upload(client, "tin.html", html.encode()).content.decode()
    assert "95,5%</mark>" in page
    assert "12 trường" not in page and "123 trường" not in page


@pytest.mark.parametrize(
    ("name", "content", "needle"),
    [
        ("bc.docx", b"this is not a zip", "không phải tệp Word (.docx) hợp lệ"),
        ("bc.pdf", b"%PDF-1.4\n garbage \x00\x01", "bc.pdf"),
        ("bc.exe", b"MZ\x90\x00", "không hỗ trợ định dạng &#x27;.exe&#x27;"),
        ("bc", b"no suffix", "không hỗ trợ định dạng"),
        ("trong.txt", b"   \n ", "không có chữ nào"),
        ("rong.txt", b"", "Tệp đã chọn rỗng"),
    ],
)
def test_unreadable_files_get_a_vietnamese_message(client, name, content, needle):
    client.force_login(make_user(Role.ADMIN, None))
    resp = upload(client, name, content)
    page = resp.content.decode()
    assert resp.status_code == 400
    assert needle in page
    assert "tongket-factcheck-" not in page  # no temporary path in the message
    assert not CheckedDocument.objects.exists()


def test_docx_that_is_a_zip_but_not_word(client):
    client.force_login(make_user(Role.ADMIN, None))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "xin chào")
    resp = upload(client, "bc.docx", buf.getvalue())
    assert resp.status_code == 400 and "Không đọc được tệp" in resp.content.decode()


def test_oversized_file_and_zip_bomb_get_a_message(client, settings):
    settings.TONGKET = settings.TONGKET.model_copy(update={"max_upload_mb": 1})
    client.force_login(make_user(Role.ADMIN, None))
    resp = upload(client, "lon.txt", "Tỷ lệ 5%. ".encode() * 100_000)
    assert resp.status_code == 400 and "vượt giới hạn 1 MB" in resp.content.decode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/document.xml", b"\x00" * (8 * 1024 * 1024))
    resp = upload(client, "bom.docx", buf.getvalue())
    assert resp.status_code == 400 and "giải nén ra quá lớn" in resp.content.decode()
    assert not CheckedDocument.objects.exists()


def test_empty_form_gets_a_message(client):
    client.force_login(make_user(Role.ADMIN, None))
    resp = check(client, text="   ")
    assert resp.status_code == 400
    assert "Hãy dán văn bản hoặc chọn một tệp" in resp.content.decode()


# ---------------------------------------------------------------- the import step


def start(client, user) -> CheckedDocument:
    client.force_login(user)
    check(client, text=SAMPLE)
    return document_of(user)


def confirm(client, doc, unit_id, facts, period="2019-2020", **extra):
    data = {"unit": unit_id, "period": period, "facts": facts, "confirm": "1", **extra}
    return client.post(f"/factcheck/tai-lieu/{doc.pk}/nhap/", data)


def test_import_happy_path_lists_values_with_provenance(client):
    user, school = school_user()
    doc = start(client, user)
    page = client.get(f"/factcheck/tai-lieu/{doc.pk}/").content.decode()
    assert f'<option value="{school.unit.pk}" selected>' in page
    resp = confirm(client, doc, school.unit.pk, [RATE, DROPOUT, RATE_WITH_FRACTION])
    assert resp.status_code == 302 and resp["Location"] == "/factcheck/da-nhap/"
    rows = HistoricalValue.objects.filter(unit=school.unit, period="2019-2020")
    assert sorted(rows.values_list("value", flat=True)) == [0.25, 87.6, 87.7]
    assert set(rows.values_list("document_sha256", flat=True)) == {doc.sha256}
    page = client.get("/factcheck/da-nhap/").content.decode()
    assert "Đã nhập 3 số liệu" in page
    assert "Tỷ lệ học sinh bỏ học" in page and "0,25%" in page and "57/65" in page
    hv = rows.get(value=0.25)
    assert f"ký tự {hv.start}–{hv.end}" in page and "Văn bản dán vào" in page
    assert doc.sha256[:12] in page
    # The document page now says where each figure went.
    page = client.get(f"/factcheck/tai-lieu/{doc.pk}/").content.decode()
    assert f"{school.unit.name} · 2019-2020" in page


def test_posted_values_are_ignored_the_server_reads_its_own_text(client):
    user, school = school_user()
    doc = start(client, user)
    confirm(client, doc, school.unit.pk, [DROPOUT], value="99", quote="bịa", start="0")
    hv = HistoricalValue.objects.get()
    assert (hv.value, hv.quote) == (0.25, "0,25%")


def test_import_into_a_unit_outside_scope_is_refused(client):
    user, _ = school_user()
    other = make_school(commune("03151", LEGACY_DAY))
    doc = start(client, user)
    resp = confirm(client, doc, other.unit.pk, [RATE])
    assert resp.status_code == 403
    assert "không có quyền" in resp.content.decode()
    assert not HistoricalValue.objects.exists()


def test_leader_sees_no_import_form_and_cannot_post_one(client):
    school = legacy_school()
    leader = make_user(Role.LEADER, school.unit)
    doc = start(client, leader)
    page = client.get(f"/factcheck/tai-lieu/{doc.pk}/").content.decode()
    assert 'name="facts"' not in page and "chỉ xem" in page
    resp = confirm(client, doc, school.unit.pk, [RATE])
    assert resp.status_code == 403 and not HistoricalValue.objects.exists()


def test_duplicate_import_is_refused_with_a_message(client):
    user, school = school_user()
    doc = start(client, user)
    assert confirm(client, doc, school.unit.pk, [RATE]).status_code == 302
    resp = confirm(client, doc, school.unit.pk, [RATE, DROPOUT])
    assert resp.status_code == 400
    page = resp.content.decode()
    assert DUPLICATE_IMPORT_MESSAGE in page
    assert 'value="3" aria-label="Nhập số liệu 4" checked' in page  # the choice is kept
    assert HistoricalValue.objects.count() == 1


def test_unimportable_fact_and_bad_period_get_messages(client):
    user, school = school_user()
    doc = start(client, user)
    resp = confirm(client, doc, school.unit.pk, [RATE, BUDGET])
    assert (
        resp.status_code == 400
        and "chưa có chỉ tiêu tương ứng trong danh mục" in resp.content.decode()
    )
    resp = confirm(client, doc, school.unit.pk, [RATE], period="2019-2018")
    assert resp.status_code == 400 and "Kỳ báo cáo" in resp.content.decode()
    resp = confirm(client, doc, school.unit.pk, [])
    assert resp.status_code == 400 and "Chưa chọn số liệu" in resp.content.decode()
    assert not HistoricalValue.objects.exists()


def test_refresh_lists_units_for_the_period_and_writes_nothing(client):
    school = legacy_school()
    officer = make_user(Role.COMMUNE, commune("03127", LEGACY_DAY))
    doc = start(client, officer)
    resp = confirm(client, doc, "", [RATE], refresh="1", unit_q=school.unit.name)
    page = resp.content.decode()
    assert resp.status_code == 200 and f'<option value="{school.unit.pk}"' in page
    assert not HistoricalValue.objects.exists()


def test_another_users_document_cannot_be_seen_or_confirmed(client):
    owner, school = school_user()
    doc = start(client, owner)
    thief = make_user(Role.SCHOOL, school.unit)  # same unit, same scope, still not theirs
    client.force_login(thief)
    assert client.get(f"/factcheck/tai-lieu/{doc.pk}/").status_code == 404
    assert confirm(client, doc, school.unit.pk, [RATE]).status_code == 404
    assert not HistoricalValue.objects.exists()


def test_imports_page_shows_only_values_in_scope(client):
    user, school = school_user()
    doc = start(client, user)
    confirm(client, doc, school.unit.pk, [RATE])
    outsider = make_user(Role.SCHOOL, make_school(commune("03151", LEGACY_DAY)).unit)
    client.force_login(outsider)
    page = client.get("/factcheck/da-nhap/").content.decode()
    assert "Chưa có số liệu nào" in page
    client.force_login(make_user(Role.LEADER, commune("03127", LEGACY_DAY)))
    assert "87,7%" in client.get("/factcheck/da-nhap/").content.decode()


def test_a_quantity_stated_twice_is_named_in_vietnamese(client):
    user, _ = school_user()
    client.force_login(user)
    text = (
        "Toàn tỉnh có 412 trường. Công tác quy hoạch được triển khai. Tổng số trường là 398 trường."
    )
    page = check(client, text=text).content.decode()
    assert "Các số liệu không khớp nhau" in page
    assert re.search(r'<span class="note hard" id="i\d">\[\d\] Sai số học: Cùng một tổng số', page)
