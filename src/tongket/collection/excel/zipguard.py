"""Look at an uploaded file's bytes and its zip directory before anything is decompressed.

An .xlsx is a zip of XML parts. A hostile or broken upload is refused here, from the first
bytes and the central directory alone: not a zip at all, an encrypted Office file, too many
parts, parts that declare more data than we accept, parts packed at a zip-bomb ratio, or XML
that declares a DOCTYPE (entity expansion; no genuine .xlsx has one). Only then does openpyxl
see the file. Declared sizes are enough because Python's zipfile never inflates a member
beyond its declared size (a member that lies fails its CRC instead).
"""

from __future__ import annotations

import io
import zipfile

from tongket.core.vntext import format_number

from .common import Limits, Problem, file_problem, human_size

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member first / an empty archive
_OTHER_MAGICS = (
    (b"%PDF", "tệp PDF", "a PDF file"),
    (b"\x89PNG", "ảnh PNG", "a PNG image"),
    (b"\xff\xd8\xff", "ảnh JPEG", "a JPEG image"),
    (b"Rar!", "tệp nén RAR", "a RAR archive"),
    (b"7z\xbc\xaf", "tệp nén 7z", "a 7z archive"),
    (b"\x1f\x8b", "tệp nén gzip", "a gzip archive"),
    (b"{\\rtf", "tệp RTF", "an RTF file"),
)
# What a zip that is not a workbook usually is, named so the user knows what they sent.
_OTHER_OFFICE = (
    ("word/document.xml", "tài liệu Word (.docx)", "a Word document (.docx)"),
    ("ppt/presentation.xml", "bản trình chiếu PowerPoint (.pptx)", "a PowerPoint file"),
    ("content.xml", "tệp OpenDocument (.ods/.odt)", "an OpenDocument file (.ods/.odt)"),
)
_DTD_SCAN_BYTES = 4096


def sniff(data: bytes) -> tuple[str, str, str]:
    """('zip' | 'ole' | 'empty' | 'other', what-vi, what-en) from the first bytes."""
    if not data:
        return "empty", "tệp rỗng", "an empty file"
    if data.startswith(ZIP_MAGICS):
        return "zip", "", ""
    if data.startswith(OLE_MAGIC):
        return "ole", "", ""
    for magic, vi, en in _OTHER_MAGICS:
        if data.startswith(magic):
            return "other", vi, en
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "other", "trang web (HTML)", "a web page (HTML)"
    if head.startswith(b"<?xml"):
        # Excel 2003 "XML Spreadsheet" or an HTML export saved with an .xls name
        return "other", "tệp XML (Excel 2003 XML?)", "an XML file (Excel 2003 XML?)"
    return "other", "", ""


def not_xlsx_problem(kind: str, what_vi: str, what_en: str, file: str = "") -> Problem:
    if kind == "empty":
        return file_problem("empty", "Tệp rỗng (0 byte).", "The file is empty.", file=file)
    if kind == "ole":
        return file_problem(
            "encrypted",
            "Tệp đã được đặt mật khẩu hoặc không phải định dạng .xlsx (có thể là tệp Excel "
            "97-2003 .xls). Hãy bỏ mật khẩu và lưu lại dạng Excel Workbook (.xlsx).",
            "The file is password-protected or not in .xlsx format (perhaps an Excel "
            "97-2003 .xls). Remove the password and save it as an Excel Workbook (.xlsx).",
            file=file,
        )
    seen_vi = f" (tệp gửi lên là {what_vi})" if what_vi else ""
    seen_en = f" (it is {what_en})" if what_en else ""
    return file_problem(
        "not_xlsx",
        f"Tệp không phải bảng tính Excel .xlsx{seen_vi}. Hãy tải lên tệp mẫu .xlsx của biểu.",
        f"The file is not an Excel .xlsx workbook{seen_en}. Upload the form's .xlsx template.",
        file=file,
    )


def open_xlsx_zip(
    data: bytes, limits: Limits, file: str = ""
) -> tuple[zipfile.ZipFile | None, list[Problem]]:
    """Check an upload's bytes and zip directory; return the open zip if it is safe to read."""
    if len(data) > limits.max_bytes:
        size_vi, size_en = human_size(len(data))
        max_vi, max_en = human_size(limits.max_bytes)
        return None, [
            file_problem(
                "too_large",
                f"Tệp quá lớn ({size_vi}); giới hạn là {max_vi}.",
                f"The file is too large ({size_en}); the limit is {max_en}.",
                file=file,
            )
        ]
    kind, what_vi, what_en = sniff(data)
    if kind != "zip":
        return None, [not_xlsx_problem(kind, what_vi, what_en, file)]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return None, [corrupt_problem(exc, file)]
    problems = check_members(
        infos,
        max_members=limits.max_members,
        max_total=limits.max_unzipped_bytes,
        max_ratio=limits.max_ratio,
        ratio_floor=limits.ratio_floor,
        file=file,
    )
    if problems:
        return None, problems
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        for part, vi, en in _OTHER_OFFICE:
            if part in names:
                return None, [not_xlsx_problem("other", vi, en, file)]
        return None, [not_xlsx_problem("other", "tệp nén .zip", "a .zip archive", file)]
    for info in infos:
        if not info.filename.endswith((".xml", ".rels", ".vml")):
            continue
        try:
            with zf.open(info) as fh:
                head = fh.read(_DTD_SCAN_BYTES).lower()
        except Exception as exc:
            return None, [corrupt_problem(exc, file)]
        if b"<!doctype" in head or b"<!entity" in head:
            return None, [
                file_problem(
                    "xml_dtd",
                    f"Tệp chứa khai báo DOCTYPE/ENTITY trong '{info.filename}', điều không có "
                    "trong tệp .xlsx thật; tệp bị từ chối để bảo vệ hệ thống.",
                    f"'{info.filename}' declares a DOCTYPE/ENTITY, which no genuine .xlsx "
                    "does; the file is refused to protect the system.",
                    file=file,
                )
            ]
    return zf, []


def corrupt_problem(exc: BaseException | None, file: str = "") -> Problem:
    detail = f" ({type(exc).__name__}: {str(exc)[:120]})" if exc else ""
    return file_problem(
        "corrupt",
        f"Tệp .xlsx bị hỏng, không mở được{detail}. Hãy mở tệp bằng Excel, lưu lại rồi tải lên "
        "lần nữa.",
        f"The .xlsx file is corrupted and cannot be opened{detail}. Open it in Excel, save "
        "it again and re-upload.",
        file=file,
    )


def check_members(
    infos: list[zipfile.ZipInfo],
    *,
    max_members: int,
    max_total: int,
    max_ratio: float,
    ratio_floor: int,
    file: str = "",
) -> list[Problem]:
    """Refuse a zip from its directory alone: member count, encryption, sizes and ratios."""
    if len(infos) > max_members:
        return [
            file_problem(
                "too_many_members",
                f"Tệp nén chứa {len(infos)} thành phần, vượt giới hạn {max_members}; tệp bị từ "
                "chối.",
                f"The archive holds {len(infos)} members, above the limit of {max_members}.",
                file=file,
            )
        ]
    if any(i.flag_bits & 0x1 for i in infos):
        return [
            file_problem(
                "encrypted",
                "Tệp nén đã được đặt mật khẩu; hãy bỏ mật khẩu rồi tải lên lại.",
                "The archive is password-protected; remove the password and re-upload.",
                file=file,
            )
        ]
    total = sum(i.file_size for i in infos)
    if total > max_total:
        t_vi, t_en = human_size(total)
        m_vi, m_en = human_size(max_total)
        return [
            file_problem(
                "zip_bomb",
                f"Tệp khi giải nén có dung lượng bất thường ({t_vi}, giới hạn {m_vi}); tệp bị "
                "từ chối để bảo vệ hệ thống.",
                f"The file would unpack to an abnormal size ({t_en}; the limit is {m_en}); "
                "it is refused to protect the system.",
                file=file,
            )
        ]
    for i in infos:
        if i.file_size <= ratio_floor:
            continue
        ratio = i.file_size / max(i.compress_size, 1)
        if ratio > max_ratio:
            return [
                file_problem(
                    "zip_ratio",
                    f"Thành phần '{i.filename}' có tỷ lệ nén bất thường "
                    f"(1:{format_number(ratio)}); tệp bị từ chối để bảo vệ hệ thống.",
                    f"Member '{i.filename}' is compressed at an abnormal ratio "
                    f"(1:{ratio:,.0f}); the file is refused to protect the system.",
                    file=file,
                )
            ]
    return []
