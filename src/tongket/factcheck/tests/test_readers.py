import unicodedata

import pytest

from tongket.factcheck.readers import (
    ReadError,
    decode_bytes,
    fix_legacy,
    html_to_text,
    read_document,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)

SAMPLE = (
    "Trường Tiểu học Điện Biên: tỷ lệ huy động đạt 99,9%; có 57/65 trường đạt chuẩn quốc gia. "
    "Công tác quản lý giáo dục được tăng cường, chất lượng giáo dục của huyện được nâng lên."
)


def test_tcvn3_table_on_known_words():
    # Bytes as the ABC .VnTime font writes them (ư is 0xAD, ơ 0xAC, đ 0xAE, á 0xB8).
    assert tcvn3_to_unicode("Tr\xadêng") == "Trường"
    assert tcvn3_to_unicode("B\xb8o c\xb8o") == "Báo cáo"
    assert tcvn3_to_unicode("gi\xb8o dôc") == "giáo dục"
    # Capitals typed with the .VnTimeH font reuse the lower-case codes.
    assert tcvn3_to_unicode("B\xb8O C\xb8O") == "BÁO CÁO"


def test_vni_table_on_known_words():
    assert vni_to_unicode("Tröôøng") == "Trường"
    assert vni_to_unicode("Vieät Nam") == "Việt Nam"
    assert vni_to_unicode("Xin chaøo caùc baïn") == "Xin chào các bạn"
    assert vni_to_unicode("ÑAØO TAÏO") == "ĐÀO TẠO"


def test_every_vietnamese_letter_round_trips_through_vni():
    letters = "aáàảãạăắằẳẵặâấầẩẫậeéèẻẽẹêếềểễệiíìỉĩịoóòỏõọôốồổỗộơớờởỡợuúùủũụưứừửữựyýỳỷỹỵđ"
    text = letters + " " + letters.upper()
    assert vni_to_unicode(unicode_to_vni(text).decode("cp1252")) == text


def test_every_lower_case_letter_round_trips_through_tcvn3():
    letters = "áàảãạăắằẳẵặâấầẩẫậéèẻẽẹêếềểễệíìỉĩịóòỏõọôốồổỗộơớờởỡợúùủũụưứừửữựýỳỷỹỵđ ĂÂÊÔƠƯĐ"
    assert tcvn3_to_unicode(unicode_to_tcvn3(letters).decode("latin-1")) == letters


_TONES = "\u0300\u0301\u0303\u0309\u0323"


def _cp1258(text: str) -> bytes:
    """Windows-1258: base letters (ơ, ư, â...) precomposed, tone marks as combining bytes."""
    out = bytearray()
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        tones = "".join(c for c in parts if c in _TONES)
        out += (base + tones).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize("encoding", ["tcvn3", "vni", "cp1258", "utf-8", "utf-16"])
def test_decode_bytes_detects_encoding(encoding):
    if encoding == "tcvn3":
        data = unicode_to_tcvn3(SAMPLE)
    elif encoding == "vni":
        data = unicode_to_vni(SAMPLE)
    elif encoding == "cp1258":
        data = _cp1258(SAMPLE)
    else:
        data = SAMPLE.encode(encoding)
    text, detected = decode_bytes(data)
    assert text == SAMPLE
    assert detected == encoding


def test_legacy_text_inside_a_unicode_file_is_fixed():
    legacy = unicode_to_tcvn3(SAMPLE).decode("latin-1").encode("utf-8")
    assert decode_bytes(legacy) == (SAMPLE, "tcvn3")
    fixed, name = fix_legacy(unicode_to_vni(SAMPLE).decode("cp1252"))
    assert (fixed, name) == (SAMPLE, "vni")
    # Genuine Unicode (even with some Latin-1 symbols) is left alone.
    assert fix_legacy("Nhiệt độ 30° ± 2, giá £5 và ½ số trường") == (
        "Nhiệt độ 30° ± 2, giá £5 và ½ số trường",
        None,
    )


def test_txt_nfd_becomes_nfc(tmp_path):
    p = tmp_path / "r.txt"
    p.write_bytes(unicodedata.normalize("NFD", SAMPLE).encode("utf-8"))
    text = read_document(p)
    assert text == SAMPLE and unicodedata.is_normalized("NFC", text)
    p.write_bytes(b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"))
    assert read_document(p) == SAMPLE


def test_docx_paragraphs_tables_and_legacy_fonts(tmp_path):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    doc.add_paragraph("Toàn ngành có 57/65 trường đạt chuẩn.")
    para = doc.add_paragraph()
    run = para.add_run(unicode_to_tcvn3("Tỷ lệ huy động đạt").decode("latin-1"))
    run.font.name = ".VnTime"
    para.add_run(" 99,9%.")
    vni = doc.add_paragraph().add_run(unicode_to_vni("Kinh phí là").decode("cp1252"))
    vni.font.name = "VNI-Times"
    table = doc.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Tổng số học sinh"
    table.rows[0].cells[1].text = "1.234 học sinh"
    path = tmp_path / "r.docx"
    doc.save(str(path))
    text = read_document(path)
    assert "57/65 trường" in text
    assert "Tỷ lệ huy động đạt 99,9%." in text
    assert "Kinh phí là" in text
    assert "Tổng số học sinh | 1.234 học sinh" in text


def test_html_drops_page_chrome(tmp_path):
    html = """<html><head><meta charset="utf-8"><title>T</title>
    <style>p{color:red}</style><script>var x = "99 trường";</script></head>
    <body><nav><a href="/">Trang chủ</a> 12 trường</nav>
    <header>Sở GD&amp;ĐT</header>
    <div class="main-menu">Giới thiệu 5 xã</div>
    <article><h1>Hội nghị tổng kết</h1><p>Có 38 điểm cầu.<br>Tỷ lệ đạt 98,5%.</p>
    <table><tr><td>Tổng số</td><td>337 trường</td></tr></table></article>
    <div id="sidebar">Thống kê truy cập 1.234 lượt</div>
    <footer>Bản quyền 2022</footer></body></html>"""
    text = html_to_text(html)
    assert "Có 38 điểm cầu." in text and "Tỷ lệ đạt 98,5%." in text
    assert "337 trường" in text
    for chrome in ("99 trường", "Trang chủ", "Sở GD", "5 xã", "1.234", "Bản quyền", "color"):
        assert chrome not in text
    p = tmp_path / "r.html"
    p.write_bytes(html.encode("utf-8"))
    assert read_document(p) == text


def _pdf_with_text(line: str) -> bytes:
    """A one-page PDF whose text layer holds line (Helvetica, so ASCII only)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({line}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_text_layer(tmp_path):
    pytest.importorskip("pypdf")
    p = tmp_path / "r.pdf"
    p.write_bytes(_pdf_with_text("Co 57/65 truong dat chuan, ty le 87,69%"))
    assert "57/65 truong dat chuan, ty le 87,69%" in read_document(p)


def test_pdf_without_text_layer_asks_for_ocr(tmp_path):
    pytest.importorskip("pypdf")
    p = tmp_path / "scan.pdf"
    p.write_bytes(_pdf_with_text(""))
    with pytest.raises(ReadError, match="OCR"):
        read_document(p)


def test_read_errors_are_vietnamese(tmp_path):
    with pytest.raises(ReadError, match="không tìm thấy"):
        read_document(tmp_path / "missing.txt")
    (tmp_path / "x.xlsx").write_bytes(b"PK")
    with pytest.raises(ReadError, match="không hỗ trợ"):
        read_document(tmp_path / "x.xlsx")
    (tmp_path / "bad.docx").write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="không mở được"):
        read_document(tmp_path / "bad.docx")
    (tmp_path / "bad.pdf").write_bytes(b"not a pdf")
    with pytest.raises(ReadError):
        read_document(tmp_path / "bad.pdf")
