"""What the workbook writer and the upload reader share: the grid plan, the signature, limits.

The grid plan (`plan_layout`) is the one place that decides where each input box of a form sits
on the data sheet. The writer lays the sheet out from it and the reader finds the cells through
it, so the two can never disagree; the hidden "_map" sheet is a signed copy of the plan, so a
workbook made from another version of the form is recognised instead of being read in the
wrong places.

Plain Python (openpyxl only for cell coordinates); no Django import.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl.utils import get_column_letter

from tongket.core.expr import combo_dict
from tongket.core.vntext import format_number

FORMAT = "tongket-form-xlsx"
FORMAT_VERSION = "1"

# Sheet protection keeps people from breaking the layout by accident; it is not a secret (Excel
# protection is trivially removed). Tampering is caught by the HMAC in "_meta", not by this.
SHEET_PASSWORD = "tongket"

INSTRUCTIONS_SHEET = "Hướng dẫn"
EXPLANATIONS_SHEET = "Giải trình"
META_SHEET = "_meta"
MAP_SHEET = "_map"
MAP_HEADER = ("sheet", "cell", "element", "combo", "kind")

# Data sheet grid: rows 1-4 carry the title block, sections start at FIRST_ROW.
FIRST_ROW = 6
CODE_COL = 1  # A: "Mã số"
LABEL_COL = 2  # B: the row's label
FIRST_VALUE_COL = 3  # C: the first layout column

# The fields of _meta covered by the signature. Display-only fields (unit name, due date,
# status) are left out: they may change after the template was downloaded without making the
# figures in it belong to anyone else.
SIGNED_FIELDS = (
    "format",
    "format_version",
    "form_code",
    "form_version",
    "round_id",
    "period",
    "unit_code",
    "sheet",
    "map_digest",
)

# The base token (see merge.py) goes in _meta rows "base.0", "base.1", ...: an Excel cell holds
# at most 32.767 characters, and a large form's compressed values may need more than one.
BASE_CHUNK = 30_000
MAX_BASE_CHUNKS = 40


def base_rows(token: str) -> list[tuple[str, str]]:
    return [
        (f"base.{i}", token[at : at + BASE_CHUNK])
        for i, at in enumerate(range(0, len(token), BASE_CHUNK))
    ]


def base_token(meta: Mapping[str, str]) -> str:
    """The base token of a workbook's _meta as read ("" when it has none)."""
    parts = []
    for i in range(MAX_BASE_CHUNKS):
        part = meta.get(f"base.{i}")
        if not part:
            break
        parts.append(part)
    return "".join(parts)


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Bounds on what an upload may be; checked before anything is decompressed.

    Declared sizes are trustworthy enough here because Python's zipfile (which openpyxl uses)
    never inflates a member beyond the size the central directory declares: a member that lies
    fails its CRC check instead of filling memory.
    """

    max_bytes: int = 10 * MiB  # one workbook as uploaded
    max_unzipped_bytes: int = 64 * MiB  # sum of the declared sizes of its members
    max_members: int = 300  # a Tongket workbook has ~15
    max_ratio: float = 100.0  # uncompressed / compressed, per member ...
    ratio_floor: int = 1 * MiB  # ... for members larger than this (small XML packs well)
    # Plausibility ceilings: a count above its ceiling is a warning, not an error (a big
    # commune may really have 120.000 inhabitants). Per element code; default for the rest.
    ceilings: Mapping[str, float] = field(default_factory=dict)
    default_ceiling: float | None = 100_000
    # Batch uploads (batch.read_zip): the outer zip and what it may hold.
    batch_max_bytes: int = 200 * MiB
    batch_max_files: int = 1000
    batch_max_unzipped_bytes: int = 512 * MiB

    def ceiling(self, element: str) -> float | None:
        return self.ceilings.get(element, self.default_ceiling)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload, located as precisely as the check allows.

    File-level problems (not an xlsx, wrong school) have empty sheet and cell. `file` is set by
    batch uploads to the member's name. `code` is a stable machine code for tests and the API.
    """

    sheet: str
    cell: str
    element: str
    combo: str
    severity: str  # "error" | "warning"
    message_vi: str
    message_en: str
    code: str = ""
    file: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return self.message_vi


def file_problem(
    code: str, vi: str, en: str, *, severity: str = "error", file: str = ""
) -> Problem:
    return Problem("", "", "", "", severity, vi, en, code, file)


def fingerprint(data: bytes) -> str:
    """sha256 of the uploaded bytes, so the same file uploaded twice is recognised.

    A workbook opened and saved again in Excel gets new bytes (timestamps inside), so this
    recognises re-uploads of one file, not equal figures.
    """
    return hashlib.sha256(data).hexdigest()


def data_sheet_name(form_code: str) -> str:
    """'02.ĐN-TH' -> 'Biểu 02', as schools call the paper form; 'SK-HK1' -> 'Biểu SK-HK1'."""
    head = form_code.split(".", 1)[0].strip() or form_code
    return _BAD_SHEET_CHARS.sub("-", f"Biểu {head}")[:31]


@dataclass(frozen=True)
class PlannedCell:
    """One box of the data sheet: an input cell or a total the system computes."""

    row: int
    col: int
    element: str
    combo: str
    kind: str  # "input" | "total"
    label: str  # "Học sinh, Lớp 3, Nữ": where a person finds it on paper
    row_code: str
    header_row: int
    column_label: str

    @property
    def coord(self) -> str:
        return f"{get_column_letter(self.col)}{self.row}"


@dataclass(frozen=True)
class PlannedSection:
    code: str
    title: str
    title_row: int
    header_row: int
    columns: tuple[str, ...]
    rows: tuple[tuple[int, str, str, bool], ...]  # (sheet row, code, label, is total)


@dataclass
class Plan:
    sheet: str
    sections: list[PlannedSection]
    cells: list[PlannedCell]
    # total cell coordinate -> coordinates of the cells it adds up (empty: no formula)
    sums: dict[str, list[str]]
    max_row: int
    max_col: int

    def map_rows(self) -> list[tuple[str, str, str, str, str]]:
        return [(self.sheet, c.coord, c.element, c.combo, c.kind) for c in self.cells]

    def by_key(self) -> dict[tuple[str, str], PlannedCell]:
        return {(c.element, c.combo): c for c in self.cells}


def plan_layout(form_code: str, layout: dict) -> Plan:
    """Place a form's layout (catalog.packs.Form.layout) on the data sheet grid."""
    sheet = data_sheet_name(form_code)
    sections: list[PlannedSection] = []
    cells: list[PlannedCell] = []
    sums: dict[str, list[str]] = {}
    r = FIRST_ROW
    max_col = LABEL_COL
    for sec in layout.get("sections", []):
        columns = tuple(sec.get("columns") or [])
        title_row, header_row = r, r + 1
        r += 2
        planned_rows = []
        row_cells: list[list[PlannedCell]] = []
        for row in sec.get("rows", []):
            planned_rows.append((r, str(row["code"]), str(row["label"]), bool(row.get("total"))))
            this_row = []
            for j, cell in enumerate(row.get("cells", [])):
                col_label = columns[j] if j < len(columns) else ""
                parts = [sec.get("title") or sec.get("code", ""), row["label"]]
                if len(columns) > 1:  # "Tổng số" on a one-column section says nothing
                    parts.append(col_label)
                pc = PlannedCell(
                    row=r,
                    col=FIRST_VALUE_COL + j,
                    element=cell["element"],
                    combo=cell["combo"],
                    kind="total" if cell.get("computed") else "input",
                    label=", ".join(str(p) for p in parts if p),
                    row_code=str(row["code"]),
                    header_row=header_row,
                    column_label=col_label,
                )
                this_row.append(pc)
                cells.append(pc)
                max_col = max(max_col, pc.col)
            row_cells.append(this_row)
            r += 1
        sums.update(_total_sums(sec.get("rows", []), row_cells))
        sections.append(
            PlannedSection(
                str(sec.get("code", "")),
                str(sec.get("title", "")),
                title_row,
                header_row,
                columns,
                tuple(planned_rows),
            )
        )
        max_col = max(max_col, FIRST_VALUE_COL + len(columns) - 1)
        r += 1  # a blank row between sections, as on paper
    return Plan(sheet, sections, cells, sums, max(r - 1, FIRST_ROW), max_col)


def _total_sums(rows: list[dict], row_cells: list[list[PlannedCell]]) -> dict[str, list[str]]:
    """Which cells a total row adds up: the rows after it that split the same element.

    The pack says only `total: true`; the parts are the following non-total rows of the same
    element whose combo extends the total's by the same dimensions as the first part (so the
    grade rows under "Tổng số học sinh" are summed, and a later row of another split is not).
    """
    out: dict[str, list[str]] = {}
    for i, row in enumerate(rows):
        if not row.get("total"):
            continue
        base = combo_dict(row.get("combo", ""))
        extra: set[str] | None = None
        parts: list[int] = []
        for k in range(i + 1, len(rows)):
            other = rows[k]
            if other.get("total") and other["element"] == row["element"]:
                break
            combo = combo_dict(other.get("combo", ""))
            if other["element"] != row["element"] or other.get("total"):
                continue
            if any(combo.get(d) != v for d, v in base.items()) or len(combo) <= len(base):
                continue
            dims = set(combo) - set(base)
            if extra is None:
                extra = dims
            if dims == extra:
                parts.append(k)
        for j, cell in enumerate(row_cells[i]):
            out[cell.coord] = [row_cells[k][j].coord for k in parts if j < len(row_cells[k])]
    return out


def sum_formula(coords: list[str]) -> str:
    """=SUM(C12:C16) when the parts are one column run, else =SUM(C12,C14)."""
    cols = {c.rstrip("0123456789") for c in coords}
    rows = [int(c[len(c.rstrip("0123456789")) :]) for c in coords]
    if len(cols) == 1 and rows == list(range(rows[0], rows[0] + len(rows))):
        return f"=SUM({coords[0]}:{coords[-1]})"
    return f"=SUM({','.join(coords)})"


def map_digest(rows: Sequence[tuple[str, ...]]) -> str:
    """Digest of the _map rows, in order, so the signature covers where every value is read."""
    text = "\n".join("\t".join(r) for r in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sign(meta: Mapping[str, str], key: bytes) -> str:
    """HMAC-SHA256 over the signed fields of _meta, as canonical JSON."""
    payload = json.dumps(
        {k: str(meta.get(k, "")) for k in SIGNED_FIELDS},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, payload.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(meta: Mapping[str, str], key: bytes) -> bool:
    return hmac.compare_digest(sign(meta, key), str(meta.get("hmac", "")))


def human_size(n: int) -> tuple[str, str]:
    """Bytes as "12,5 MB" (Vietnamese) and "12.5 MB" (English)."""
    if n < 1024:
        return f"{n} byte", f"{n} bytes"
    if n < MiB:
        return f"{format_number(n / 1024, 1)} KB", f"{n / 1024:.1f} KB"
    return f"{format_number(n / MiB, 1)} MB", f"{n / MiB:.1f} MB"
