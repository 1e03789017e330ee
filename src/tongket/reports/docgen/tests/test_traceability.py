"""Every number printed in the DOCX has a source, and data figures equal their inputs.

What a printed number may be (exactly; anything else fails):
- data:    the input figure addressed by its key, rounded to the printed decimals (checked here
           independently of the formatter: |printed - input| <= half a unit of the last digit);
- derived: only "gap" (printed value - printed target) and "change" (printed value - printed
           last year), equal to that subtraction of printed figures;
- text:    a number inside a string of the model (indicator and unit names, user paragraphs,
           chart titles, annex headers and text cells), carried verbatim;
- fixed:   a number of the document's metadata: số/ký hiệu, date, summary, next period,
           issuing body, recipients, signature;
- struct:  layout numbering: headings 1..n, "Bảng n", "Biểu đồ n", "Phụ lục n", table rows 1..n.
"""

from __future__ import annotations

import re
from collections import Counter
from decimal import Decimal

from tongket.reports.docgen import sentences as S
from tongket.reports.docgen.model import MONEY_SCALES, UnitKind
from tongket.reports.docgen.nd30_docx import nd30_date
from tongket.reports.docgen.trace import (
    KINDS,
    bare,
    extract_numbers,
    number_tokens,
    printed_value,
    prints,
    strings_in,
)


def resolve(report, key: str):
    """The raw input figure behind a data key (already divided for money scales)."""
    parts = key.split(".")
    head = parts[0]
    if head == "ind":
        i = next(x for x in report.indicators if x.key == parts[1])
        field = ".".join(parts[2:])
        m = re.fullmatch(r"lead\[(\d+)\]\.value", field)
        raw = (
            i.leading_units[int(m.group(1))].value
            if m
            else {
                "value": i.value,
                "last_year": i.last_year,
                "numerator": i.numerator,
                "denominator": i.denominator,
            }.get(field)
        )
        if field.startswith("target."):
            raw = getattr(i.target, parts[3])
        if (i.unit_kind is UnitKind.MONEY and field in ("value", "last_year")) or (
            i.unit_kind is UnitKind.MONEY and field.startswith("target.")
        ):
            raw = Decimal(str(raw)) / MONEY_SCALES[i.money_scale][0]
        return raw
    if head == "annex":
        m = re.fullmatch(r"annex\.(.+)\.(?:r(\d+)|total)\.c(\d+)", key)
        a = next(x for x in report.annexes if x.key == m.group(1))
        row = a.rows[int(m.group(2))] if m.group(2) else a.total_row
        return row[int(m.group(3))]
    if head == "behind":
        ub = next(x for x in report.units_behind if key.startswith(f"behind.{x.key}"))
        m = re.search(r"\[(\d+)\]\.value$", key)
        return ub.units[int(m.group(1))].value if m else ub.threshold
    if head == "reporting":
        rs = next(x for x in report.reporting if x.key == parts[1])
        return getattr(rs, parts[2])
    if head == "staffing":
        ln = next(x for x in report.staffing if x.level == parts[1])
        m = re.fullmatch(r"subjects\[(\d+)\]\.value", ".".join(parts[2:]))
        return list(ln.subjects_short.values())[int(m.group(1))] if m else getattr(ln, parts[2])
    if head == "outlier":
        o = next(x for x in report.outliers if f"outlier.{x.key or x.unit_name}." in key + ".")
        return getattr(o, parts[-1])
    if head == "next":
        nt = next(x for x in report.next_targets if key.startswith(f"next.{x.key or x.name}."))
        return getattr(nt, parts[-1])
    raise AssertionError(f"unknown data key {key}")


def test_extracted_numbers_equal_ledger(docx_path, rendered):
    extracted = extract_numbers(docx_path)
    ledger = [t.text for t in rendered.traces]
    assert Counter(extracted) == Counter(ledger)
    assert len(extracted) > 300


def test_every_number_is_allowed(report, rendered):
    text_tokens = {bare(t) for s in strings_in(report) for t in number_tokens(s)}
    fixed_strings = [
        report.number_line,
        nd30_date(report.place, report.date),
        report.date.strftime("%d/%m/%Y"),
        report.summary,
        report.next_period,
    ]
    fixed_strings += strings_in(report.issuing_body) + report.recipients + [report.archive]
    fixed_strings += strings_in(report.signature)
    fixed_tokens = {bare(t) for s in fixed_strings for t in number_tokens(s)}
    max_rows = max([len(a.rows) for a in report.annexes] + [len(report.indicators)])
    by_kind = Counter()
    for t in rendered.traces:
        assert t.kind in KINDS, t
        by_kind[t.kind] += 1
        if t.kind == "data":
            raw = resolve(report, t.key)
            assert raw is not None and prints(t.text, raw), (t, raw)
        elif t.kind == "derived":
            ind_key = t.key.split(".")[1]
            i = next(x for x in report.indicators if x.key == ind_key)
            d = S.signed_gap(i) if t.key.endswith(".gap") else S.printed_change(i)
            assert t.key.endswith((".gap", ".change")) and printed_value(t.text) == abs(d), t
        elif t.kind == "text":
            assert bare(t.text) in text_tokens, t
        elif t.kind == "fixed":
            assert bare(t.text) in fixed_tokens, t
        else:
            assert t.key in {
                "struct.heading",
                "struct.table",
                "struct.figure",
                "struct.annex",
                "struct.stt",
                "struct.row",
            }, t
            limit = max_rows if t.key in ("struct.stt", "struct.row") else 20
            assert 1 <= int(t.text) <= limit, t
    assert by_kind["data"] > 100 and by_kind["derived"] > 5


def test_derived_numbers_redo_from_printed_figures(report):
    # "51,6% ... vượt 1,1 ... (50,5%)": 51,6 - 50,5 = 1,1 holds on the printed text itself
    for i in report.indicators:
        s = S.indicator_sentence(i)
        got = {t.key.split(".", 2)[2]: printed_value(t.text) for t in s.traces}
        if "gap" in got:
            assert got["gap"] == abs(got["value"] - got["target.value"])
        if "change" in got:
            assert got["change"] == abs(
                got["value"] - S.shown(i.last_year, i.decimals, i.unit_kind, i.money_scale)
            )
