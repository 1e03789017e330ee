"""Staffing norms from collected data: calculator inputs built from the start-of-year forms,
teachers required under the norm in force on the round's date, and the roll-up by unit in both
tree modes. Nothing here writes; the values collected are the only source.

Inputs per school and level (forms 01–04.ĐN, TT 25/2024):
- classes: ``classes[grade=g;level=X]`` (general) or ``classes[age_group=...;level=MN]``;
- pupils: ``pupils[level=X]``; children per age group for the preschool size check;
- two-session primary classes: ``classes_two_session[level=TH]`` (or its grade rows);
- actual teachers: ``staff[role=teacher;level=X]`` plus ``staff[role=tpt;level=X]`` (Tổng phụ
  trách Đội); by subject from ``teachers_subject[subject=..;level=X]``;
- the School profile: region, mountain, boarding, two_sessions (when no class count is given).

Tree modes: ``period`` takes the tree as of the round's date (legacy districts and communes
before 1/7/2025); ``today`` takes today's tree: every school belongs to one commune on each side
of the reform, so re-attributing to today's units is grouping schools by their parent today.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction

from tongket.analytics.inputs import counted_q
from tongket.collection.models import DataValue, ReportingRound
from tongket.core.definitions import (
    DASHBOARD_POLICY,
    MODE_AS_OF,
    Policy,
    parse_mode,
    reference_date,
)
from tongket.core.vntext import format_date, format_number
from tongket.norms.calc import staffing as calc
from tongket.norms.calc import staffing_totals as calc_totals
from tongket.norms.calc.packs import load_staffing
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, School, UnitClosure, UnitKind, active_q

ELEMENTS = ("classes", "classes_two_session", "pupils", "children", "staff", "teachers_subject")
GENERAL = {"TH": "tieu_hoc", "THCS": "thcs", "THPT": "thpt"}
FORM_OF = {"MN": "01.ĐN-MN", "TH": "02.ĐN-TH", "THCS": "03.ĐN-THCS", "THPT": "04.ĐN-THPT"}
LEVEL_OF = {"nha_tre": "MN", "mau_giao": "MN", "tieu_hoc": "TH", "thcs": "THCS", "thpt": "THPT"}
AGE_BANDS = {  # catalog age_group option -> (calc level, band key of the staffing pack)
    "nt_3_12m": ("nha_tre", "3-12m"),
    "nt_13_24m": ("nha_tre", "13-24m"),
    "nt_25_36m": ("nha_tre", "25-36m"),
    "mg_3_4": ("mau_giao", "3-4y"),
    "mg_4_5": ("mau_giao", "4-5y"),
    "mg_5_6": ("mau_giao", "5-6y"),
}
# Subjects as the forms collect them (dimension `subject`) -> the key we report under. Where the
# form lumps several curriculum subjects (Nghệ thuật = Âm nhạc + Mỹ thuật), the requirement is
# summed the same way (REQUIRED_GROUP), so thiếu/thừa compare like with like.
COLLECTED = {
    "tieu_hoc": {
        "anh": "tieng_anh",
        "tin": "tin_hoc_cong_nghe",
        "tdtt": "gdtc",
        "nghe_thuat": "nghe_thuat",
    },
    "thcs": {
        "van": "ngu_van",
        "toan": "toan",
        "anh": "tieng_anh",
        "tin": "tin_hoc",
        "khtn": "khtn",
        "lsdl": "lich_su_dia_ly",
        "gdcd": "gdcd",
        "cn": "cong_nghe",
        "tdtt": "gdtc",
        "nghe_thuat": "nghe_thuat",
        "khac": "khac",
    },
    "thpt": {
        "van": "ngu_van",
        "toan": "toan",
        "anh": "tieng_anh",
        "lsdl": "lich_su",
        "tdtt": "gdtc",
        "khac": "khac",
        "tin": "mon_lua_chon",
        "khtn": "mon_lua_chon",
        "cn": "mon_lua_chon",
        "nghe_thuat": "mon_lua_chon",
        "gdcd": "mon_lua_chon",
    },
}
REQUIRED_GROUP = {
    "am_nhac": "nghe_thuat",
    "my_thuat": "nghe_thuat",
    "hdtn": "khac",
    "gd_dia_phuong": "khac",
    "gdqp": "khac",
}
# Chuyên đề học tập (THPT) are taught by the teachers of the subjects they deepen.
REQUIRED_GROUP_LEVEL = {"thpt": {"chuyen_de": "mon_lua_chon"}}
# Labels go into "trong đó A 3, B 2" lists: no commas or brackets in them (the page's note says
# what Nghệ thuật and Môn khác hold).
EXTRA_LABELS = {
    "nghe_thuat": "Nghệ thuật",
    "khac": "Môn khác",
    "mon_lua_chon": "Các môn lựa chọn",
}


def labels_pack():
    """The staffing pack with labels for the report keys that lump curriculum subjects."""
    pack = load_staffing()
    return dataclasses.replace(pack, subject_labels={**pack.subject_labels, **EXTRA_LABELS})


# --------------------------------------------------------------------------- periods


def known_periods() -> list[str]:
    """Periods with a start-of-year round, newest first."""
    codes = ReportingRound.objects.filter(form__round="start_of_year").values_list(
        "period", flat=True
    )
    return sorted(set(codes), reverse=True)


def opening_period() -> str | None:
    """The year the staffing page opens on: the dashboard's rule (analytics.queries)."""
    from tongket.analytics.queries import default_period as pick

    return pick(sorted(known_periods()))


# --------------------------------------------------------------------------- inputs


def _dims(combo: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in combo.split(";") if "=" in part)


def _load_values(school_ids: Iterable[int], period: str, policy: Policy) -> dict[int, dict]:
    """{school: {level: {element: {frozenset(dims other than level): value}}}}; cells split by
    sex, ethnicity, disability or qualification are left out (the totals are enough)."""
    out: dict[int, dict] = defaultdict(lambda: defaultdict(lambda: defaultdict(dict)))
    ids = list(school_ids)
    for i in range(0, len(ids), 500):
        rows = (
            DataValue.objects.filter(
                unit_id__in=ids[i : i + 500], period=period, element__code__in=ELEMENTS
            )
            .filter(counted_q(policy))
            .values_list("unit_id", "element__code", "combo", "value")
        )
        for unit_id, element, combo, value in rows:
            dims = _dims(combo)
            level = dims.pop("level", None)
            if level is None or {"sex", "eth", "dis", "qual"} & dims.keys():
                continue
            out[unit_id][level][element][frozenset(dims.items())] = value
    return out


def _get(cells: dict, element: str, **dims: str) -> float | None:
    return cells.get(element, {}).get(frozenset(dims.items()))


def _by(cells: dict, element: str, dim: str) -> dict[str, float]:
    return {
        dict(k)[dim]: v for k, v in cells.get(element, {}).items() if len(k) == 1 and dim in dict(k)
    }


@dataclass
class SchoolData:
    """What the calculator needs for one school, and what we did to get it."""

    unit: OrgUnit
    school: School
    input: calc.SchoolInput | None
    subjects: dict[str, dict[str, int]] = field(default_factory=dict)  # calc level -> key -> n
    teachers: dict[str, tuple[int, int]] = field(default_factory=dict)  # level -> (teacher, tpt)
    notes: dict[str, list[str]] = field(default_factory=dict)  # calc level -> input lines


def _int(x: float | None) -> int:
    return round(x or 0)


def _general_input(code: str, level: str, cells: dict, school: School, data: SchoolData):
    lv = GENERAL[level]
    form = FORM_OF[level]
    notes = data.notes.setdefault(lv, [])
    per_grade = {int(g): _int(v) for g, v in _by(cells, "classes", "grade").items() if _int(v)}
    total = _int(_get(cells, "classes"))
    classes: int | dict = per_grade or total
    n = sum(per_grade.values()) if per_grade else total
    if not n:
        return None
    pupils = _get(cells, "pupils")
    if pupils is None:
        pupils = sum(_by(cells, "pupils", "grade").values())
    grades = ", ".join(f"khối {g}: {c}" for g, c in sorted(per_grade.items()))
    notes.append(
        f"Số lớp (biểu {form}, mục II): {n}"
        + (f" ({grades})" if grades else "")
        + f"; học sinh (mục III): {format_number(_int(pupils))}."
    )
    two = None
    sessions = 2 if school.two_sessions else 1
    if level == "TH":
        two_total = _get(cells, "classes_two_session")
        two_grades = _by(cells, "classes_two_session", "grade")
        if two_total is not None or two_grades:
            two = _int(two_total if two_total is not None else sum(two_grades.values()))
            notes.append(f"Lớp học 2 buổi/ngày (mục II, dòng 17): {two}/{n} lớp.")
        else:
            notes.append(
                "Biểu không có số lớp học 2 buổi/ngày: theo hồ sơ trường, "
                + ("dạy 2 buổi/ngày." if school.two_sessions else "dạy 1 buổi/ngày.")
            )
    teacher = _int(_get(cells, "staff", role="teacher"))
    tpt = _int(_get(cells, "staff", role="tpt"))
    data.teachers[lv] = (teacher, tpt)
    notes.append(
        f"Giáo viên hiện có (mục IV): {teacher} giáo viên"
        + (f" + {tpt} Tổng phụ trách Đội" if lv != "thpt" or tpt else "")
        + "."
    )
    teachers = {calc.TOTAL: teacher}
    if lv != "thpt" or tpt:
        teachers["tong_phu_trach_doi"] = tpt
    by_subject = _by(cells, "teachers_subject", "subject")
    if by_subject:
        subj: dict[str, int] = defaultdict(int)
        for key, value in by_subject.items():
            subj[COLLECTED[lv].get(key, "khac")] += _int(value)
        if lv == "tieu_hoc":  # the form lists specialists only; the rest teach the class
            specialists = sum(subj.values())
            subj["van_hoa"] = max(0, teacher - specialists)
            notes.append(
                f"Giáo viên văn hóa (dạy lớp) = {teacher} giáo viên − {specialists} giáo viên "
                f"chuyên biệt (mục VI) = {subj['van_hoa']}."
            )
        else:
            listed = sum(subj.values())
            if listed != teacher:
                notes.append(
                    f"Lưu ý: tổng giáo viên theo môn (mục VI) là {listed}, khác số giáo viên ở "
                    f"mục IV ({teacher}); thiếu/thừa theo môn tính theo mục VI."
                )
        if "tong_phu_trach_doi" in teachers:
            subj["tong_phu_trach_doi"] = tpt
        data.subjects[lv] = dict(subj)
    return calc.LevelInput(
        lv,
        classes,
        pupils=_int(pupils),
        sessions_per_day=sessions,
        teachers=teachers,
        two_session_classes=two,
    )


def _preschool_inputs(cells: dict, data: SchoolData) -> list[calc.LevelInput]:
    groups = _by(cells, "classes", "age_group")
    kids = _by(cells, "children", "age_group")
    out = []
    for lv in calc.PRESCHOOL_LEVELS:
        bands = {b: _int(groups.get(g)) for g, (l2, b) in AGE_BANDS.items() if l2 == lv}
        children = {b: _int(kids.get(g)) for g, (l2, b) in AGE_BANDS.items() if l2 == lv}
        if not sum(bands.values()):
            continue
        unit = "nhóm" if lv == "nha_tre" else "lớp"
        data.notes.setdefault(lv, []).append(
            f"Số {unit} (biểu 01.ĐN-MN, mục II): "
            + ", ".join(f"{b}: {n} {unit}, {children[b]} trẻ" for b, n in bands.items())
            + "."
        )
        out.append(calc.LevelInput(lv, {b: n for b, n in bands.items()}, children_by_band=children))
    teacher = _int(_get(cells, "staff", role="teacher"))
    data.teachers["mam_non"] = (teacher, 0)
    return out


def _split_preschool(levels: list[calc.LevelInput], school: calc.SchoolInput, on, data):
    """Form 01.ĐN-MN counts preschool teachers once: share them between nhà trẻ and mẫu giáo in
    proportion to what each needs (largest remainder), so the Mầm non total is exact."""
    teacher = data.teachers["mam_non"][0]
    probe = calc.compute_school(dataclasses.replace(school, levels=tuple(levels)), on)
    need = {lv: Fraction(r.required) for lv, r in probe.levels.items()}
    if not sum(need.values()):
        need = dict.fromkeys(need, Fraction(1))
    shares = calc._largest_remainder(teacher, need)
    out = []
    for li in levels:
        data.notes[li.level].append(
            f"Giáo viên mầm non hiện có (mục IV): {teacher}, chia cho nhà trẻ/mẫu giáo theo tỷ lệ "
            f"định mức (biểu không tách): {calc.LEVEL_LABELS[li.level]} {shares[li.level]}."
        )
        out.append(dataclasses.replace(li, teachers={calc.TOTAL: shares[li.level]}))
    return out


def build_inputs(
    units: Iterable[OrgUnit],
    period: str,
    on: dt.date | None = None,
    policy: Policy = DASHBOARD_POLICY,
) -> dict[int, SchoolData]:
    """Calculator inputs for each school unit from its counted values of ``period``."""
    units = list(units)
    on = on or reference_date(period)
    profiles = {s.unit_id: s for s in School.objects.filter(unit__in=units)}
    values = _load_values([u.pk for u in units], period, policy)
    out: dict[int, SchoolData] = {}
    for unit in units:
        school = profiles.get(unit.pk)
        if school is None:
            continue
        data = SchoolData(unit, school, None)
        levels: list[calc.LevelInput] = []
        preschool: list[calc.LevelInput] = []
        vice = []
        for level, cells in sorted(values.get(unit.pk, {}).items()):
            if level in GENERAL:
                li = _general_input(unit.code, level, cells, school, data)
                if li is not None:
                    levels.append(li)
                    vice.append(_int(_get(cells, "staff", role="vice")))
            elif level == "MN":
                preschool = _preschool_inputs(cells, data)
        base = calc.SchoolInput(
            code=unit.code,
            name=unit.name,
            levels=(),
            region=school.region,
            mountain_island=school.mountain,
            boarding=school.boarding,
            vice_principals=max(vice) if vice else None,
        )
        if preschool:
            preschool = _split_preschool(preschool, base, on, data)
        if levels or preschool:
            data.input = dataclasses.replace(base, levels=tuple(preschool + levels))
        out[unit.pk] = data
    return out


# --------------------------------------------------------------------------- compute


def _regroup(lr: calc.LevelResult, data: SchoolData) -> None:
    """Put required and actual teachers on the keys the form collects (see COLLECTED)."""
    if lr.level in calc.PRESCHOOL_LEVELS:
        lr.actual_by_subject = {"mam_non": lr.actual}
        return
    required: dict[str, int] = defaultdict(int)
    for key, n in lr.required_by_subject.items():
        group = REQUIRED_GROUP_LEVEL.get(lr.level, {}).get(key) or REQUIRED_GROUP.get(key, key)
        required[group] += n
    lr.required_by_subject = dict(required)
    actual = data.subjects.get(lr.level)
    lr.actual_by_subject = dict(actual) if actual else {calc.TOTAL: lr.actual}
    if actual:
        pack = labels_pack()
        lr.explanation.append(
            "Theo môn (cần/hiện có): "
            + ", ".join(
                f"{pack.subject_labels.get(k, k)} {required.get(k, 0)}/{actual.get(k, 0)}"
                for k in lr.balance_by_subject
            )
            + "."
        )


@dataclass
class SchoolStaffing:
    unit: OrgUnit
    result: calc.SchoolResult | None
    data: SchoolData
    error: str = ""

    @property
    def levels(self) -> list[tuple[str, calc.LevelResult, list[str]]]:
        if self.result is None:
            return []
        return [
            (calc.LEVEL_LABELS[lv], lr, self.data.notes.get(lv, []) + lr.explanation)
            for lv, lr in self.result.levels.items()
        ]


def compute_schools(
    units: Iterable[OrgUnit], period: str, policy: Policy = DASHBOARD_POLICY
) -> dict[int, SchoolStaffing]:
    on = reference_date(period)
    out = {}
    for pk, data in build_inputs(units, period, on, policy).items():
        if data.input is None:
            out[pk] = SchoolStaffing(data.unit, None, data, "Chưa có số liệu lớp học kỳ này.")
            continue
        try:
            res = calc.compute_school(data.input, on)
        except ValueError as exc:
            out[pk] = SchoolStaffing(data.unit, None, data, f"Không tính được: {exc}")
            continue
        for lr in res.levels.values():
            _regroup(lr, data)
        out[pk] = SchoolStaffing(data.unit, res, data)
    return out


@dataclass
class Group:
    """A unit of the drill-down (or the whole) with its schools' summary: the one computation
    the page's headline, tables and sentences, the CLI and the review report all format."""

    unit: OrgUnit
    schools: list[SchoolStaffing]
    summary: calc_totals.StaffingSummary

    @property
    def sentences(self) -> list[str]:
        return calc_totals.summary_sentences(self.summary, labels_pack().subject_labels)

    def by_group(self) -> dict[str, int]:
        """{Mầm non / Tiểu học / THCS / THPT: net balance} (negative: thiếu)."""
        return {b.label: b.balance for b in self.summary.groups}


def _group(unit: OrgUnit, schools: list[SchoolStaffing]) -> Group:
    return Group(unit, schools, calc_totals.summarize(s.result for s in schools if s.result))


@dataclass
class StaffingReport:
    unit: OrgUnit
    period: str
    on: dt.date  # the norms' date (the round's cut-off)
    mode: str
    tree_date: dt.date
    whole: Group
    children: list[Group]
    note: str = ""

    @property
    def rule_sets(self) -> list[str]:
        seen: dict[str, str] = {}
        for s in self.whole.schools:
            for lr in s.result.levels.values() if s.result else ():
                seen.setdefault(lr.rule_set, lr.source)
        return list(dict.fromkeys(seen.values()))  # the documents, not the pack's rule ids

    def explanations(self) -> dict[str, list[str]]:
        """Per report group: which rules, how many schools, how the figures add up, the levels
        apart (Mầm non) and the biggest gaps."""
        out: dict[str, list[str]] = {}
        for b in self.whole.summary.groups:
            contrib = [
                (s.unit, lr)
                for s in self.whole.schools
                if s.result
                for lv, lr in s.result.levels.items()
                if lv in b.levels
            ]
            rules = sorted({lr.source for _, lr in contrib})
            lines = [
                f"Quy định áp dụng ngày {format_date(self.on)}: {'; '.join(rules)}.",
                f"Cần = tổng số giáo viên cần của {format_number(b.schools)} trường = "
                f"{format_number(b.required)}; hiện có = tổng giáo viên (kể cả Tổng phụ trách "
                f"Đội) = {format_number(b.actual)}.",
                f"Thiếu {format_number(b.shortage)} và thừa {format_number(b.surplus)} cộng từng "
                "trường, từng môn (thừa ở trường, môn này không bù chỗ thiếu ở trường, môn "
                f"khác); cân đối = hiện có − cần = thừa − thiếu = {format_number(b.balance)}.",
            ]
            if len(b.levels) > 1:
                lines.append(
                    "Trong đó: "
                    + "; ".join(
                        f"{calc.LEVEL_LABELS[lv]} cần {format_number(t.required)}, hiện có "
                        f"{format_number(t.actual)}"
                        for lv in b.levels
                        if (t := self.whole.summary.levels.get(lv)) is not None
                    )
                    + " (biểu 01.ĐN-MN không tách giáo viên nhà trẻ, mẫu giáo: chia theo định mức)."
                )
            if calc_totals.UNSPLIT in {**b.shortage_by_subject, **b.surplus_by_subject}:
                lines.append(
                    f"{calc_totals.UNSPLIT_LABEL}: chênh lệch của các trường không khai giáo viên "
                    "theo môn, hoặc có tổng theo môn khác tổng số giáo viên."
                )
            worst = sorted(contrib, key=lambda p: p[1].balance)[:5]
            gaps = [
                f"{u.name} thiếu {format_number(-lr.balance)}" for u, lr in worst if lr.balance < 0
            ]
            if gaps:
                lines.append("Thiếu nhiều nhất (cân đối từng trường): " + "; ".join(gaps) + ".")
            out[b.label] = lines
        return out


def compute_staffing(
    unit: OrgUnit, period: str, mode: str = MODE_AS_OF, policy: Policy = DASHBOARD_POLICY
) -> StaffingReport:
    """Teachers required, actual and thiếu/thừa for the schools under ``unit`` in ``period``,
    with one group per child unit (drill-down) in the chosen tree."""
    on = reference_date(period)
    try:
        mode, day, note = uq.resolve_mode(unit, period, mode)
    except uq.NotInTree:
        mode, day, note = parse_mode(mode), uq.mode_day(period, mode), ""
    school_units = list(uq.schools_under(unit, day).order_by("name"))
    results = compute_schools(school_units, period, policy)
    schools = [results[u.pk] for u in school_units if u.pk in results]
    children = [c for c in uq.children(unit, day) if c.kind != UnitKind.SCHOOL]
    parent_of: dict[int, int] = {}
    if children:
        rows = (
            UnitClosure.objects.filter(
                ancestor_id__in=[c.pk for c in children],
                descendant_id__in=[s.unit.pk for s in schools],
            )
            .filter(active_q(day))
            .values_list("descendant_id", "ancestor_id")
        )
        parent_of = dict(rows)
    groups = []
    for child in children:
        members = [s for s in schools if parent_of.get(s.unit.pk) == child.pk]
        groups.append(_group(child, members))
    return StaffingReport(unit, period, on, mode, day, _group(unit, schools), groups, note)


def staffing_sentences(
    unit: OrgUnit, period: str, mode: str = MODE_AS_OF, policy: Policy = DASHBOARD_POLICY
) -> list[str]:
    """One sentence per report group, e.g. "Tiểu học thiếu 421 giáo viên ở một số môn (trong đó
    Tiếng Anh 160, ...), thừa 223 giáo viên ở các môn khác, cân đối thiếu 198 giáo viên."
    (calc.staffing_totals: gross shortage and surplus counted school by school and subject by
    subject, and the net balance; the parts add up). Empty when no school under the unit
    reported the start-of-year form of the period.
    """
    return report_sentences(compute_staffing(unit, period, mode, policy))


def report_sentences(report: StaffingReport) -> list[str]:
    """The sentences of :func:`staffing_sentences` for a report already computed."""
    return report.whole.sentences
