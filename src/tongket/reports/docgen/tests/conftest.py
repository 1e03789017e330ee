"""Shared fixtures: one sample report rendered once per session (rendering draws 3 charts)."""

from __future__ import annotations

import pytest

from tongket.reports.docgen.nd30_docx import render_docx
from tongket.reports.docgen.sample import sample_report


def make_report(**kw):
    """The realistic test factory: a provincial year review with 12 communes, 30 schools."""
    return sample_report(**kw)


@pytest.fixture(scope="session")
def report():
    return make_report()


@pytest.fixture(scope="session")
def rendered(report):
    return render_docx(report)


@pytest.fixture(scope="session")
def docx_path(rendered, tmp_path_factory):
    path = tmp_path_factory.mktemp("docgen") / "report.docx"
    path.write_bytes(rendered.data)
    return path
