"""PDF through LibreOffice; skipped cleanly where LibreOffice or pdftoppm is not installed."""

from __future__ import annotations

import pytest

from tongket.reports.docgen import pdf


def test_missing_tool_message(monkeypatch):
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(pdf.ToolMissing, match="LibreOffice"):
        pdf.docx_to_pdf(b"not used")
    with pytest.raises(pdf.ToolMissing, match="poppler"):
        pdf.pdf_to_pngs("x.pdf", "/tmp")


@pytest.mark.skipif(pdf.soffice_path() is None, reason="LibreOffice (soffice) not installed")
def test_docx_to_pdf_and_pages(rendered, tmp_path):
    data = pdf.docx_to_pdf(rendered.data, tmp_path / "r.pdf")
    assert data.startswith(b"%PDF")
    assert pdf.pdf_page_count(data) >= 4
    if pdf.pdftoppm_path() is None:
        pytest.skip("pdftoppm not installed")
    pages = pdf.pdf_to_pngs(tmp_path / "r.pdf", tmp_path / "png", dpi=30, first=1, last=2)
    assert [p.name for p in pages] == ["page-1.png", "page-2.png"]
    assert pages[0].read_bytes()[:4] == b"\x89PNG"
