"""Batches: many workbooks in one zip, every unsafe member refused by name, bombs refused whole."""

from __future__ import annotations

import io
import warnings
import zipfile

import pytest

from tongket.collection.excel import BatchFile, Limits, Problem, read_upload, read_zip

from .helpers import KEY, expected, form, make_zip, patch_member, template


def files(result) -> list[str]:
    return [r.filename for r in result if isinstance(r, BatchFile)]


def problems(result) -> dict[str, str]:
    return {r.file: r.code for r in result if isinstance(r, Problem)}


def test_workbooks_come_out_and_junk_is_skipped():
    a, b = template(unit_code="79001"), template(unit_code="79002")
    data = make_zip(
        {
            "Phòng GD/": b"",
            "Phòng GD/TH Kim Đồng.xlsx": a,
            "Phòng GD/TH Lê Lợi.xlsx": b,
            "__MACOSX/Phòng GD/._TH Kim Đồng.xlsx": b"junk",
            "Phòng GD/.DS_Store": b"junk",
            "Phòng GD/~$TH Lê Lợi.xlsx": b"lock",
            "Thumbs.db": b"junk",
        }
    )
    result = read_zip(data, Limits())
    assert files(result) == ["Phòng GD/TH Kim Đồng.xlsx", "Phòng GD/TH Lê Lợi.xlsx"]
    assert not problems(result)
    first = read_upload(result[0].data, expected(unit_code=None), form().layout, KEY)
    second = read_upload(result[1].data, expected(unit_code=None), form().layout, KEY)
    assert (first.meta["unit_code"], second.meta["unit_code"]) == ("79001", "79002")


def test_unsafe_nested_and_foreign_members_get_their_own_problem():
    ok = template()
    data = make_zip(
        {
            "../evil.xlsx": ok,
            "/etc/passwd.xlsx": ok,
            "C:/Windows/x.xlsx": ok,
            "more.zip": make_zip({"a.xlsx": ok}),
            "old.xls": b"\xd0\xcf\x11\xe0",
            "note.pdf": b"%PDF",
            "good.xlsx": ok,
        }
    )
    result = read_zip(data)
    assert files(result) == ["good.xlsx"]
    assert problems(result) == {
        "../evil.xlsx": "unsafe_path",
        "/etc/passwd.xlsx": "unsafe_path",
        "C:/Windows/x.xlsx": "unsafe_path",
        "more.zip": "nested_archive",
        "old.xls": "xls_old",
        "note.pdf": "not_xlsx",
    }
    nested = next(r for r in result if isinstance(r, Problem) and r.file == "more.zip")
    assert nested.message_vi.startswith("more.zip: tệp nén lồng trong tệp nén không được nhận")
    pdf = next(r for r in result if isinstance(r, Problem) and r.file == "note.pdf")
    assert pdf.severity == "warning"


def test_member_too_large_and_duplicate_names():
    ok = template()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns when writing a duplicate name
        data = make_zip({"a.xlsx": ok, "big.xlsx": ok + bytes(5000)})
        buf = io.BytesIO(data)
        with zipfile.ZipFile(buf, "a") as zf:
            zf.writestr("A.xlsx", ok)
        data = buf.getvalue()
    result = read_zip(data, Limits(max_bytes=len(ok) + 10))
    assert files(result) == ["a.xlsx"]
    assert problems(result) == {"big.xlsx": "too_large", "A.xlsx": "duplicate_name"}


def test_encrypted_member_is_refused_alone():
    data = patch_member(make_zip({"a.xlsx": template(), "b.xlsx": template()}), "b.xlsx", flags=1)
    result = read_zip(data)
    assert files(result) == ["a.xlsx"] and problems(result) == {"b.xlsx": "encrypted"}


@pytest.fixture
def bomb_batch() -> bytes:
    return make_zip({"a.xlsx": template(), "b.xlsx": bytes(50 * 1024 * 1024)})


def test_bomb_batch_refused_whole_before_decompression(bomb_batch, monkeypatch):
    def boom(*_a, **_k):
        raise AssertionError("decompressed before the limits were checked")

    monkeypatch.setattr(zipfile.ZipFile, "open", boom)
    (problem,) = read_zip(bomb_batch)
    assert problem.code == "zip_ratio" and problem.file == ""
    (problem,) = read_zip(bomb_batch, Limits(batch_max_unzipped_bytes=1024 * 1024))
    assert problem.code == "zip_bomb"


def test_batch_limits():
    data = make_zip({f"{i}.xlsx": b"x" for i in range(5)})
    (problem,) = read_zip(data, Limits(batch_max_files=3))
    assert problem.code == "too_many_members"
    (problem,) = read_zip(data, Limits(batch_max_bytes=100))
    assert problem.code == "too_large" and "Tệp nén quá lớn" in problem.message_vi


def test_not_a_zip_and_a_single_workbook():
    (problem,) = read_zip(b"%PDF-1.4")
    assert problem.code == "not_zip" and "tệp PDF" in problem.message_vi
    (problem,) = read_zip(template())
    assert problem.code == "single_workbook"
    (problem,) = read_zip(b"PK\x03\x04garbage")
    assert problem.code == "corrupt"


def test_utf8_names_without_the_utf8_flag():
    # 7-Zip and macOS write UTF-8 bytes without setting the flag; Python decodes them as cp437.
    # Write an ASCII placeholder of the same length (no flag), then put the UTF-8 bytes in.
    real = "TH Kim Đồng.xlsx".encode()
    placeholder = b"X" * len(real)
    data = make_zip({placeholder.decode(): template()}).replace(placeholder, real)
    assert not zipfile.ZipFile(io.BytesIO(data)).infolist()[0].flag_bits & 0x800
    assert files(read_zip(data)) == ["TH Kim Đồng.xlsx"]
