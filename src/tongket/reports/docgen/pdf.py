"""DOCX -> PDF through LibreOffice headless, and PDF pages -> PNG through pdftoppm.

Both are optional system tools (Debian: libreoffice-writer-nogui, poppler-utils). Callers get a
`ToolMissing` error that says what to install, never a bare FileNotFoundError.

Each conversion runs with its own throw-away LibreOffice profile (-env:UserInstallation):
two soffice processes sharing the default profile lock each other out, and a web worker and a
CLI may convert at the same time.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path


class ToolMissing(RuntimeError):
    pass


class ConversionFailed(RuntimeError):
    pass


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdftoppm_path() -> str | None:
    return shutil.which("pdftoppm")


def docx_to_pdf(
    docx: str | Path | bytes, out_pdf: str | Path | None = None, timeout: float = 120
) -> bytes:
    """Convert a DOCX (path or bytes) to PDF; return the PDF bytes (and write out_pdf)."""
    exe = soffice_path()
    if exe is None:
        raise ToolMissing(
            "Không tìm thấy LibreOffice (soffice) để chuyển DOCX sang PDF; "
            "cài gói libreoffice-writer hoặc libreoffice-writer-nogui."
        )
    with tempfile.TemporaryDirectory(prefix="tongket-pdf-") as tmp:
        tmpdir = Path(tmp)
        src = tmpdir / "report.docx"
        if isinstance(docx, bytes):
            src.write_bytes(docx)
        else:
            shutil.copyfile(docx, src)
        profile = (tmpdir / "profile").as_uri()
        cmd = [
            exe,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmpdir),
            str(src),
        ]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as exc:
            raise ConversionFailed(f"LibreOffice quá {timeout:.0f} giây khi chuyển PDF") from exc
        pdf = tmpdir / "report.pdf"
        if proc.returncode != 0 or not pdf.exists():
            raise ConversionFailed(
                f"LibreOffice không chuyển được PDF (mã {proc.returncode}): "
                f"{(proc.stderr or proc.stdout).strip()[:500]}"
            )
        data = pdf.read_bytes()
    if out_pdf is not None:
        Path(out_pdf).write_bytes(data)
    return data


def pdf_to_pngs(
    pdf: str | Path,
    out_dir: str | Path,
    dpi: int = 80,
    first: int | None = None,
    last: int | None = None,
) -> list[Path]:
    """Render PDF pages to PNG files (page-1.png, ...) with pdftoppm; return them in order."""
    exe = pdftoppm_path()
    if exe is None:
        raise ToolMissing("Không tìm thấy pdftoppm; cài gói poppler-utils.")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "-r", str(dpi), "-png"]
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    cmd += [str(pdf), str(out / "page")]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode != 0:
        raise ConversionFailed(f"pdftoppm lỗi (mã {proc.returncode}): {proc.stderr[:300]}")
    # pdftoppm pads the page number to the width of the page count: sort numerically
    pages = sorted(out.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return pages


def pdf_page_count(pdf: bytes) -> int:
    """Pages of a PDF, counted from its /Type /Page objects (enough for our own PDFs)."""
    import re

    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
