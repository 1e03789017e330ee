"""Forms of the report checker page: the document (pasted or uploaded) and the import choice.

An uploaded file is hostile input: its size is checked against settings.TONGKET.max_upload_mb,
a .docx is opened as a zip and refused when it would unpack to far more than it weighs, and any
failure of the readers becomes a Vietnamese message on the form, never a server error.
"""

from __future__ import annotations

import logging
import tempfile
import zipfile
from pathlib import Path

from django import forms
from django.conf import settings

from tongket.core.vntext import nfc
from tongket.factcheck.actions import PASTED_NAME, clean_document_name
from tongket.factcheck.readers import ReadError, read_document

log = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".txt", ".docx", ".html", ".htm", ".pdf")
MAX_TEXT_CHARS = 2_000_000  # a long year review is ~200.000 characters
MAX_UNZIP_RATIO = 100  # .docx members that unpack past 100x the file are a zip bomb


def max_upload_bytes() -> int:
    return int(settings.TONGKET.max_upload_mb) * 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f}".replace(".", ",")


def _check_docx(path: Path, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(max(0, info.file_size) for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReadError(f"tệp '{name}' không phải tệp Word (.docx) hợp lệ") from exc
    limit = max(max_upload_bytes(), path.stat().st_size * MAX_UNZIP_RATIO)
    if unpacked > limit:
        raise ReadError(f"tệp Word '{name}' giải nén ra quá lớn ({_mb(unpacked)} MB), không đọc")


def read_upload(upload) -> str:
    """The NFC text of an uploaded file; ReadError (Vietnamese) for anything unreadable."""
    name = clean_document_name(upload.name)
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ReadError(
            f"không hỗ trợ định dạng '{suffix or '(không có đuôi)'}' của tệp '{name}' "
            f"(hỗ trợ: {', '.join(ALLOWED_SUFFIXES)})"
        )
    limit = max_upload_bytes()
    if upload.size is not None and upload.size > limit:
        raise ReadError(
            f"tệp '{name}' nặng {_mb(upload.size)} MB, vượt giới hạn "
            f"{settings.TONGKET.max_upload_mb} MB"
        )
    with tempfile.TemporaryDirectory(prefix="tongket-factcheck-") as tmp:
        path = Path(tmp) / f"document{suffix}"
        written = 0
        with path.open("wb") as out:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > limit:
                    raise ReadError(
                        f"tệp '{name}' vượt giới hạn {settings.TONGKET.max_upload_mb} MB"
                    )
                out.write(chunk)
        try:
            if suffix == ".docx":
                _check_docx(path, name)
            return read_document(path)
        except ReadError as exc:
            # The readers name the temporary file; the user knows their file by its own name.
            raise ReadError(str(exc).replace(str(path), name).replace(path.name, name)) from exc
        except Exception as exc:  # a hostile file must give a message, never a server error
            log.warning("factcheck: cannot read upload %r: %r", name, exc)
            raise ReadError(
                f"không đọc được tệp '{name}': tệp hỏng hoặc không đúng định dạng {suffix}"
            ) from exc


class DocumentForm(forms.Form):
    text = forms.CharField(
        label="Dán văn bản báo cáo",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 100}),
    )
    file = forms.FileField(
        label="hoặc chọn tệp (.txt, .docx, .html, .pdf)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(ALLOWED_SUFFIXES)}),
        error_messages={
            "empty": "Tệp đã chọn rỗng (0 byte).",
            "invalid": "Không nhận được tệp; hãy chọn lại.",
            "missing": "Không nhận được tệp; hãy chọn lại.",
        },
    )

    def clean(self):
        data = super().clean()
        if self.has_error("file"):
            return data
        upload = data.get("file")
        pasted = data.get("text") or ""
        if upload:
            try:
                text = read_upload(upload)
            except ReadError as exc:
                raise forms.ValidationError(f"Không đọc được tệp: {exc}.") from exc
            name = clean_document_name(upload.name)
        elif pasted.strip():
            text, name = nfc(pasted), PASTED_NAME
        else:
            raise forms.ValidationError("Hãy dán văn bản hoặc chọn một tệp báo cáo.")
        if not text.strip():
            raise forms.ValidationError(f"Tài liệu '{name}' không có chữ nào để kiểm tra.")
        if len(text) > MAX_TEXT_CHARS:
            have, most = (f"{n:,}".replace(",", ".") for n in (len(text), MAX_TEXT_CHARS))
            raise forms.ValidationError(
                f"Văn bản quá dài ({have} ký tự, tối đa {most}); hãy tách thành nhiều phần."
            )
        data["document_text"], data["document_name"] = text, name
        return data


class ImportForm(forms.Form):
    unit = forms.IntegerField(
        label="Đơn vị",
        error_messages={"required": "Hãy chọn đơn vị.", "invalid": "Đơn vị không hợp lệ."},
    )
    period = forms.CharField(
        label="Kỳ báo cáo (năm học)",
        max_length=40,
        error_messages={"required": "Hãy nhập kỳ báo cáo, ví dụ 2019-2020."},
    )

    def clean(self):
        data = super().clean()
        raw = self.data.getlist("facts") if hasattr(self.data, "getlist") else []
        facts = []
        for value in raw:
            try:
                facts.append(int(value))
            except (TypeError, ValueError):
                raise forms.ValidationError("Số liệu đã chọn không hợp lệ.") from None
        if not facts:
            raise forms.ValidationError("Chưa chọn số liệu nào để nhập.")
        data["facts"] = facts
        return data
