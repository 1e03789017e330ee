"""Unpack a .zip of workbooks, as an office uploads the forms of many schools at once.

Everything is decided from the zip's central directory before a byte is inflated: the member
count, the declared sizes and ratios, names that try to escape the folder ("../", "/etc",
"C:\\"), archives inside the archive. Folders and the junk of other systems (__MACOSX,
.DS_Store, Thumbs.db, Excel's "~$" lock files) are skipped silently. A bad member gets its own
problem and the rest of the batch goes on; only a batch that is itself unsafe is refused whole.
Each returned workbook is then read with `upload.read_upload`, which checks it again.
"""

from __future__ import annotations

import contextlib
import io
import posixpath
import zipfile
from typing import NamedTuple

from tongket.core.vntext import nfc

from .common import Limits, Problem, file_problem, human_size
from .zipguard import check_members, corrupt_problem, sniff

_ARCHIVES = (".zip", ".rar", ".7z", ".gz", ".tgz", ".tar", ".bz2", ".xz", ".zipx")
_JUNK_NAMES = {".ds_store", "thumbs.db", "desktop.ini"}


class BatchFile(NamedTuple):
    filename: str  # the member's path inside the zip, NFC, "/"-separated
    data: bytes


def _member_name(info: zipfile.ZipInfo) -> str:
    """The name as the sender saw it.

    Zips made without the UTF-8 flag are decoded by Python as cp437; most such zips that
    carry Vietnamese names really hold UTF-8 bytes (7-Zip, macOS), so those are re-decoded.
    """
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return nfc(name)


def _is_junk(name: str) -> bool:
    parts = [p for p in name.replace("\\", "/").split("/") if p]
    if not parts:
        return True
    base = parts[-1].lower()
    return (
        "__MACOSX" in parts
        or base in _JUNK_NAMES
        or base.startswith("._")  # macOS resource forks
        or base.startswith("~$")  # Excel's lock file of an open workbook
    )


def _unsafe(name: str) -> bool:
    """Absolute paths, drive letters and '..' would escape wherever the files are unpacked."""
    norm = name.replace("\\", "/")
    if norm.startswith("/") or (len(norm) > 1 and norm[1] == ":"):
        return True
    return any(part == ".." for part in norm.split("/")) or "\x00" in norm


def read_zip(data: bytes, limits: Limits | None = None) -> list[BatchFile | Problem]:
    """The .xlsx workbooks in a zip, and a Problem (with `file` set) for each refused member.

    A batch refused whole returns a single Problem with an empty `file`.
    """
    limits = limits or Limits()
    if len(data) > limits.batch_max_bytes:
        size_vi, size_en = human_size(len(data))
        max_vi, max_en = human_size(limits.batch_max_bytes)
        return [
            file_problem(
                "too_large",
                f"Tệp nén quá lớn ({size_vi}); giới hạn là {max_vi}.",
                f"The archive is too large ({size_en}); the limit is {max_en}.",
            )
        ]
    kind, what_vi, what_en = sniff(data)
    if kind != "zip":
        seen_vi = f" (tệp gửi lên là {what_vi})" if what_vi else ""
        seen_en = f" (it is {what_en})" if what_en else ""
        return [
            file_problem(
                "not_zip",
                f"Tệp tải lên không phải tệp nén .zip{seen_vi}. Hãy nén các tệp .xlsx thành "
                "một tệp .zip.",
                f"The upload is not a .zip archive{seen_en}. Put the .xlsx files in one .zip.",
            )
        ]
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        return [corrupt_problem(exc)]
    with zf:
        if "xl/workbook.xml" in {i.filename for i in infos}:
            return [
                file_problem(
                    "single_workbook",
                    "Đây là một tệp Excel .xlsx, không phải tệp nén chứa nhiều tệp; hãy dùng "
                    "chức năng tải lên từng tệp.",
                    "This is a single .xlsx workbook, not an archive of workbooks; upload it "
                    "on its own.",
                )
            ]
        refused = check_members(
            [i for i in infos if not i.flag_bits & 0x1],  # encrypted ones: per file, below
            max_members=limits.batch_max_files,
            max_total=limits.batch_max_unzipped_bytes,
            max_ratio=limits.max_ratio,
            ratio_floor=limits.ratio_floor,
        )
        if refused:
            return list(refused)  # a list[Problem] widened to the result's type
        return _members(zf, infos, limits)


def _members(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], limits: Limits
) -> list[BatchFile | Problem]:
    out: list[BatchFile | Problem] = []
    seen: set[str] = set()
    for info in infos:
        name = _member_name(info)
        if info.is_dir() or _is_junk(name):
            continue
        shown = name.replace("\\", "/")
        lower = shown.lower()

        def refuse(code: str, vi: str, en: str, severity: str = "error", shown=shown) -> None:
            out.append(
                file_problem(
                    code, f"{shown}: {vi}", f"{shown}: {en}", severity=severity, file=shown
                )
            )

        if _unsafe(name):
            refuse(
                "unsafe_path",
                "tên tệp chứa đường dẫn không hợp lệ (tuyệt đối hoặc '..'); tệp bị từ chối.",
                "the name holds an unsafe path (absolute or '..'); refused.",
            )
        elif lower.endswith(_ARCHIVES):
            refuse(
                "nested_archive",
                "tệp nén lồng trong tệp nén không được nhận; hãy đưa các tệp .xlsx trực tiếp "
                "vào một tệp .zip.",
                "archives inside the archive are not accepted; put the .xlsx files directly "
                "in one .zip.",
            )
        elif lower.endswith(".xls"):
            refuse(
                "xls_old",
                "định dạng Excel 97-2003 (.xls) không được nhận; hãy dùng tệp mẫu .xlsx.",
                "Excel 97-2003 (.xls) is not accepted; use the .xlsx template.",
            )
        elif not lower.endswith((".xlsx", ".xlsm")):
            refuse(
                "not_xlsx",
                "không phải tệp .xlsx; bỏ qua.",
                "not an .xlsx file; skipped.",
                severity="warning",
            )
        elif info.flag_bits & 0x1:
            refuse(
                "encrypted",
                "tệp trong tệp nén đã được đặt mật khẩu; hãy nén lại không đặt mật khẩu.",
                "the member is password-protected; zip it again without a password.",
            )
        elif info.file_size > limits.max_bytes:
            size_vi, size_en = human_size(info.file_size)
            max_vi, max_en = human_size(limits.max_bytes)
            refuse(
                "too_large",
                f"tệp quá lớn ({size_vi}); giới hạn là {max_vi}.",
                f"the file is too large ({size_en}); the limit is {max_en}.",
            )
        elif lower in seen:
            refuse(
                "duplicate_name",
                "tên tệp bị trùng trong tệp nén; chỉ nhận tệp đầu tiên.",
                "the name occurs twice in the archive; only the first is taken.",
            )
        else:
            seen.add(lower)
            try:
                body = zf.read(info)
            except Exception as exc:  # zlib and zipfile raise many kinds
                p = corrupt_problem(exc, shown)
                out.append(
                    file_problem(
                        p.code, f"{shown}: {p.message_vi}", f"{shown}: {p.message_en}", file=shown
                    )
                )
                continue
            out.append(BatchFile(posixpath.normpath(shown), body))
    return out
