"""Pure document generation for review reports: NĐ 30/2020 DOCX, Excel annexes, charts, PDF.

No Django import anywhere in this package: the reports app fills a `ReviewReport` from the
database and calls `build_docx` / `build_xlsx`. See docs/reports.md.
"""

from .annex_xlsx import build_workbook, build_xlsx
from .model import (
    AnnexColumn,
    AnnexTable,
    BarChart,
    IndicatorResult,
    IssuingBody,
    LineChart,
    NextTarget,
    ProposalGroup,
    QualityOutlier,
    ReportingStatus,
    ReportKind,
    ReviewReport,
    Signature,
    SignPrefix,
    StaffingLine,
    Target,
    UnitFigure,
    UnitKind,
    UnitsBehind,
    Verdict,
)
from .nd30_docx import Rendered, build_docx, nd30_date, render_docx
from .sentences import indicator_sentence, verdict
from .trace import Trace, extract_numbers

__all__ = [
    "AnnexColumn",
    "AnnexTable",
    "BarChart",
    "IndicatorResult",
    "IssuingBody",
    "LineChart",
    "NextTarget",
    "ProposalGroup",
    "QualityOutlier",
    "Rendered",
    "ReportKind",
    "ReportingStatus",
    "ReviewReport",
    "SignPrefix",
    "Signature",
    "StaffingLine",
    "Target",
    "Trace",
    "UnitFigure",
    "UnitKind",
    "UnitsBehind",
    "Verdict",
    "build_docx",
    "build_workbook",
    "build_xlsx",
    "extract_numbers",
    "indicator_sentence",
    "nd30_date",
    "render_docx",
    "verdict",
]
