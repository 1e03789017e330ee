"""NĐ 30/2020 layout rules, checked on the saved DOCX."""

from __future__ import annotations

import datetime as dt
import zipfile

import docx
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from tongket.reports.docgen.model import SignPrefix
from tongket.reports.docgen.nd30_docx import nd30_date


def _doc(path):
    return docx.Document(str(path))


def test_page_a4_portrait_and_margins(docx_path):
    s = _doc(docx_path).sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(0.5) and abs(s.page_height - Mm(297)) < Mm(0.5)
    assert abs(s.top_margin - Mm(20)) < Mm(0.5)
    assert abs(s.bottom_margin - Mm(20)) < Mm(0.5)
    assert abs(s.left_margin - Mm(30)) < Mm(0.5)
    assert abs(s.right_margin - Mm(15)) < Mm(0.5)


def test_font_times_new_roman_14_with_east_asian(docx_path):
    d = _doc(docx_path)
    normal = d.styles["Normal"]
    assert normal.font.name == "Times New Roman"
    assert normal.font.size == Pt(14)
    rfonts = normal.element.rPr.find(qn("w:rFonts"))
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert rfonts.get(qn(f"w:{attr}")) == "Times New Roman"
    assert rfonts.get(qn("w:asciiTheme")) is None  # a theme font would override the name
    defaults = d.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:eastAsia")) == (
        "Times New Roman"
    )


def test_header_table_texts_and_styles(docx_path, report):
    d = _doc(docx_path)
    header = d.tables[0]
    left = [p for p in header.cell(0, 0).paragraphs if p.text]
    right = [p for p in header.cell(0, 1).paragraphs if p.text]
    assert left[0].text == "UBND TỈNH ĐIỆN BIÊN" and not left[0].runs[0].bold
    assert left[1].text == "SỞ GIÁO DỤC VÀ ĐÀO TẠO" and left[1].runs[0].bold
    assert right[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right[0].runs[0].bold
    assert right[0].runs[0].font.size in (Pt(12), Pt(13))
    motto = right[1].runs[0]
    assert right[1].text == "Độc lập - Tự do - Hạnh phúc" and motto.bold and motto.underline
    assert header.cell(1, 0).paragraphs[0].text == "Số: 125/BC-SGDĐT"
    date = header.cell(1, 1).paragraphs[0]
    assert date.text == "Điện Biên, ngày 18 tháng 7 năm 2025" and date.runs[0].italic
    # the header table has no borders
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    assert all(b.get(qn("w:val")) == "nil" for b in borders)


def test_title_and_summary_bold_centered(docx_path):
    paras = [p for p in _doc(docx_path).paragraphs if p.text]
    title = next(p for p in paras if p.text == "BÁO CÁO")
    summary = paras[paras.index(title) + 1]
    assert summary.text.startswith("Tổng kết năm học 2024-2025")
    for p in (title, summary):
        assert p.runs[0].bold and p.alignment == 1  # CENTER


def test_section_headings_in_order(docx_path):
    texts = [p.text for p in _doc(docx_path).paragraphs]
    heads = [
        "I. KẾT QUẢ ĐẠT ĐƯỢC",
        "II. HẠN CHẾ, TỒN TẠI",
        "III. PHƯƠNG HƯỚNG, NHIỆM VỤ NĂM HỌC 2025-2026",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    positions = [texts.index(h) for h in heads]
    assert positions == sorted(positions)
    closing = next(t for t in texts if t.startswith("Trên đây là báo cáo"))
    assert closing.endswith("./.")


def test_signature_and_recipients(docx_path, report):
    d = _doc(docx_path)
    sig = next(t for t in d.tables if "Nơi nhận:" in t.cell(0, 0).text)
    left = [p for p in sig.cell(0, 0).paragraphs if p.text]
    right = [p.text for p in sig.cell(0, 1).paragraphs if p.text]
    assert left[0].text == "Nơi nhận:"
    assert left[0].runs[0].bold and left[0].runs[0].italic and left[0].runs[0].font.size == Pt(12)
    assert all(p.runs[0].font.size == Pt(11) for p in left[1:])
    assert all(p.text.startswith("- ") for p in left[1:])
    assert left[-1].text == "- Lưu: VT, KHTC."
    assert right == ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"]
    assert report.signature.prefix is SignPrefix.KT


def test_page_numbers_from_page_two(docx_path):
    d = _doc(docx_path)
    s = d.sections[0]
    assert s.different_first_page_header_footer
    assert s.first_page_header.paragraphs[0].text == ""
    hdr = s.header._element
    instr = "".join(t.text for t in hdr.iter(qn("w:instrText")))
    assert instr.strip() == "PAGE"
    assert s.header.paragraphs[0].alignment == 1
    # annex sections inherit the numbered header and show it on their first page too
    for later in d.sections[1:]:
        assert not later.different_first_page_header_footer
        assert later.header.is_linked_to_previous


def test_wide_annex_goes_landscape(docx_path):
    d = _doc(docx_path)
    landscape = [s for s in d.sections if s.page_width > s.page_height]
    assert landscape, "the 13-column commune annex needs a landscape section"


def test_annex_header_repeats(docx_path):
    with zipfile.ZipFile(docx_path) as zf:
        xml = zf.read("word/document.xml").decode()
    assert xml.count("<w:tblHeader/>") >= 3  # summary table + two annexes


def test_charts_embedded_as_png(docx_path, report):
    with zipfile.ZipFile(docx_path) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
        assert len(media) == len(report.charts)
        assert all(zf.read(n)[:8] == b"\x89PNG\r\n\x1a\n" for n in media)


def test_nd30_date_zero_padding():
    assert nd30_date("Điện Biên", dt.date(2022, 1, 20)) == "Điện Biên, ngày 20 tháng 01 năm 2022"
    assert nd30_date("Hà Nội", dt.date(2025, 2, 5)) == "Hà Nội, ngày 05 tháng 02 năm 2025"
    assert nd30_date("Hà Nội", dt.date(2025, 11, 5)) == "Hà Nội, ngày 05 tháng 11 năm 2025"


def test_draft_without_number(report):
    import dataclasses

    draft = dataclasses.replace(report, number="")
    assert draft.number_line == "Số:       /BC-SGDĐT"
