"""Report forms as Excel workbooks, both ways: the pre-filled template and the upload reader.

Pure Python over openpyxl (no Django import); the collection app calls it. See
docs/collection-excel.md for the workbook format and the checks.
"""

from .batch import BatchFile, read_zip
from .common import SHEET_PASSWORD, Limits, Problem, base_token, fingerprint, plan_layout
from .merge import MINE, THEIRS, Conflict, Merge, merge, values_digest
from .upload import ExpectedMeta, UploadResult, read_upload
from .workbook import WorkbookMeta, build_workbook

__all__ = [
    "MINE",
    "SHEET_PASSWORD",
    "THEIRS",
    "BatchFile",
    "Conflict",
    "ExpectedMeta",
    "Limits",
    "Merge",
    "Problem",
    "UploadResult",
    "WorkbookMeta",
    "base_token",
    "build_workbook",
    "fingerprint",
    "merge",
    "plan_layout",
    "read_upload",
    "read_zip",
    "values_digest",
]
