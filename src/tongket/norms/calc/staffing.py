"""Teachers required by the staffing norm in force on a date, and shortage/surplus.

Norms (packs/vn/norms/staffing.yaml): general schools TT 16/2017 until 15/12/2023 and TT 20/2023
from 16/12/2023; preschool TTLT 06/2015 then TT 19/2023. Every figure carries an explanation: the
rule and its source, the inputs used and the arithmetic, so an office can defend it line by line.

Arithmetic is exact (Fraction); the level total is rounded half up to whole teachers (the only
unit a post can be filled in) and split over subjects by largest remainder so subjects add up.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import cast

from tongket.core.vntext import format_date, format_number

from .packs import GeneralLevelNorm, PreschoolLevelNorm, StaffingPack, load_staffing

GENERAL_LEVELS = ("tieu_hoc", "thcs", "thpt")
PRESCHOOL_LEVELS = ("nha_tre", "mau_giao")
LEVEL_LABELS = {
    "nha_tre": "Nhà trẻ",
    "mau_giao": "Mẫu giáo",
    "tieu_hoc": "Tiểu học",
    "thcs": "THCS",
    "thpt": "THPT",
}
# Offices report preschool as one line (Mầm non = nhà trẻ + mẫu giáo).
REPORT_GROUPS = (
    ("Mầm non", ("nha_tre", "mau_giao")),
    ("Tiểu học", ("tieu_hoc",)),
    ("THCS", ("thcs",)),
    ("THPT", ("thpt",)),
)
TOTAL = "total"  # key for actual teachers when a school does not split them by subject


@dataclass(frozen=True)
class LevelInput:
    """One level of a school. ``classes``: a number, or {grade: classes} (general) /
    {age band: groups or classes} (preschool). ``teachers``: actual teachers by subject key of the
    pack (or {"total": n}); extra posts such as tong_phu_trach_doi go in the same mapping."""

    level: str
    classes: int | Mapping[int | str, int]
    pupils: int = 0
    sessions_per_day: int = 2
    teachers: Mapping[str, int] = field(default_factory=dict)
    periods: Mapping[int, Mapping[str, int]] | None = None  # the school's own timetable
    children_by_band: Mapping[str, int] | None = None  # preschool: children per age band
    # primary: classes taught two sessions a day when a school has both kinds (the start-of-year
    # form collects them); None = every class follows ``sessions_per_day``.
    two_session_classes: int | None = None


@dataclass(frozen=True)
class SchoolInput:
    code: str
    levels: tuple[LevelInput, ...]
    name: str = ""
    region: int = 3  # vùng 1 / 2 / 3
    mountain_island: bool = False
    boarding: bool = False  # PTDT nội trú / bán trú
    special: bool = False  # trường chuyên biệt (khuyết tật)
    chuyen: bool = False  # trường THPT chuyên
    vice_principals: int | None = None  # actual


@dataclass
class LevelResult:
    level: str
    rule_set: str
    source: str
    required_exact: Fraction
    required: int
    required_by_subject: dict[str, int]
    actual: int
    actual_by_subject: dict[str, int]
    explanation: list[str]

    @property
    def balance(self) -> int:
        """actual - required: negative is a shortage (thiếu), positive a surplus (thừa)."""
        return self.actual - self.required

    @property
    def balance_by_subject(self) -> dict[str, int]:
        if not self.actual_by_subject or TOTAL in self.actual_by_subject:
            return {}
        keys = list(self.required_by_subject) + [
            k for k in self.actual_by_subject if k not in self.required_by_subject
        ]
        return {
            k: self.actual_by_subject.get(k, 0) - self.required_by_subject.get(k, 0) for k in keys
        }


@dataclass
class SchoolResult:
    code: str
    on: dt.date
    levels: dict[str, LevelResult]
    vice_principals_required: int | None
    vice_principals_actual: int | None
    explanation: list[str]


def _fmt(x: Fraction | int | float) -> str:
    value = float(x)
    return format_number(value, 0 if value == int(value) else 2)


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _largest_remainder(total: int, weights: Mapping[str, Fraction]) -> dict[str, int]:
    """Split ``total`` whole teachers over subjects in proportion to weights, summing exactly."""
    whole = sum(weights.values())
    if not whole or total <= 0:
        return {k: 0 for k in weights}
    shares = {k: total * w / whole for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in shares.items()}
    rest = total - sum(out.values())
    for k in sorted(shares, key=lambda k: (-(shares[k] - out[k]), k))[:rest]:
        out[k] += 1
    return out


def _class_count(classes: int | Mapping) -> int:
    return int(classes) if isinstance(classes, int) else sum(int(v) for v in classes.values())


def _subject_weights(pack: StaffingPack, li: LevelInput) -> tuple[dict[str, Fraction], str]:
    """Periods per year by subject, summed over grades and weighted by classes in each grade."""
    periods = li.periods or pack.subject_periods.get(li.level)
    if not periods:
        return {}, ""
    per_grade: dict[int, int | Fraction]
    if isinstance(li.classes, Mapping):
        per_grade = {int(g): int(n) for g, n in li.classes.items()}
        unknown = sorted(set(per_grade) - set(periods))
        if unknown:
            raise ValueError(f"{li.level}: no curriculum periods for grade(s) {unknown}")
    else:  # no split by grade: treat classes as evenly spread (says so in the explanation)
        per_grade = {g: Fraction(li.classes, len(periods)) for g in periods}
    weights: dict[str, Fraction] = {}
    for grade, n in per_grade.items():
        for subject, p in periods[grade].items():
            weights[subject] = weights.get(subject, Fraction(0)) + Fraction(n) * p
    how = "kế hoạch của trường" if li.periods else pack.subjects_source
    spread = (
        ""
        if isinstance(li.classes, Mapping)
        else " (số lớp chia đều cho các khối vì không có số lớp theo khối)"
    )
    return weights, f"chia theo số tiết/năm của từng môn × số lớp từng khối, nguồn: {how}{spread}"


def _general_level(
    pack, rs_id, rs_source, norm: GeneralLevelNorm, li: LevelInput, school: SchoolInput
):
    n_classes = _class_count(li.classes)
    expl: list[str] = [f"Quy định áp dụng: {rs_source}."]
    mixed = None
    if norm.level == "tieu_hoc":
        two_per_day = li.sessions_per_day >= 2
        if li.two_session_classes is not None:
            two = max(0, min(int(li.two_session_classes), n_classes))
            if 0 < two < n_classes:
                mixed = two
            two_per_day = two > 0
        key = "two_sessions" if two_per_day else "one_session"
        what = "lớp học 2 buổi/ngày" if key == "two_sessions" else "lớp học 1 buổi/ngày"
    else:
        key = "default"
        for flag in ("chuyen", "boarding", "special"):  # most specific flag wins
            if getattr(school, flag) and flag in norm.per_class:
                key = flag
                break
        what = {"default": "trường thường", "boarding": "trường PTDT nội trú/bán trú",
                "special": "trường chuyên biệt", "chuyen": "trường chuyên"}[key]  # fmt: skip
    ratio = norm.per_class[key]
    base = ratio * n_classes
    if mixed is not None:
        two_r, one_r = norm.per_class["two_sessions"], norm.per_class["one_session"]
        base = two_r * mixed + one_r * (n_classes - mixed)
        expl.append(
            f"Định mức {_fmt(two_r)} giáo viên/lớp học 2 buổi/ngày và {_fmt(one_r)} giáo viên/lớp "
            f"học 1 buổi/ngày ({norm.per_class_source}"
            f"{'; số liệu chưa xác nhận' if not norm.confirmed else ''}): {_fmt(two_r)} × {mixed} "
            f"lớp + {_fmt(one_r)} × {n_classes - mixed} lớp = {_fmt(base)}."
        )
    else:
        expl.append(
            f"Định mức {_fmt(ratio)} giáo viên/lớp ({what}; {norm.per_class_source}"
            f"{'; số liệu chưa xác nhận' if not norm.confirmed else ''}): "
            f"{_fmt(ratio)} × {n_classes} lớp = {_fmt(base)}."
        )
    required = base
    if norm.leftover is not None:
        lo = norm.leftover
        size, per = lo.class_size[school.region], lo.per_teacher[school.region]
        leftover = max(0, li.pupils - n_classes * size)
        extra = leftover // per
        expl.append(
            f"Học sinh dư sau khi xếp lớp (vùng {school.region}, {size} học sinh/lớp): "
            f"max(0, {li.pupils} - {n_classes} × {size}) = {leftover}; cứ {per} học sinh dư thêm 1 "
            f"giáo viên: {leftover} // {per} = {extra} ({lo.source}"
            f"{'; cách hiểu chưa xác nhận' if not lo.confirmed else ''})."
        )
        required += extra
    rounded = _round_half_up(required)
    if rounded != required:
        expl.append(f"Làm tròn {_fmt(required)} thành {rounded} giáo viên (làm tròn nửa lên).")
    weights, how = _subject_weights(pack, li)
    by_subject = _largest_remainder(rounded, weights) if weights else {}
    if by_subject:
        expl.append(f"Chia {rounded} giáo viên theo môn, {how}: " + ", ".join(
            f"{pack.subject_labels.get(s, s)} {n}" for s, n in by_subject.items()) + ".")  # fmt: skip
    for post, count in norm.extra_posts.items():
        by_subject[post] = by_subject.get(post, 0) + count
        rounded += count
        required += count
        expl.append(
            f"Cộng {count} {pack.subject_labels.get(post, post)} ngoài định mức lớp ({norm.extra_posts_source})."
        )
    return required, rounded, by_subject, expl


def _preschool_level(pack, rs_id, rs_source, norm: PreschoolLevelNorm, li: LevelInput):
    expl: list[str] = [f"Quy định áp dụng: {rs_source}."]
    units = _class_count(li.classes)
    key = (
        "default"
        if "default" in norm.per_unit
        else ("two_sessions" if li.sessions_per_day >= 2 else "one_session")
    )
    two = None if li.two_session_classes is None else max(0, min(li.two_session_classes, units))
    if key != "default" and two is not None:
        key = "two_sessions" if two else "one_session"
    ratio = norm.per_unit[key]
    unit_name = "nhóm trẻ" if li.level == "nha_tre" else "lớp"
    if key != "default" and two is not None and 0 < two < units:
        two_r, one_r = norm.per_unit["two_sessions"], norm.per_unit["one_session"]
        required = two_r * two + one_r * (units - two)
        expl.append(
            f"Định mức {_fmt(two_r)} giáo viên/lớp học 2 buổi/ngày và {_fmt(one_r)} giáo viên/lớp "
            f"học 1 buổi/ngày ({norm.source}): {_fmt(two_r)} × {two} + {_fmt(one_r)} × "
            f"{units - two} = {_fmt(required)}."
        )
    else:
        required = ratio * units
        expl.append(
            f"Định mức {_fmt(ratio)} giáo viên/{unit_name} ({norm.source}): {_fmt(ratio)} × {units} = {_fmt(required)}."
        )
    if isinstance(li.classes, Mapping) and li.children_by_band:
        for band, n_units in li.classes.items():
            cap = norm.max_children.get(str(band))
            kids = li.children_by_band.get(str(band), 0)
            if cap and n_units and kids > cap * n_units:
                expl.append(
                    f"Lưu ý: độ tuổi {band} có {kids} trẻ trong {n_units} {unit_name}, vượt sĩ số tối đa "
                    f"{cap} trẻ/{unit_name} (cần {math.ceil(kids / cap)} {unit_name})."
                )
    rounded = _round_half_up(required)
    if rounded != required:
        expl.append(f"Làm tròn {_fmt(required)} thành {rounded} giáo viên (làm tròn nửa lên).")
    return required, rounded, {"mam_non": rounded}, expl


def _vice_principals(rule, school: SchoolInput, total_classes: int) -> tuple[int, str]:
    flags = [f for f in rule.always_many_if if getattr(school, f, False)]
    limit = rule.classes_mountain_island if school.mountain_island else rule.classes_lowland
    where = "miền núi, hải đảo" if school.mountain_island else "trung du, đồng bằng, thành phố"
    if flags:
        n, why = rule.many, f"trường {'/'.join(flags)} luôn được {rule.many}"
    elif total_classes >= limit:
        n, why = rule.many, f"{total_classes} lớp ≥ {limit} lớp ({where})"
    else:
        n, why = rule.few, f"{total_classes} lớp < {limit} lớp ({where})"
    note = "; chưa xác nhận" if not rule.confirmed else ""
    return n, f"Phó hiệu trưởng: {n} ({why}; {rule.source}{note})."


def compute_school(
    school: SchoolInput, on: dt.date, pack: StaffingPack | None = None
) -> SchoolResult:
    """Teachers required for each level of ``school`` under the norms in force on ``on``."""
    pack = pack or load_staffing()
    results: dict[str, LevelResult] = {}
    general_classes = 0
    general_rs = None
    for li in school.levels:
        kind = (
            "general"
            if li.level in GENERAL_LEVELS
            else "preschool"
            if li.level in PRESCHOOL_LEVELS
            else None
        )
        if kind is None:
            raise ValueError(f"{school.code}: unknown level {li.level!r}")
        rs = pack.rule_set(kind, on)
        norm = rs.levels.get(li.level)
        if norm is None:
            raise ValueError(f"{pack.file}: rule set {rs.id} has no norm for level {li.level}")
        if kind == "general":
            general_rs = rs
            general_classes += _class_count(li.classes)
            # a rule set's kind decides its norms' class (packs._staffing_rule_set)
            general = cast(GeneralLevelNorm, norm)
            exact, req, by_subject, expl = _general_level(
                pack, rs.id, rs.source, general, li, school
            )
        else:
            preschool = cast(PreschoolLevelNorm, norm)
            exact, req, by_subject, expl = _preschool_level(pack, rs.id, rs.source, preschool, li)
        actual_by_subject = {k: int(v) for k, v in li.teachers.items()}
        actual = sum(actual_by_subject.values())
        if li.level in PRESCHOOL_LEVELS and actual_by_subject and TOTAL not in actual_by_subject:
            actual_by_subject = {"mam_non": actual}
        expl.append(
            f"Hiện có {format_number(actual)}, cần {format_number(req)}: "
            + (
                f"thiếu {format_number(req - actual)}."
                if actual < req
                else f"thừa {format_number(actual - req)}."
                if actual > req
                else "đủ."
            )
        )
        results[li.level] = LevelResult(
            li.level, rs.id, rs.source, exact, req, by_subject, actual, actual_by_subject, expl
        )
    vp_req = None
    explanation = [f"Tính theo định mức có hiệu lực ngày {format_date(on)}."]
    if general_rs is not None and general_rs.vice_principals is not None:
        vp_req, line = _vice_principals(general_rs.vice_principals, school, general_classes)
        explanation.append(line)
    return SchoolResult(school.code, on, results, vp_req, school.vice_principals, explanation)
