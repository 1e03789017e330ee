"""Read a filled-in form workbook back into values, with a located message for each problem.

The checks run from the cheapest and most fundamental to the finest, and stop at the first
level that fails, because later checks would only add noise (a workbook of another school has
no meaningful cell errors):

1. bytes: size, magic (xlsx / encrypted-or-.xls / something else), zip directory (members,
   declared sizes, ratio, DOCTYPE) - before openpyxl decompresses anything (zipguard);
2. identity: "_meta" and "_map" exist; form, version, round, period and unit match what the
   caller expects; the HMAC over _meta and the digest of _map verify;
3. structure: _map has no duplicates and matches the form's grid; every row code and column
   header is where the grid puts it (no inserted or deleted rows or columns);
4. cells: every input cell is empty or a number of the right kind; totals are ignored.

The caller stores nothing when `result.ok` is false: nothing is half-saved.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from tongket.core.vntext import format_number, nfc

from .common import (
    CODE_COL,
    EXPLANATIONS_SHEET,
    FIRST_VALUE_COL,
    FORMAT,
    MAP_SHEET,
    META_SHEET,
    Limits,
    Plan,
    PlannedCell,
    Problem,
    file_problem,
    fingerprint,
    map_digest,
    plan_layout,
    verify,
)
from .numbers import parse_cell
from .zipguard import corrupt_problem, open_xlsx_zip

_MAX_META_ROWS = 100  # fields plus the chunks of the base token (common.MAX_BASE_CHUNKS)
_MAX_EXPLANATIONS = 1000


@dataclass(frozen=True)
class ExpectedMeta:
    """What the upload must be. unit_code None accepts any unit (an office uploading for its
    schools): the caller must then check `result.meta["unit_code"]` against the user's scope;
    the HMAC still proves the workbook was made for that unit."""

    form_code: str
    form_version: str
    round_id: str | int
    period: str
    unit_code: str | None = None
    unit_name: str = ""  # only for messages


@dataclass
class UploadResult:
    # every input cell of the workbook that could be read: a number, or None for an empty
    # cell (so a figure the user deleted is deleted). Cells with an error are left out.
    values: dict[tuple[str, str], float | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # as read from _meta
    explanations: dict[str, str] = field(default_factory=dict)  # warning code -> text
    fingerprint: str = ""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return not self.errors


def _not_template(sheet: str, missing: bool = True) -> Problem:
    why_vi = f"thiếu trang ẩn {sheet}" if missing else f"trang ẩn {sheet} không đúng định dạng"
    why_en = f"hidden sheet {sheet} is missing" if missing else f"hidden sheet {sheet} is not ours"
    return file_problem(
        "not_template",
        f"Tệp không phải tệp mẫu tải từ Tongket ({why_vi}). Hãy tải mẫu Excel của biểu từ hệ "
        "thống, nhập số liệu vào đó rồi tải lên.",
        f"The file is not a template downloaded from Tongket ({why_en}). Download the form's "
        "Excel template, fill it in and upload it.",
    )


def _rows(ws, max_row: int, max_col: int) -> dict[tuple[int, int], tuple[object, str]]:
    """(row, col) -> (value, data_type) of the non-empty cells within the bounds.

    Bounded reads: a sheet padded with a million rows costs nothing beyond the grid.
    """
    grid: dict[tuple[int, int], tuple[object, str]] = {}
    for row in ws.iter_rows(min_row=1, max_row=max_row, max_col=max_col):
        for c in row:
            value = getattr(c, "value", None)
            if value is not None:
                grid[(c.row, c.column)] = (value, getattr(c, "data_type", "n"))
    return grid


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return nfc(str(value)).strip()


def _check_identity(meta: dict[str, str], expected: ExpectedMeta, key: bytes) -> list[Problem]:
    out: list[Problem] = []
    got_form = meta.get("form_code", "")
    if got_form != expected.form_code:
        out.append(
            file_problem(
                "wrong_form",
                f"Tệp là biểu {got_form or '(không rõ)'}, không phải biểu {expected.form_code} "
                "của đợt báo cáo này.",
                f"The file is form {got_form or '(unknown)'}, not form {expected.form_code} of "
                "this round.",
            )
        )
    elif meta.get("form_version", "") != str(expected.form_version):
        out.append(
            file_problem(
                "wrong_version",
                f"Tệp dùng mẫu biểu phiên bản {meta.get('form_version')}, đợt này dùng phiên bản "
                f"{expected.form_version}. Hãy tải lại mẫu mới từ hệ thống.",
                f"The file uses form version {meta.get('form_version')}; this round uses "
                f"{expected.form_version}. Download the new template.",
            )
        )
    if meta.get("round_id", "") != str(expected.round_id):
        out.append(
            file_problem(
                "wrong_round",
                f"Tệp thuộc đợt báo cáo số {meta.get('round_id')}, không phải đợt số "
                f"{expected.round_id}.",
                f"The file belongs to round {meta.get('round_id')}, not round {expected.round_id}.",
            )
        )
    if meta.get("period", "") != expected.period:
        out.append(
            file_problem(
                "wrong_period",
                f"Tệp là số liệu kỳ {meta.get('period')}, không phải kỳ {expected.period}.",
                f"The file holds figures for {meta.get('period')}, not {expected.period}.",
            )
        )
    if expected.unit_code is not None and meta.get("unit_code", "") != str(expected.unit_code):
        name = meta.get("unit_name", "")
        code = expected.unit_code
        want_vi = f"{expected.unit_name} (mã {code})" if expected.unit_name else f"mã {code}"
        want_en = f"{expected.unit_name} (code {code})" if expected.unit_name else f"code {code}"
        out.append(
            file_problem(
                "wrong_unit",
                f"Tệp của đơn vị {name} (mã {meta.get('unit_code')}), không phải của đơn vị "
                f"{want_vi}.",
                f"The file belongs to unit {name} (code {meta.get('unit_code')}), not to "
                f"{want_en}.",
            )
        )
    if not verify(meta, key):
        out.append(
            file_problem(
                "tampered",
                "Dấu xác thực của tệp không khớp: thông tin nhận dạng trong tệp (trang ẩn _meta) "
                "đã bị sửa, hoặc tệp không do hệ thống này tạo ra. Hãy tải lại mẫu từ hệ thống.",
                "The file's signature does not match: its identity (hidden sheet _meta) was "
                "edited, or it was not made by this system. Download the template again.",
            )
        )
    return out


def _check_map(
    map_rows: list[tuple[str, str, str, str, str]], plan: Plan, meta: Mapping[str, str]
) -> list[Problem]:
    out: list[Problem] = []
    seen_cells: dict[tuple[str, str], int] = {}
    seen_keys: dict[tuple[str, str], tuple[int, str]] = {}
    for i, (sheet, coord, element, combo, _kind) in enumerate(map_rows, start=2):
        where = f"{sheet}!{coord}"
        if (sheet, coord) in seen_cells:
            first = seen_cells[(sheet, coord)]
            out.append(
                Problem(
                    MAP_SHEET,
                    f"B{i}",
                    element,
                    combo,
                    "error",
                    f"{MAP_SHEET}!B{i}: ô {where} được gán hai lần (dòng {first} và dòng {i}).",
                    f"{MAP_SHEET}!B{i}: cell {where} is mapped twice (rows {first} and {i}).",
                    "duplicate_cell",
                )
            )
        seen_cells.setdefault((sheet, coord), i)
        if (element, combo) in seen_keys:
            first_row, first_where = seen_keys[(element, combo)]
            out.append(
                Problem(
                    MAP_SHEET,
                    f"C{i}",
                    element,
                    combo,
                    "error",
                    f"{MAP_SHEET}!C{i}: chỉ tiêu {element} [{combo}] được gán cho hai ô "
                    f"({first_where} và {where}).",
                    f"{MAP_SHEET}!C{i}: {element} [{combo}] is mapped to two cells "
                    f"({first_where} and {where}).",
                    "duplicate_key",
                )
            )
        seen_keys.setdefault((element, combo), (i, where))
    if out:
        return out
    if map_digest(map_rows) != meta.get("map_digest"):
        return [
            file_problem(
                "tampered",
                "Trang ẩn _map (vị trí các ô số liệu) đã bị sửa; hãy tải lại mẫu từ hệ thống.",
                "The hidden sheet _map (where each figure sits) was edited; download the "
                "template again.",
            )
        ]
    expected = plan.map_rows()
    if map_rows != expected:
        i = next(
            (k for k, (a, b) in enumerate(zip(map_rows, expected, strict=False)) if a != b),
            min(len(map_rows), len(expected)),
        )
        return [
            Problem(
                MAP_SHEET,
                f"A{i + 2}",
                "",
                "",
                "error",
                f"Cấu trúc biểu trong tệp khác với biểu {meta.get('form_code')} phiên bản "
                f"{meta.get('form_version')} hiện hành (khác từ dòng {i + 2} của _map). Hãy tải "
                "lại mẫu từ hệ thống.",
                f"The file's form structure differs from the current form "
                f"{meta.get('form_code')} version {meta.get('form_version')} (from _map row "
                f"{i + 2}). Download the template again.",
                "map_mismatch",
            )
        ]
    return []


def _check_structure(grid: dict, plan: Plan) -> list[Problem]:
    """Row codes and column headers where the grid puts them, or the cells are misread."""
    wrong: list[tuple[str, str, str, str]] = []  # (coord, expected vi, expected en, found)
    for sec in plan.sections:
        for j, label in enumerate(sec.columns):
            found = _text(grid.get((sec.header_row, FIRST_VALUE_COL + j), (None, ""))[0])
            if found != nfc(label).strip():
                col = get_column_letter(FIRST_VALUE_COL + j)
                want = (f"tiêu đề cột '{label}'", f"column header '{label}'")
                wrong.append((f"{col}{sec.header_row}", *want, found))
        for row, code, _label, _total in sec.rows:
            found = _text(grid.get((row, CODE_COL), (None, ""))[0])
            if found != code and found.lstrip("0") != code.lstrip("0"):
                wrong.append((f"A{row}", f"mã số '{code}'", f"row code '{code}'", found))
    if not wrong:
        return []
    coord, want_vi, want_en, found = wrong[0]
    more_vi = f" (và {len(wrong) - 1} chỗ khác)" if len(wrong) > 1 else ""
    more_en = f" (and {len(wrong) - 1} more)" if len(wrong) > 1 else ""
    return [
        Problem(
            plan.sheet,
            coord,
            "",
            "",
            "error",
            f"{plan.sheet}!{coord}: cấu trúc biểu đã bị thay đổi (chèn, xoá hoặc di chuyển dòng, "
            f"cột): ô này phải là {want_vi} nhưng là '{found}'{more_vi}. Hãy tải lại mẫu từ hệ "
            "thống và nhập lại số liệu.",
            f"{plan.sheet}!{coord}: the form's structure was changed (rows or columns inserted, "
            f"deleted or moved): this cell should hold {want_en} "
            f"but holds '{found}'{more_en}. Download the template and enter the figures again.",
            "structure_changed",
        )
    ]


def _cell_problem(
    plan: Plan, pc: PlannedCell, severity: str, code: str, vi: str, en: str
) -> Problem:
    where = f"{plan.sheet}!{pc.coord} ({pc.label})"
    return Problem(
        plan.sheet,
        pc.coord,
        pc.element,
        pc.combo,
        severity,
        f"{where}: {vi}",
        f"{where}: {en}",
        code,
    )


def _read_cells(
    grid: dict, plan: Plan, limits: Limits, value_types: Mapping[str, str], result: UploadResult
) -> None:
    for pc in plan.cells:
        value, dtype = grid.get((pc.row, pc.col), (None, "n"))
        if pc.kind == "total":
            # a typed number over a total is worth a word; any formula (ours, or as Excel
            # rewrote it on saving) is just ignored
            # (a total with no parts holds the stored figure as a constant: nothing to say)
            typed = dtype != "f" and not str(value).startswith("=")
            if value is not None and typed and plan.sums.get(pc.coord):
                result.problems.append(
                    _cell_problem(
                        plan,
                        pc,
                        "warning",
                        "total_ignored",
                        f"dòng tổng do hệ thống tự tính; nội dung '{value}' trong ô bị bỏ qua",
                        f"a total row computed by the system; '{value}' in the cell is ignored",
                    )
                )
            continue
        vtype = value_types.get(pc.element, "count")
        parsed = parse_cell(value, dtype, vtype)
        if not parsed.ok:
            result.problems.append(
                _cell_problem(plan, pc, "error", parsed.code, parsed.vi, parsed.en)
            )
            continue
        result.values[(pc.element, pc.combo)] = parsed.value
        ceiling = limits.ceilings.get(pc.element)
        if ceiling is None and vtype == "count":
            ceiling = limits.default_ceiling
        if parsed.value is not None and ceiling is not None and parsed.value > ceiling:
            result.problems.append(
                _cell_problem(
                    plan,
                    pc,
                    "warning",
                    "above_ceiling",
                    f"giá trị {format_number(parsed.value)} lớn bất thường (ngưỡng "
                    f"{format_number(ceiling)}); hãy kiểm tra lại",
                    f"the value {parsed.value:g} is unusually large (ceiling {ceiling:g}); "
                    "please check it",
                )
            )


def read_upload(
    data: bytes,
    expected: ExpectedMeta,
    layout: dict,
    hmac_key: bytes | str,
    limits: Limits | None = None,
    *,
    value_types: Mapping[str, str] | None = None,
) -> UploadResult:
    """Read an uploaded workbook of the form `layout` for the round and unit in `expected`."""
    limits = limits or Limits()
    if isinstance(hmac_key, str):  # a settings value passed as text signs the same
        hmac_key = hmac_key.encode("utf-8")
    result = UploadResult(fingerprint=fingerprint(data))
    zf, problems = open_xlsx_zip(data, limits)
    if zf is None:
        result.problems = problems
        return result
    zf.close()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:
        result.problems.append(corrupt_problem(exc))
        return result
    try:
        _read_workbook(wb, expected, layout, hmac_key, limits, value_types or {}, result)
    except Exception as exc:
        result.values = {}
        result.problems.append(corrupt_problem(exc))
    finally:
        wb.close()
    return result


def _read_workbook(wb, expected, layout, hmac_key, limits, value_types, result) -> None:
    names = set(wb.sheetnames)
    for needed in (META_SHEET, MAP_SHEET):
        if needed not in names:
            result.problems.append(_not_template(needed))
            return
    meta_grid = _rows(wb[META_SHEET], _MAX_META_ROWS, 2)
    meta = {
        _text(meta_grid[(r, 1)][0]): _text(meta_grid.get((r, 2), (None, ""))[0])
        for (r, c) in sorted(meta_grid)
        if c == 1
    }
    result.meta = meta
    if meta.get("format") != FORMAT:
        result.problems.append(_not_template(META_SHEET, missing=False))
        return
    result.problems.extend(_check_identity(meta, expected, hmac_key))
    if result.errors:
        return

    plan = plan_layout(expected.form_code, layout)
    map_grid = _rows(wb[MAP_SHEET], len(plan.cells) + 1 + _MAX_META_ROWS, 5)
    last = max((r for r, _c in map_grid), default=1)
    map_rows = [
        tuple(_text(map_grid.get((r, c), (None, ""))[0]) for c in range(1, 6))
        for r in range(2, last + 1)
    ]
    result.problems.extend(_check_map(map_rows, plan, meta))  # type: ignore[arg-type]
    if result.errors:
        return
    if plan.sheet not in names:
        result.problems.append(
            file_problem(
                "sheet_missing",
                f"Không tìm thấy trang “{plan.sheet}” trong tệp; không được đổi tên hay xoá trang. "
                "Hãy tải lại mẫu từ hệ thống.",
                f"Sheet “{plan.sheet}” is missing; sheets must not be renamed or deleted. "
                "Download the template again.",
            )
        )
        return
    grid = _rows(wb[plan.sheet], plan.max_row, plan.max_col)
    result.problems.extend(_check_structure(grid, plan))
    if result.errors:
        return
    _read_cells(grid, plan, limits, value_types, result)
    if EXPLANATIONS_SHEET in names:
        ex = _rows(wb[EXPLANATIONS_SHEET], 4 + _MAX_EXPLANATIONS, 2)
        for (r, c), (value, _t) in sorted(ex.items()):
            text = _text(ex.get((r, 2), (None, ""))[0])
            if c == 1 and r > 4 and text:
                result.explanations[_text(value)] = text
