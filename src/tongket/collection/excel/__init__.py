"""Report forms as Excel workbooks, both ways: the pre-filled template and the upload reader.

Pure Python over openpyxl (no Django import); the collection app calls it. See
docs/collection-excel.md for the workbook format and the checks.
"""

from .batch import BatchFile, read_zip
from .common import SHEET_PASSWORD, Limits, Problem, fingerprint, plan_layout
from .upload import ExpectedMeta, UploadResult, read_upload
from .workbook import WorkbookMeta, build_workbook

__all__ = [
    "SHEET_PASSWORD",
    "BatchFile",
    "ExpectedMeta",
    "Limits",
    "Problem",
    "UploadResult",
    "WorkbookMeta",
    "build_workbook",
    "fingerprint",
    "plan_layout",
    "read_upload",
    "read_zip",
]
