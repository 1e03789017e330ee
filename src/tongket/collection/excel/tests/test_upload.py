"""Uploads: the round trip, and a located Vietnamese message for every kind of bad input."""

from __future__ import annotations

import copy
import datetime as dt
import io
import zipfile

import pytest
from openpyxl import Workbook

from tongket.collection.excel import Limits, fingerprint, plan_layout, read_upload
from tongket.collection.excel import upload as upload_mod

from .helpers import KEY, SHEET, edit, expected, form, make_zip, patch_member, template

PLAN = plan_layout(form().code, form().layout)
CELLS = PLAN.by_key()
GIRLS3 = CELLS[("pupils", "grade=3;level=TH;sex=f")]  # section III, "Lớp 3", "Nữ"
DIS3 = CELLS[("pupils", "dis=y;grade=3;level=TH")]
ALL3 = CELLS[("pupils", "grade=3;level=TH")]
TOTAL = CELLS[("pupils", "level=TH")]


def read(data: bytes, limits: Limits | None = None, key: bytes = KEY, **exp):
    return read_upload(data, expected(**exp), form().layout, key, limits)


def codes(result) -> list[str]:
    return [p.code for p in result.problems]


def only_error(result):
    assert len(result.errors) == 1, [p.message_vi for p in result.problems]
    return result.errors[0]


# --- the round trip -------------------------------------------------------------------------


def test_round_trip_prefilled_edited_and_emptied():
    stored = {
        ("pupils", "grade=3;level=TH"): 298.0,
        ("pupils", "grade=3;level=TH;sex=f"): 140.0,
        ("classes", "grade=1;level=TH"): 4.0,
        ("pupils", "level=TH"): 1500.0,  # a total: never read back
    }
    data = template(stored)
    untouched = read(data)
    assert untouched.ok, [p.message_vi for p in untouched.problems]
    assert {k: v for k, v in untouched.values.items() if v is not None} == {
        k: v for k, v in stored.items() if k != ("pupils", "level=TH")
    }
    inputs = [c for c in PLAN.cells if c.kind == "input"]
    assert set(untouched.values) == {(c.element, c.combo) for c in inputs}

    classes1 = CELLS[("classes", "grade=1;level=TH")]
    filled = edit(data, {GIRLS3.coord: 151, DIS3.coord: "1.234", classes1.coord: None})
    result = read(filled)
    assert result.ok
    assert result.values[("pupils", "grade=3;level=TH;sex=f")] == 151.0
    assert result.values[("pupils", "dis=y;grade=3;level=TH")] == 1234.0
    assert result.values[("classes", "grade=1;level=TH")] is None  # emptied = deleted
    assert result.values[("pupils", "grade=3;level=TH")] == 298.0
    assert ("pupils", "level=TH") not in result.values
    assert result.meta["unit_code"] == "79001" and result.fingerprint == fingerprint(filled)


def test_explanations_round_trip():
    data = template(explanations={"girls_le_total": "", "dropout_high": "Chuyển trường"})
    # rows are sorted by warning code: dropout_high on row 5, girls_le_total on row 6
    filled = edit(data, {"B6": "Do chuyển vùng"}, sheet="Giải trình")
    assert read(filled).explanations == {
        "dropout_high": "Chuyển trường",
        "girls_le_total": "Do chuyển vùng",
    }


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1.234", 1234.0), ("1 234", 1234.0), ("12.345.678", 12345678.0), (" 42 ", 42.0),
     ("0", 0.0), (7.0, 7.0), ("1\u00a0234", 1234.0)],
)  # fmt: skip
def test_numbers_typed_as_text_the_vietnamese_way(typed, value):
    result = read(edit(template(), {GIRLS3.coord: typed}))
    assert result.ok and result.values[("pupils", "grade=3;level=TH;sex=f")] == value


# --- cell errors, with sheet, cell and where on paper ----------------------------------------


def test_text_in_a_count_cell_names_sheet_cell_and_label():
    problem = only_error(read(edit(template(), {DIS3.coord: "abc"})))
    assert problem.message_vi == (
        f'{SHEET}!{DIS3.coord} (Học sinh, Lớp 3, Khuyết tật): "abc" không phải là số nguyên'
    )
    assert problem.message_en.endswith('"abc" is not a whole number')
    assert (problem.sheet, problem.cell, problem.element, problem.combo) == (
        SHEET, DIS3.coord, "pupils", "dis=y;grade=3;level=TH",
    )  # fmt: skip
    assert problem.severity == "error" and problem.code == "not_number"


@pytest.mark.parametrize(
    ("typed", "code", "fragment"),
    [
        (2.5, "decimal", "2,5 là số thập phân"),
        ("12,5", "decimal", "12,5 là số thập phân"),
        ("1,234", "ambiguous", '"1,234" không rõ nghĩa'),
        (-3, "negative", "số âm (-3)"),
        ("-3", "negative", "số âm (-3)"),
        ("=C29+1", "formula", "ô chứa công thức =C29+1; hãy nhập số"),
        (dt.datetime(2024, 2, 1), "date", "ngày tháng (01/02/2024)"),
        (True, "not_number", "giá trị logic TRUE"),
        ("#REF!", "excel_error", "lỗi Excel #REF!"),
        ("12 học sinh", "not_number", "không phải là số nguyên"),
    ],
)
def test_bad_cell_values(typed, code, fragment):
    problem = only_error(read(edit(template(), {GIRLS3.coord: typed})))
    assert problem.code == code
    assert problem.cell == GIRLS3.coord and problem.sheet == SHEET
    assert problem.message_vi.startswith(f"{SHEET}!{GIRLS3.coord} (Học sinh, Lớp 3, Nữ): ")
    assert fragment in problem.message_vi


def test_every_bad_cell_is_reported_and_good_cells_still_read():
    result = read(edit(template(), {GIRLS3.coord: "abc", DIS3.coord: -1, ALL3.coord: 30}))
    assert sorted(p.cell for p in result.errors) == sorted([GIRLS3.coord, DIS3.coord])
    assert not result.ok and result.values[("pupils", "grade=3;level=TH")] == 30.0
    assert ("pupils", "grade=3;level=TH;sex=f") not in result.values


def test_plausibility_ceiling_is_a_warning_configurable_per_element():
    data = edit(template(), {ALL3.coord: 600, CELLS[("classes", "grade=1;level=TH")].coord: 600})
    result = read(data, Limits(ceilings={"pupils": 500}, default_ceiling=None))
    assert result.ok and codes(result) == ["above_ceiling"]
    warning = result.warnings[0]
    assert warning.cell == ALL3.coord and warning.severity == "warning"
    assert "600 lớn bất thường (ngưỡng 500)" in warning.message_vi
    assert codes(read(data, Limits(default_ceiling=100))) == ["above_ceiling"] * 2
    assert read(data).problems == []  # default ceiling 100.000


def test_a_number_typed_over_a_total_is_ignored_with_a_warning():
    def unprotect_and_type(wb):
        wb[SHEET].protection.sheet = False
        wb[SHEET][TOTAL.coord] = 5000

    result = read(edit(template(), {}, fn=unprotect_and_type))
    assert result.ok and codes(result) == ["total_ignored"]
    assert result.warnings[0].cell == TOTAL.coord
    assert ("pupils", "level=TH") not in result.values


# --- files that are not what they claim --------------------------------------------------------


def test_not_an_xlsx():
    for data, fragment in [
        (b"hello, world", "không phải bảng tính Excel .xlsx"),
        (b"%PDF-1.7 ...", "tệp PDF"),
        (b"<html><body>", "trang web"),
        (b"", "Tệp rỗng"),
    ]:
        problem = only_error(read(data))
        assert fragment in problem.message_vi and problem.cell == ""


def test_encrypted_or_old_excel_file():
    problem = only_error(read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))
    assert problem.code == "encrypted"
    assert "tệp đã được đặt mật khẩu hoặc không phải định dạng .xlsx" in problem.message_vi.lower()


def test_corrupted_workbooks():
    data = template()
    assert only_error(read(data[: len(data) // 2])).code == "corrupt"
    broken = make_zip({"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<not closed"})
    problem = only_error(read(broken))
    assert problem.code == "corrupt" and "bị hỏng" in problem.message_vi


def test_other_office_files_are_named():
    docx = make_zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<w/>"})
    assert "tài liệu Word" in only_error(read(docx)).message_vi


def test_oversized_file():
    problem = only_error(read(template(), Limits(max_bytes=1000)))
    assert problem.code == "too_large" and "giới hạn là 1000 byte" in problem.message_vi


def test_too_many_members():
    assert only_error(read(template(), Limits(max_members=3))).code == "too_many_members"


def test_doctype_is_refused_before_parsing():
    evil = make_zip(
        {
            "[Content_Types].xml": b"<x/>",
            "xl/workbook.xml": b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaa">]><w>&a;</w>',
        }
    )
    assert only_error(read(evil)).code == "xml_dtd"


@pytest.fixture
def bomb() -> bytes:
    return make_zip(
        {
            "[Content_Types].xml": b"<x/>",
            "xl/workbook.xml": b"<w/>",
            "xl/worksheets/sheet1.xml": bytes(50 * 1024 * 1024),  # 50 MB of zeros, ~50 KB
        }
    )


@pytest.fixture
def no_decompression(monkeypatch, bomb):  # after `bomb`: building it writes through open()
    """Fail the test if anything inflates a member or hands the file to openpyxl."""

    def boom(*_a, **_k):
        raise AssertionError("decompressed before the limits were checked")

    monkeypatch.setattr(upload_mod, "load_workbook", boom)
    monkeypatch.setattr(zipfile.ZipFile, "open", boom)


def test_zip_bomb_refused_by_ratio_before_decompression(bomb, no_decompression):
    assert len(bomb) < 200_000
    problem = only_error(read(bomb))
    assert problem.code == "zip_ratio" and "tỷ lệ nén bất thường" in problem.message_vi


def test_zip_bomb_refused_by_declared_size_before_decompression(bomb, no_decompression):
    problem = only_error(read(bomb, Limits(max_unzipped_bytes=10 * 1024 * 1024)))
    assert problem.code == "zip_bomb" and "giới hạn 10,0 MB" in problem.message_vi


def test_member_lying_about_its_size_fails_as_corrupt():
    # declares 1 KB, holds 5 MB: zipfile inflates no more than declared, then the read fails
    data = template()
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    sheet = next(n for n in names if n.startswith("xl/worksheets/sheet2"))
    problem = only_error(read(patch_member(data, sheet, size=1024)))
    assert problem.code == "corrupt"


# --- workbooks of someone or something else --------------------------------------------------


def test_a_plain_workbook_is_not_a_template():
    wb = Workbook()
    wb.active["A1"] = 5
    out = io.BytesIO()
    wb.save(out)
    problem = only_error(read(out.getvalue()))
    assert problem.code == "not_template"
    assert "không phải tệp mẫu tải từ Tongket" in problem.message_vi


def test_missing_map_sheet():
    data = edit(template(), {}, fn=lambda wb: wb.remove(wb["_map"]))
    problem = only_error(read(data))
    assert problem.code == "not_template" and "_map" in problem.message_vi


@pytest.mark.parametrize(
    ("meta_over", "code", "fragment"),
    [
        ({"form_version": "2023.1"}, "wrong_version", "phiên bản 2023.1"),
        ({"round_id": 13}, "wrong_round", "đợt báo cáo số 13"),
        ({"period": "2023-2024"}, "wrong_period", "kỳ 2023-2024"),
        (
            {"unit_code": "79002", "unit_name": "Trường TH B"},
            "wrong_unit",
            "Trường TH B (mã 79002)",
        ),
        ({"form_code": "03.ĐN-THCS"}, "wrong_form", "biểu 03.ĐN-THCS"),
    ],
)
def test_workbook_of_another_form_version_round_period_or_unit(meta_over, code, fragment):
    problem = only_error(read(template(**meta_over)))  # genuine: the signature is valid
    assert problem.code == code and fragment in problem.message_vi


def test_any_unit_when_the_caller_checks_scope_itself():
    result = read(template(unit_code="79002"), unit_code=None)
    assert result.ok and result.meta["unit_code"] == "79002"


def _set_meta(field: str, value: str):
    def fn(wb):
        for row in wb["_meta"].iter_rows():
            if row[0].value == field:
                row[1].value = value

    return fn


def test_editing_meta_to_pass_as_another_school_is_detected():
    other = template(unit_code="79002")
    forged = edit(other, {}, fn=_set_meta("unit_code", "79001"))
    problem = only_error(read(forged))
    assert problem.code == "tampered" and "đã bị sửa" in problem.message_vi
    forged_round = edit(template(round_id=11), {}, fn=_set_meta("round_id", "12"))
    assert codes(read(forged_round)) == ["tampered"]


def test_signed_with_another_key_is_detected():
    assert codes(read(template(key=b"someone else's key"))) == ["tampered"]


def test_editing_the_map_is_detected():
    def remap(wb):
        wb["_map"]["D2"] = "level=THCS"  # read the schools figure as another level's

    assert codes(read(edit(template(), {}, fn=remap))) == ["tampered"]


def test_a_cell_mapped_twice_is_reported_where_it_is():
    def duplicate(wb):
        wb["_map"]["B3"] = wb["_map"]["B2"].value

    result = read(edit(template(), {}, fn=duplicate))
    problem = only_error(result)
    assert (problem.code, problem.sheet, problem.cell) == ("duplicate_cell", "_map", "B3")
    assert "được gán hai lần (dòng 2 và dòng 3)" in problem.message_vi


def test_a_template_of_another_layout_under_the_same_version():
    layout = copy.deepcopy(form().layout)
    layout["sections"][0]["rows"].pop()  # the pack changed without a new version
    result = read_upload(template(), expected(), layout, KEY)
    assert codes(result) == ["map_mismatch"]


def test_inserted_row_is_caught_before_values_are_misread():
    def insert(wb):
        wb[SHEET].insert_rows(GIRLS3.row)

    problem = only_error(read(edit(template(), {}, fn=insert)))
    assert problem.code == "structure_changed" and problem.cell == f"A{GIRLS3.row}"
    assert "phải là mã số '33'" in problem.message_vi


def test_renamed_data_sheet():
    def rename(wb):
        wb[SHEET].title = "Sheet1"

    assert codes(read(edit(template(), {}, fn=rename))) == ["sheet_missing"]


def test_fingerprint_is_sha256_of_bytes():
    data = template()
    assert fingerprint(data) == fingerprint(bytes(data)) != fingerprint(data + b"\0")
    assert len(fingerprint(data)) == 64
