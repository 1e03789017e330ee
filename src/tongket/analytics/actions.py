"""Every write of the analytics app: targets entered on the web, imported from Excel or YAML,
and the demo province's targets.

Who may set a target: provincial specialists and commune officers for units in their scope
as of the period (administrators everywhere); schools and leaders may not. `user=None` is
the command line (an operator on the server), which has no scope to check.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass, field

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tongket.analytics.models import Target
from tongket.catalog.models import Indicator
from tongket.core import audit, definitions
from tongket.core import periods as pd
from tongket.core.models import ChangeLog, Channel, Role
from tongket.core.scope import is_admin, profile_of, require_write
from tongket.core.vntext import clean_text, fold, nfc
from tongket.units.models import OrgUnit, UnitKind, active_q

TARGET_ROLES = (Role.PROVINCE, Role.COMMUNE, Role.ADMIN)
MAX_IMPORT_ROWS = 20_000


class TargetError(ValueError):
    """A target that cannot be saved, with a Vietnamese message saying what and where."""


def can_set_targets(user) -> bool:
    if user is None or is_admin(user):
        return True
    prof = profile_of(user)
    return prof is not None and prof.role in TARGET_ROLES


def _check_user(user, unit: OrgUnit, period: str) -> None:
    if user is None:
        return
    if not can_set_targets(user):
        raise PermissionDenied("Chỉ chuyên viên Sở hoặc cán bộ xã/phường mới được giao chỉ tiêu.")
    require_write(user, unit.pk, definitions.reference_date(period))


def canonical_period(text: str) -> str:
    try:
        return pd.parse(str(text)).code
    except pd.PeriodError as exc:
        raise TargetError(str(exc)) from exc


def _check_numbers(
    ind: Indicator, value: float | None, low: float | None, high: float | None
) -> None:
    given = [x for x in (value, low, high) if x is not None]
    if any(isinstance(x, float) and (math.isnan(x) or math.isinf(x)) for x in given):
        raise TargetError("Giá trị chỉ tiêu không hợp lệ.")
    if value is not None and (low is not None or high is not None):
        raise TargetError(
            "Nhập một giá trị chỉ tiêu hoặc một khoảng (từ – đến), không nhập cả hai."
        )
    if value is None and (low is None or high is None):
        raise TargetError(
            "Thiếu chỉ tiêu: nhập một giá trị, hoặc cả cận dưới và cận trên của khoảng."
        )
    if low is not None and high is not None and low > high:
        raise TargetError("Cận dưới của khoảng chỉ tiêu phải nhỏ hơn hoặc bằng cận trên.")
    if ind.unit == "percent" and any(x < 0 or x > 100 for x in given):
        raise TargetError(f"Chỉ tiêu '{ind.name_vi}' là tỷ lệ phần trăm: phải từ 0 đến 100.")
    if any(x < 0 for x in given):
        raise TargetError("Chỉ tiêu không được âm.")


@transaction.atomic
def set_target(
    user,
    indicator: Indicator | str,
    unit: OrgUnit,
    period: str,
    *,
    value: float | None = None,
    low: float | None = None,
    high: float | None = None,
    source: str,
) -> Target:
    """Create or replace the unit's target for the indicator and period (in the change log)."""
    ind = indicator if isinstance(indicator, Indicator) else _indicator(indicator)
    period = canonical_period(period)
    _check_user(user, unit, period)
    _check_numbers(ind, value, low, high)
    source = nfc(" ".join(clean_text(source or "").split()))
    if not source:
        raise TargetError("Cần ghi văn bản giao chỉ tiêu (vd. Kế hoạch năm học 2024-2025).")
    target = Target.objects.filter(indicator=ind, unit=unit, period=period).first() or Target(
        indicator=ind, unit=unit, period=period, created_by=None if user is None else user
    )
    before = audit.snapshot(target) if target.pk else {}
    target.value, target.low, target.high = value, low, high
    target.source = source[:300]
    try:
        target.full_clean()
    except ValidationError as exc:
        raise TargetError("; ".join(exc.messages)) from exc
    target.save()
    action = ChangeLog.Action.CHANGE if before else ChangeLog.Action.CREATE
    audit.record(user, target, action, before=before)
    return target


@transaction.atomic
def delete_target(user, target: Target, reason: str = "") -> None:
    _check_user(user, target.unit, target.period)
    before, pk = audit.stored_snapshot(target), target.pk
    target.delete()
    audit.record(user, target, ChangeLog.Action.DELETE, before=before, reason=reason, object_id=pk)


def _indicator(code: str) -> Indicator:
    ind = Indicator.objects.filter(code=str(code).strip()).first()
    if ind is None:
        raise TargetError(f"Không có chỉ số mã '{code}' trong danh mục.")
    return ind


def resolve_unit(code: str, period: str) -> OrgUnit:
    """The unit with that code alive on the period's date: a province (2 digits), a commune
    (5 digits) or a school (its identifier). Codes of legacy and current communes can
    coincide; the date decides."""
    code = str(code).strip()
    if re.fullmatch(r"\d+\.0", code):  # Excel turned "11" into 11.0
        code = code[:-2]
    if code.isdigit() and len(code) in (1, 4):  # Excel dropped a leading zero
        code = code.zfill(len(code) + 1)
    on = definitions.reference_date(period)
    units = list(OrgUnit.objects.filter(code=code).filter(active_q(on)))
    if not units:
        raise TargetError(f"Không có đơn vị mã '{code}' vào ngày {on:%d/%m/%Y}.")
    if len(units) > 1:
        order: list[str] = [UnitKind.PROVINCE, UnitKind.COMMUNE, UnitKind.SCHOOL, UnitKind.DISTRICT]
        units.sort(key=lambda u: order.index(u.kind) if u.kind in order else 9)
    return units[0]


# --------------------------------------------------------------------------- imports


@dataclass
class RowProblem:
    row: int  # the row number the user sees (Excel row, or item number in YAML)
    message: str


@dataclass
class ImportReport:
    rows: int = 0
    ok: int = 0
    created: int = 0
    updated: int = 0
    committed: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)


HEADERS = {
    "indicator": ("ma chi so", "chi so", "indicator", "ma chi tieu", "indicator code"),
    "unit": ("ma don vi", "don vi", "unit", "unit code"),
    "period": ("ky", "ky bao cao", "nam hoc", "period"),
    "value": ("chi tieu", "gia tri", "value", "target"),
    "low": ("tu", "can duoi", "low"),
    "high": ("den", "can tren", "high"),
    "source": ("van ban", "van ban giao chi tieu", "nguon", "source"),
}


def parse_number(raw) -> float | None:
    """A cell: a number, or Vietnamese text ("51,6", "51,6%", "1.234"); blank is None."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise TargetError(f"'{raw}' không phải là số.")
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip().replace(" ", "").rstrip("%")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    try:
        return float(text)
    except ValueError:
        raise TargetError(f"'{raw}' không phải là số.") from None


def read_xlsx(data: bytes) -> list[tuple[int, dict]]:
    """(Excel row number, {field: raw}) for the first sheet, headers in its first row."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not a workbook
        raise TargetError(f"Không đọc được tệp Excel (.xlsx): {exc}") from exc
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    if header is None:
        raise TargetError("Tệp Excel trống.")
    columns: dict[int, str] = {}
    for i, h in enumerate(header):
        key = fold(str(h or "")).strip(" :*")
        for name, aliases in HEADERS.items():
            if key in aliases:
                columns[i] = name
    missing = [n for n in ("indicator", "unit", "period", "source") if n not in columns.values()]
    if missing:
        raise TargetError(
            "Dòng tiêu đề thiếu cột: "
            + ", ".join(
                {
                    "indicator": "Mã chỉ số",
                    "unit": "Mã đơn vị",
                    "period": "Kỳ",
                    "source": "Văn bản",
                }[m]
                for m in missing
            )
            + " (các cột: Mã chỉ số, Mã đơn vị, Kỳ, Chỉ tiêu, Từ, Đến, Văn bản)."
        )
    out = []
    for n, row in enumerate(rows, start=2):
        if row is None or all(v is None or str(v).strip() == "" for v in row):
            continue
        out.append((n, {columns[i]: v for i, v in enumerate(row) if i in columns}))
        if len(out) > MAX_IMPORT_ROWS:
            raise TargetError(f"Tệp có quá {MAX_IMPORT_ROWS} dòng.")
    wb.close()
    return out


def read_yaml(text: str) -> list[tuple[int, dict]]:
    """targets: [{indicator, unit, period, value | low+high, source}], with an optional
    top-level `source` (and `period`) applying to every entry that has none."""
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise TargetError(f"Tệp YAML không hợp lệ: {exc}") from exc
    if not isinstance(doc, dict) or not isinstance(doc.get("targets"), list):
        raise TargetError("Tệp YAML cần khoá 'targets:' là một danh sách chỉ tiêu.")
    default = {k: doc[k] for k in ("source", "period") if k in doc}
    out = []
    for n, item in enumerate(doc["targets"], start=1):
        if not isinstance(item, dict):
            out.append((n, {"_error": "mỗi mục phải là một bảng khoá: giá trị"}))
            continue
        out.append((n, {**default, **item}))
    return out


def import_targets(
    user, rows: list[tuple[int, dict]], *, commit: bool, channel: str | None = None
) -> ImportReport:
    """Check every row; with commit=True and no problem at all, save them in one
    transaction. Nothing is half-saved: one bad row and nothing is written."""
    report = ImportReport(rows=len(rows))
    clean = []
    seen: dict[tuple, int] = {}
    for n, raw in rows:
        try:
            if "_error" in raw:
                raise TargetError(raw["_error"])
            for f in ("indicator", "unit", "period"):
                if raw.get(f) in (None, ""):
                    raise TargetError(
                        f"thiếu {dict(indicator='mã chỉ số', unit='mã đơn vị', period='kỳ')[f]}"
                    )
            ind = _indicator(str(raw["indicator"]))
            period = canonical_period(str(raw["period"]))
            unit = resolve_unit(str(raw["unit"]), period)
            value, low, high = (parse_number(raw.get(k)) for k in ("value", "low", "high"))
            _check_numbers(ind, value, low, high)
            source = nfc(" ".join(str(raw.get("source") or "").split()))
            if not source:
                raise TargetError("thiếu văn bản giao chỉ tiêu")
            if user is not None:
                if not can_set_targets(user):
                    raise TargetError("bạn không có quyền giao chỉ tiêu")
                try:
                    require_write(user, unit.pk, definitions.reference_date(period))
                except PermissionDenied:
                    raise TargetError(f"đơn vị '{unit.name}' ngoài phạm vi của bạn") from None
            key = (ind.pk, unit.pk, period)
            if key in seen:
                raise TargetError(f"trùng với dòng {seen[key]}")
            seen[key] = n
            clean.append((ind, unit, period, value, low, high, source))
        except TargetError as exc:
            report.problems.append(RowProblem(n, f"Dòng {n}: {exc}"))
    report.ok = len(clean)
    if not commit or report.problems:
        return report
    # the change log says where the rows came from (a workbook uploaded on the web: excel)
    with transaction.atomic(), audit.channel(channel or audit.current_channel()):
        for ind, unit, period, value, low, high, source in clean:
            existed = Target.objects.filter(indicator=ind, unit=unit, period=period).exists()
            set_target(user, ind, unit, period, value=value, low=low, high=high, source=source)
            report.updated += existed
            report.created += not existed
    report.committed = True
    return report


# --------------------------------------------------------------------------- the demo


# indicator -> value or (low, high) for the province, per school year
DEMO_PLAN: dict[str, float | tuple[float, float]] = {
    "mobilisation_mn_5": 99.0,
    "mobilisation_th": (84.0, 86.0),
    "mobilisation_thcs": 75.0,
    "completion_th": 93.0,
    "completion_thcs": 93.0,
    "dropout_rate": 0.5,
    "national_standard_rate": (60.0, 65.0),
    "teacher_qual_rate": 97.0,
    "solid_classroom_rate": 70.0,
}
RESOLUTION = "Nghị quyết Đại hội Đảng bộ tỉnh lần thứ XIV, nhiệm kỳ 2020-2025"


@audit.channel(Channel.DEMO)  # the demo's targets are logged as such
@transaction.atomic
def demo_targets(province_code: str = "11", years: tuple[int, ...] = (2023, 2024, 2025)) -> int:
    """Plausible targets for the demo province: the resolution's ranges and the yearly
    plan's values at the province, a few communes with targets of their own (the others
    inherit the province's). Idempotent. Returns the number of targets written."""
    from tongket.units.queries import children, unit_by_code

    province = unit_by_code(UnitKind.PROVINCE, province_code, dt.date(2025, 9, 1))
    n = 0
    for year in years:
        period = pd.school_year(year).code
        plan = f"Kế hoạch năm học {period} của Sở GD&ĐT"
        for code, tgt in DEMO_PLAN.items():
            # the plan raises the bar a little each year, as plans do
            step = 0.3 * (year - years[0])
            if isinstance(tgt, tuple):
                kw = {"low": tgt[0] + step, "high": tgt[1] + step}
                source = RESOLUTION
            else:
                v = max(0.0, tgt - step / 3) if code == "dropout_rate" else min(100.0, tgt + step)
                kw, source = {"value": round(v, 1)}, plan
            set_target(None, code, province, period, source=source, **kw)
            n += 1
        communes = list(children(province, definitions.reference_date(period)))[:3]
        for c in communes:
            set_target(
                None,
                "mobilisation_th",
                c,
                period,
                value=85.0 + 0.5 * (year - years[0]),
                source=f"Kế hoạch năm học {period} của {c.name}",
            )
            n += 1
    return n
