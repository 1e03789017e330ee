"""The review report as a DOCX in the layout of NĐ 30/2020/NĐ-CP, Phụ lục I.

Layout decisions (NĐ 30 gives ranges; we take one value and keep it here, in one place):
- A4 portrait; margins top/bottom 20 mm, left 30 mm, right 15 mm;
- Times New Roman 14 pt body, justified, first line indented 1 cm, 6 pt between paragraphs;
- header table without borders: issuing body left, Quốc hiệu and Tiêu ngữ right, then số/ký
  hiệu left and place/date right on the same row, so they line up as in the model form;
- page number centred in the header from page 2 on (different first page);
- annexes after the signature, each on a new page; a wide one gets a landscape section.

Every string holding a number is written from a traced `Text`, and the builder keeps a ledger
of the traces in document order, so tests can prove each printed number has a source.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from tongket.core.vntext import format_number

from . import sentences as S
from .model import AnnexTable, ReportKind, ReviewReport
from .trace import Text, Trace

FONT = "Times New Roman"
BODY_PT = 14
PAGE_W, PAGE_H = Mm(210), Mm(297)
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
TEXT_W_MM = 210 - 30 - 15  # 165 mm of text width in portrait
LANDSCAPE_TEXT_W_MM = 297 - 30 - 15
WIDE_ANNEX_COLUMNS = 8  # more columns than this (STT included) go landscape

_J = {"left": "left", "center": "center", "right": "right", "both": "both"}

SECTION_TITLES = {
    ReportKind.TONG_KET: ("KẾT QUẢ ĐẠT ĐƯỢC", "PHƯƠNG HƯỚNG, NHIỆM VỤ"),
    ReportKind.SO_KET: ("KẾT QUẢ THỰC HIỆN NHIỆM VỤ HỌC KỲ I", "PHƯƠNG HƯỚNG, NHIỆM VỤ HỌC KỲ II"),
    ReportKind.GIAO_BAN: ("KẾT QUẢ THỰC HIỆN NHIỆM VỤ", "NHIỆM VỤ TRỌNG TÂM THỜI GIAN TỚI"),
}
PREVIOUS_LABEL = {
    ReportKind.TONG_KET: "năm học trước",
    ReportKind.SO_KET: "cùng kỳ năm học trước",
    ReportKind.GIAO_BAN: "cùng kỳ năm trước",
}
ROMAN = ["I", "II", "III", "IV", "V", "VI"]


def nd30_date(place: str, date) -> str:
    """'Điện Biên, ngày 20 tháng 01 năm 2022': NĐ 30 zero-pads days below 10 and months 1-2."""
    day = f"{date.day:02d}"
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"{place}, ngày {day} tháng {month} năm {date.year}"


@dataclass
class Rendered:
    data: bytes
    traces: list[Trace]  # every number printed in the body, in document order


# --------------------------------------------------------------------------- low-level XML


def _set_fonts(rpr, name: str = FONT) -> None:
    """Set ascii/hAnsi/eastAsia/cs fonts and drop theme fonts, which would otherwise win."""
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        rfonts.set(qn(f"w:{attr}"), name)


def _border_xml(sides=("top", "left", "bottom", "right", "insideH", "insideV"), val="single"):
    inner = "".join(f'<w:{s} w:val="{val}" w:sz="4" w:space="0" w:color="auto"/>' for s in sides)
    return inner


def _no_borders(table) -> None:
    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblBorders")):
        tblPr.remove(old)
    tblPr.append(parse_xml(f"<w:tblBorders {nsdecls('w')}>{_border_xml(val='nil')}</w:tblBorders>"))


def _fixed_widths(table, widths_mm: list[float], indent_mm: float = 0) -> None:
    """Fixed layout with explicit grid: Word and LibreOffice then agree on column widths."""
    tbl = table._tbl
    tblPr = tbl.tblPr
    tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    if indent_mm:
        tblPr.append(parse_xml(f'<w:tblInd {nsdecls("w")} w:w="{_tw(indent_mm)}" w:type="dxa"/>'))
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(_tw(w)))
    for row in table.rows:
        for cell, w in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(w)


def _tw(mm: float) -> int:
    return round(mm / 25.4 * 1440)  # twips


def _hline(paragraph, line_mm: float, col_mm: float) -> None:
    """A short centred rule: an empty paragraph with a bottom border, narrowed by indents."""
    side = max(0.0, (col_mm - line_mm) / 2)
    pf = paragraph.paragraph_format
    pf.left_indent, pf.right_indent = Mm(side), Mm(side)
    pf.space_before, pf.space_after, pf.first_line_indent = Pt(0), Pt(2), Mm(0)
    pf.line_spacing = Pt(2)
    pPr = paragraph._p.get_or_add_pPr()
    pPr.append(parse_xml(f"<w:pBdr {nsdecls('w')}>{_border_xml(('bottom',))}</w:pBdr>"))


# --------------------------------------------------------------------------- builder


class _Builder:
    def __init__(self, report: ReviewReport) -> None:
        self.r = report
        self.doc = Document()
        self.traces: list[Trace] = []
        self.n_table = 0
        self.n_figure = 0
        self.portrait = True
        self._setup_styles()
        self._setup_section(self.doc.sections[0], landscape=False)

    # ---- document setup

    def _setup_styles(self) -> None:
        styles = self.doc.styles
        # docDefaults first: table cells and anything without a style inherit from them
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN")  # spell-check and hyphenation in Vietnamese
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(BODY_PT)
        _set_fonts(normal.element.get_or_add_rPr())
        pf = normal.paragraph_format
        pf.space_before, pf.space_after = Pt(0), Pt(6)
        pf.line_spacing = 1.1
        for name in ("Table Grid",):
            _set_fonts(styles[name].element.get_or_add_rPr())

    def _setup_section(self, section, landscape: bool) -> None:
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = PAGE_H, PAGE_W
        else:
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = PAGE_W, PAGE_H
        section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
        section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
        section.header_distance, section.footer_distance = Mm(10), Mm(10)

    def _page_numbers(self) -> None:
        """PAGE field centred in the header of pages 2+; the first page header stays empty."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        p = section.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="begin"/></w:r>'))
        p._p.append(
            parse_xml(
                f'<w:r {nsdecls("w")}><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
            )
        )
        p._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:fldChar w:fldCharType="end"/></w:r>'))
        for r in p._p.findall(qn("w:r")):
            rpr = r.get_or_add_rPr()
            _set_fonts(rpr)
            rpr.append(parse_xml(f'<w:sz {nsdecls("w")} w:val="{BODY_PT * 2 - 2}"/>'))
        section.first_page_header.paragraphs[0].text = ""

    # ---- paragraphs

    def para(
        self,
        text: Text | str = "",
        *,
        container=None,
        bold=False,
        italic=False,
        underline=False,
        size: float | None = None,
        align: str = "both",
        indent=True,
        space_before: float | None = None,
        space_after: float | None = None,
        key: str = "",
        kind: str = "text",
        keep_next=False,
    ):
        if isinstance(text, str):
            text = Text.of(text, key, kind)
        self.traces.extend(text.traces)
        target = container if container is not None else self.doc
        p = target.add_paragraph()
        if str(text):
            run = p.add_run(str(text))
            run.bold, run.italic = bold or None, italic or None
            run.underline = underline or None
            if size:
                run.font.size = Pt(size)
        pf = p.paragraph_format
        p.alignment = {
            "both": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        pf.first_line_indent = Mm(10) if indent and align == "both" else Mm(0)
        if space_before is not None:
            pf.space_before = Pt(space_before)
        if space_after is not None:
            pf.space_after = Pt(space_after)
        if keep_next:
            pf.keep_with_next = True
        return p

    def heading(self, number: str, title: str, level: int) -> None:
        # Level 1: "I. KẾT QUẢ ĐẠT ĐƯỢC" bold; level 2: "1. Giáo dục mầm non" bold.
        t = Text()
        if number:
            if any(ch.isdigit() for ch in number):
                t.num(number, "struct.heading", "struct")
            else:
                t.lit(number)
            t.lit(". ")
        t.lit(title, "text.heading")
        self.para(t, bold=True, keep_next=True, space_before=6)

    def bullet(self, text: Text | str, key: str = "") -> None:
        t = Text().lit("- ").extend(text if isinstance(text, Text) else Text.of(text, key))
        self.para(t)

    # ---- header block

    def header_block(self) -> None:
        r = self.r
        # 72 + 98 mm is 5 mm wider than the text: centred, the table reaches 2,5 mm into each
        # margin, as the model forms do, so "SỞ GIÁO DỤC VÀ ĐÀO TẠO" fits on one line.
        left_w, right_w = 72.0, 98.0
        table = self.doc.add_table(rows=2, cols=2)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        _no_borders(table)
        _fixed_widths(table, [left_w, right_w])
        lc, rc = table.cell(0, 0), table.cell(0, 1)
        for cell in (lc, rc, table.cell(1, 0), table.cell(1, 1)):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        fixed = partial(self.para, align="center", indent=False, space_after=0, kind="fixed")
        if r.issuing_body.parent:
            fixed(r.issuing_body.parent.upper(), container=lc, size=13, key="meta.issuing_body")
        fixed(
            r.issuing_body.name.upper(), container=lc, bold=True, size=13, key="meta.issuing_body"
        )
        _hline(fixed("", container=lc), 22, left_w)
        fixed("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", container=rc, bold=True, size=12)
        fixed("Độc lập - Tự do - Hạnh phúc", container=rc, bold=True, size=13, underline=True)
        number = fixed(r.number_line, container=table.cell(1, 0), size=13, key="meta.number")
        number.paragraph_format.space_before = Pt(6)
        date = fixed(
            nd30_date(r.place, r.date),
            container=table.cell(1, 1),
            italic=True,
            size=14,
            key="meta.date",
        )
        date.paragraph_format.space_before = Pt(6)

    def title_block(self) -> None:
        heading = partial(self.para, align="center", indent=False, bold=True, kind="fixed")
        heading(self.r.title.upper(), space_before=18, space_after=0, key="meta.title")
        heading(self.r.summary, space_after=0, key="meta.summary")
        _hline(self.para("", align="center", indent=False), 45, TEXT_W_MM)
        self.para("", space_after=0)

    # ---- tables

    def grid_table(
        self,
        headers: list[str],
        rows: list[list[Text]],
        widths_mm: list[float],
        aligns: list[str],
        size: float,
        bold_rows: frozenset[int] = frozenset(),
    ) -> None:
        """A bordered table with a repeated bold header row.

        Rows are generated as one XML string and parsed once: python-docx's cell API costs
        ~1 ms per cell, far too slow for a 1,000-school annex (12,000 cells).
        """
        table = self.doc.add_table(rows=0, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl = table._tbl
        tbl.tblPr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
        for col, w in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
            col.set(qn("w:w"), str(_tw(w)))
        sz = round(size * 2)
        tw = [_tw(w) for w in widths_mm]
        rpr_plain = f'<w:rPr><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>'
        rpr_bold = f'<w:rPr><w:b/><w:sz w:val="{sz}"/><w:szCs w:val="{sz}"/></w:rPr>'
        ppr = {
            a: f'<w:pPr><w:spacing w:before="20" w:after="20" w:line="240" w:lineRule="auto"/>'
            f'<w:ind w:firstLine="0"/><w:jc w:val="{_J[a]}"/></w:pPr>'
            for a in _J
        }

        def cell(text: str, width: int, align: str, rpr: str) -> str:
            run = f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>' if text else ""
            return (
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/>'
                f"</w:tcPr><w:p>{ppr[align]}{run}</w:p></w:tc>"
            )

        parts = ["<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"]
        parts += [cell(h, w, "center", rpr_bold) for h, w in zip(headers, tw, strict=True)]
        parts.append("</w:tr>")
        for h in headers:
            self.traces.extend(Text.of(h, "text.table_header").traces)
        for i, row in enumerate(rows):
            rpr = rpr_bold if i in bold_rows else rpr_plain
            parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
            for value, w, a in zip(row, tw, aligns, strict=True):
                self.traces.extend(value.traces)
                parts.append(cell(str(value), w, a, rpr))
            parts.append("</w:tr>")
        holder = parse_xml(f"<w:tbl {nsdecls('w')}>{''.join(parts)}</w:tbl>")
        for tr in list(holder):
            tbl.append(tr)

    def summary_table(self) -> None:
        inds = [i for i in self.r.indicators if i.target is not None or i.last_year is not None]
        if not inds:
            return
        self.n_table += 1
        cap = Text().lit("Bảng ").num(str(self.n_table), "struct.table", "struct")
        cap.lit(". Kết quả thực hiện các chỉ tiêu chủ yếu")
        self.para(cap, bold=True, align="center", indent=False, keep_next=True, space_before=6)
        headers = [
            "TT",
            "Chỉ tiêu",
            "Kế hoạch",
            "Thực hiện",
            "So với KH",
            "Đánh giá",
            S.PREVIOUS_HEADER,
        ]
        rows = []
        for n, ind in enumerate(inds, 1):
            key = f"ind.{ind.key}"
            word = S.unit_word(ind.unit_kind, ind.unit_label, ind.money_scale)
            name = Text.of(ind.name, f"{key}.name")
            if word:
                name.lit(f" ({word})")
            plan = Text()
            if ind.target is not None:
                S.target_numbers(plan, ind, ind.target, key)
            value = Text().num(
                S.fmt(ind.value, ind.unit_kind, ind.decimals, ind.money_scale), f"{key}.value"
            )
            gap_cell = Text()
            g = S.signed_gap(ind)
            if g is not None:
                gap_cell.lit("+" if g > 0 else "−" if g < 0 else "")
                gap_cell.num(S.diff_text(g), f"{key}.gap", "derived")
            last = Text()
            if ind.last_year is not None:
                last.num(
                    S.fmt(ind.last_year, ind.unit_kind, ind.decimals, ind.money_scale),
                    f"{key}.last_year",
                )
            rows.append(
                [
                    Text().num(str(n), "struct.row", "struct"),
                    name,
                    plan,
                    value,
                    gap_cell,
                    Text.of(S.verdict_label(ind)),
                    last,
                ]
            )
        self.grid_table(
            headers,
            rows,
            [10, 55, 22, 20, 18, 20, 20],
            ["center", "left", "center", "center", "center", "center", "center"],
            size=12,
        )
        self.para("", space_after=0)

    # ---- sections

    def section_results(self) -> None:
        r = self.r
        first, _ = SECTION_TITLES[r.kind]
        self.heading(ROMAN[0], first, 1)
        previous = PREVIOUS_LABEL[r.kind]
        groups: dict[str, list] = {}
        for ind in r.indicators:
            groups.setdefault(ind.group, []).append(ind)
        n = 0
        for group, inds in groups.items():
            if group:
                n += 1
                self.heading(str(n), group, 2)
            for ind in inds:
                s = S.indicator_sentence(ind, previous)
                for extra in (S.parts_sentence(ind), S.leading_sentence(ind)):
                    if extra is not None:
                        s.lit(" ").extend(extra)
                self.bullet(s)
        if r.summary_table:
            self.summary_table()
        for i, text in enumerate(r.results_text):
            self.para(text, key=f"text.results_text[{i}]")
        for chart in r.charts:
            self.figure(chart)

    def figure(self, chart) -> None:
        from .charts import chart_png  # lazy: matplotlib costs ~0.5 s to import

        png = chart_png(chart)
        p = self.para("", align="center", indent=False, space_after=0, keep_next=True)
        p.add_run().add_picture(io.BytesIO(png), width=Mm(150))
        self.n_figure += 1
        cap = Text().lit("Biểu đồ ").num(str(self.n_figure), "struct.figure", "struct")
        cap.lit(". ").lit(chart.title, "text.chart_title")
        self.para(cap, italic=True, align="center", indent=False, size=12)

    def section_limits(self) -> None:
        r = self.r
        self.heading(ROMAN[1], "HẠN CHẾ, TỒN TẠI", 1)
        has_causes = bool(r.causes)
        if has_causes:
            self.heading("1", "Hạn chế, tồn tại", 2)
        for ind in r.indicators:
            if S.verdict(ind) is S.Verdict.CHUA_DAT:
                self.bullet(S.shortfall_sentence(ind))
        for ub in r.units_behind:
            self.bullet(S.units_behind_sentence(ub))
        for rs in r.reporting:
            if rs.late or rs.missing:
                self.bullet(S.reporting_sentence(rs))
        staffing = S.staffing_sentence(r.staffing)
        if staffing is not None:
            self.bullet(staffing)
        for o in r.outliers:
            self.bullet(S.outlier_sentence(o))
        for i, text in enumerate(r.limitations_text):
            self.bullet(text, f"text.limitations_text[{i}]")
        if has_causes:
            self.heading("2", "Nguyên nhân", 2)
            for i, text in enumerate(r.causes):
                self.para(text, key=f"text.causes[{i}]")

    def section_next(self) -> None:
        r = self.r
        _, title = SECTION_TITLES[r.kind]
        t = Text().lit(ROMAN[2] + ". ").lit(title)
        if r.next_period:
            t.lit(" " + r.next_period.upper(), "meta.next_period", "fixed")
        self.para(t, bold=True, keep_next=True, space_before=6)
        n = 0
        if r.next_targets:
            n += 1
            self.heading(str(n), "Các chỉ tiêu chủ yếu", 2)
            for nt in r.next_targets:
                self.bullet(S.next_target_sentence(nt))
        if r.tasks:
            n += 1
            self.heading(str(n), "Nhiệm vụ, giải pháp", 2)
            for i, text in enumerate(r.tasks):
                self.bullet(text, f"text.tasks[{i}]")

    def section_proposals(self) -> None:
        r = self.r
        if not r.proposals:
            return
        self.heading(ROMAN[3], "ĐỀ XUẤT, KIẾN NGHỊ", 1)
        for n, group in enumerate(r.proposals, 1):
            self.heading(str(n), f"Đối với {group.addressee}", 2)
            for i, text in enumerate(group.items):
                self.bullet(text, f"text.proposals[{n - 1}][{i}]")

    def closing(self) -> None:
        body = self.r.issuing_body.full_name or self.r.issuing_body.name.capitalize()
        t = Text().lit("Trên đây là báo cáo ")
        t.lit(S.lower_first(self.r.summary), "meta.summary", "fixed")
        t.lit(" của ").lit(body, "meta.issuing_body", "fixed").lit("./.")
        self.para(t)

    def signature_block(self) -> None:
        r = self.r
        table = self.doc.add_table(rows=1, cols=2)
        _no_borders(table)
        _fixed_widths(table, [80, 85])
        left, right = table.cell(0, 0), table.cell(0, 1)
        for cell in (left, right):
            cell.paragraphs[0]._p.getparent().remove(cell.paragraphs[0]._p)
        recipients_para = partial(
            self.para, indent=False, space_after=0, kind="fixed", key="meta.recipients"
        )
        p = recipients_para(
            "Nơi nhận:",
            container=left,
            bold=True,
            italic=True,
            size=12,
            align="left",
            space_before=6,
        )
        p.paragraph_format.keep_with_next = True
        for recipient in r.recipients:
            line = recipient.strip().lstrip("-").strip().rstrip(";.")
            recipients_para(f"- {line};", container=left, size=11, align="left")
        recipients_para(f"- Lưu: {r.archive}.", container=left, size=11, align="left")
        signature_para = partial(
            self.para, indent=False, space_after=0, kind="fixed", key="meta.signature"
        )
        for i, line in enumerate(r.signature.title_lines()):
            signature_para(
                line,
                container=right,
                bold=True,
                size=14,
                align="center",
                space_before=6 if i == 0 else 0,
            )
        for _ in range(4):  # room for the signature and the seal
            signature_para("", container=right, align="center")
        signature_para(r.signature.name, container=right, bold=True, size=14, align="center")

    # ---- annexes

    def annex(self, annex: AnnexTable) -> None:
        n_cols = len(annex.columns) + 1
        landscape = n_cols > WIDE_ANNEX_COLUMNS
        if landscape == self.portrait or len(self.doc.sections) == 1:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            section.different_first_page_header_footer = False  # numbers on every annex page
            self._setup_section(section, landscape)
            self.portrait = not landscape
        else:
            self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        centred = partial(self.para, align="center", indent=False, space_after=0)
        centred(annex.code, bold=True, key="struct.annex", kind="struct")
        centred(annex.title.upper(), bold=True, key=f"text.annex.{annex.key}.title")
        r = self.r
        of = r.issuing_body.full_name or r.issuing_body.name.capitalize()
        t = Text().lit("(Kèm theo ").lit(r.title.capitalize() + " ")
        t.lit(r.number_line.replace("Số: ", "số "), "meta.number", "fixed")
        t.lit(" ngày ").lit(r.date.strftime("%d/%m/%Y"), "meta.date", "fixed")
        t.lit(" của ").lit(of, "meta.issuing_body", "fixed").lit(")")
        centred(t, italic=True, space_before=0)
        self.para("", space_after=0)
        headers, rows, widths, aligns, bold = annex_cells(annex, landscape)
        self.grid_table(
            headers, rows, widths, aligns, size=11 if n_cols <= 10 else 10, bold_rows=bold
        )
        if annex.note:
            self.para(
                annex.note,
                italic=True,
                size=12,
                indent=False,
                align="left",
                key=f"text.annex.{annex.key}.note",
                space_before=4,
            )

    # ---- whole

    def build(self) -> Rendered:
        self.header_block()
        self.title_block()
        for i, text in enumerate(self.r.intro):
            self.para(text, key=f"text.intro[{i}]")
        self.section_results()
        self.section_limits()
        self.section_next()
        self.section_proposals()
        self.closing()
        self.signature_block()
        self._page_numbers()
        for annex in self.r.annexes:
            if annex.in_docx:
                self.annex(annex)
        buf = io.BytesIO()
        self.doc.save(buf)
        return Rendered(buf.getvalue(), self.traces)


def cell_text(value, kind: str, decimals: int, key: str) -> Text:
    """One annex cell: numbers formatted the Vietnamese way, blanks for missing values."""
    if value is None or value == "":
        return Text()
    if kind == "text":
        return Text.of(str(value), key, "text")
    return Text().num(format_number(value, decimals), key)


def _auto_widths(annex: AnnexTable, room_mm: float) -> list[float]:
    """Share the free width by what each column needs: its longest header word (headers wrap
    between words, never inside one) or its longest value (text capped at 30 characters)."""
    need = []
    for j, col in enumerate(annex.columns):
        word = max((len(w) for w in col.header.split()), default=1)
        longest = 0
        for row in annex.rows:
            v = row[j]
            longest = max(longest, len(v) if isinstance(v, str) else len(str(v)) + 2)
        cap = 24 if col.kind == "text" else 16
        # +3: cell margins (~1.9 mm each side) are worth about three characters
        need.append(max(word, min(longest, cap)) + 3)
    fixed = sum(c.width_mm for c in annex.columns if c.width_mm)
    scale = (room_mm - fixed) / sum(
        n for n, c in zip(need, annex.columns, strict=True) if not c.width_mm
    )
    return [c.width_mm or n * scale for n, c in zip(need, annex.columns, strict=True)]


def annex_cells(annex: AnnexTable, landscape: bool):
    """Headers, traced cell texts, widths and alignments for one annex (with an STT column)."""
    width = LANDSCAPE_TEXT_W_MM if landscape else TEXT_W_MM
    widths = [12.0, *_auto_widths(annex, width - 12.0)]
    headers = ["STT"] + [c.header for c in annex.columns]
    aligns = ["center"] + ["left" if c.kind == "text" else "right" for c in annex.columns]
    rows = []
    base = f"annex.{annex.key}"
    for i, row in enumerate(annex.rows):
        cells = [Text().num(str(i + 1), "struct.stt", "struct")]
        for j, (value, col) in enumerate(zip(row, annex.columns, strict=True)):
            cells.append(cell_text(value, col.kind, col.decimals, f"{base}.r{i}.c{j}"))
        rows.append(cells)
    bold: frozenset[int] = frozenset()
    if annex.total_row is not None:
        cells = [Text()]
        for j, (value, col) in enumerate(zip(annex.total_row, annex.columns, strict=True)):
            cells.append(cell_text(value, col.kind, col.decimals, f"{base}.total.c{j}"))
        rows.append(cells)
        bold = frozenset({len(rows) - 1})
    return headers, rows, widths, aligns, bold


def render_docx(report: ReviewReport) -> Rendered:
    """Build the report; return the DOCX bytes and the ledger of every printed number."""
    return _Builder(report).build()


def build_docx(report: ReviewReport, path: str | Path | None = None) -> bytes:
    """Build the report as DOCX bytes; also write them to path when given."""
    data = render_docx(report).data
    if path is not None:
        Path(path).write_bytes(data)
    return data
