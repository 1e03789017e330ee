"""Shortage and surplus that add up: the one roll-up of staffing results every surface formats.

Over a set of schools, for a level or a report group (Mầm non = nhà trẻ + mẫu giáo):

- ``required``, ``actual`` and ``balance = actual − required``: the net figure ("cân đối");
- ``shortage``: teachers missing, counted school by school and subject by subject (gross): a
  surplus of English teachers in one school does not fill another school's gap, nor a surplus of
  class teachers a gap in English;
- ``surplus``: teachers beyond the norm, counted the same way (gross);

so that ``surplus − shortage == balance`` exactly, and the subject parts add up to ``shortage``
and ``surplus``. A school level whose subject rows do not add up to its teacher count (or that
gave no subject split) puts the difference under "chưa tách theo môn", so nothing is lost or
counted twice. The page headline, its tables, the CLI and the review report all read
:class:`StaffingSummary`; the sentences below are the only wording of it (the report's docgen
repeats it with traced numbers, and a test holds the two texts equal).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tongket.core.vntext import format_number

from .staffing import REPORT_GROUPS, LevelResult, SchoolResult

UNSPLIT = "chua_tach_mon"
UNSPLIT_LABEL = "Chưa tách theo môn"
PRESCHOOL_KEY = "mam_non"
OTHERS_LABEL = "các môn còn lại"
MAX_PARTS = 4  # subjects named in a "trong đó"; the rest are summed as "các môn còn lại"


def subject_balances(lr: LevelResult) -> dict[str, int]:
    """One school level's thiếu (−) / thừa (+) by subject, adding up to ``lr.balance``."""
    out = {k: v for k, v in lr.balance_by_subject.items() if v}
    rest = lr.balance - sum(out.values())
    if rest:
        out[UNSPLIT] = out.get(UNSPLIT, 0) + rest
    return out


@dataclass(frozen=True)
class Balance:
    """Required, actual, gross shortage and surplus and the net balance over a set of schools."""

    label: str
    levels: tuple[str, ...]
    schools: int = 0
    required: int = 0
    actual: int = 0
    shortage: int = 0
    surplus: int = 0
    shortage_by_subject: Mapping[str, int] = field(default_factory=dict)
    surplus_by_subject: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The figures are built to add up; a change that breaks it must fail loudly, not print.
        if self.surplus - self.shortage != self.actual - self.required:
            raise ValueError(f"{self.label}: thừa − thiếu ≠ hiện có − cần")
        if sum(self.shortage_by_subject.values()) != self.shortage:
            raise ValueError(f"{self.label}: thiếu theo môn không cộng đúng tổng thiếu")
        if sum(self.surplus_by_subject.values()) != self.surplus:
            raise ValueError(f"{self.label}: thừa theo môn không cộng đúng tổng thừa")

    @property
    def balance(self) -> int:
        """actual − required (cân đối): negative is a net shortage."""
        return self.actual - self.required

    @property
    def by_subject(self) -> bool:
        """Whether the gross figures are split by subject (else by school only)."""
        keys = set(self.shortage_by_subject) | set(self.surplus_by_subject)
        return bool(keys - {PRESCHOOL_KEY, UNSPLIT})

    def shortage_parts(self, labels: Mapping[str, str]) -> list[tuple[str, int]]:
        """(subject label, shortage) largest first, at most MAX_PARTS named and the rest summed
        as "các môn còn lại": the parts add up to ``shortage`` exactly. Empty when not by subject."""
        if not self.by_subject or len(self.shortage_by_subject) < 2:
            return []
        ranked = sorted(self.shortage_by_subject.items(), key=lambda kv: (-kv[1], kv[0]))
        named = ranked if len(ranked) <= MAX_PARTS + 1 else ranked[:MAX_PARTS]
        parts = [(subject_label(k, labels), n) for k, n in named]
        rest = sum(n for _, n in ranked[len(named) :])
        if rest:
            parts.append((OTHERS_LABEL, rest))
        return parts


def subject_label(key: str, labels: Mapping[str, str]) -> str:
    return UNSPLIT_LABEL if key == UNSPLIT else labels.get(key, key)


def _balance(label: str, levels: tuple[str, ...], results: list[SchoolResult]) -> Balance | None:
    schools = required = actual = 0
    short: dict[str, int] = {}
    over: dict[str, int] = {}
    for res in results:
        present = [res.levels[lv] for lv in levels if lv in res.levels]
        if not present:
            continue
        schools += 1
        merged: dict[str, int] = {}  # one school: its levels of the group, subject by subject
        for lr in present:
            required += lr.required
            actual += lr.actual
            for k, v in subject_balances(lr).items():
                merged[k] = merged.get(k, 0) + v
        for k, v in merged.items():
            if v < 0:
                short[k] = short.get(k, 0) - v
            elif v > 0:
                over[k] = over.get(k, 0) + v
    if not schools:
        return None
    return Balance(
        label,
        levels,
        schools,
        required,
        actual,
        sum(short.values()),
        sum(over.values()),
        short,
        over,
    )


@dataclass(frozen=True)
class StaffingSummary:
    """Per report group (Mầm non, Tiểu học, THCS, THPT: the headline, the table, the sentences)
    and per calculator level (nhà trẻ and mẫu giáo apart, for the explanations)."""

    groups: tuple[Balance, ...]
    levels: Mapping[str, Balance]

    def group(self, label: str) -> Balance | None:
        return next((g for g in self.groups if g.label == label), None)

    def __bool__(self) -> bool:
        return bool(self.groups)


def summarize(results: Iterable[SchoolResult]) -> StaffingSummary:
    """Roll school results up per report group and per level (see the module docstring)."""
    from .staffing import LEVEL_LABELS

    rs = list(results)
    groups = tuple(
        b for label, levels in REPORT_GROUPS if (b := _balance(label, levels, rs)) is not None
    )
    levels = {
        lv: b for lv, label in LEVEL_LABELS.items() if (b := _balance(label, (lv,), rs)) is not None
    }
    return StaffingSummary(groups, levels)


# --------------------------------------------------------------------------- wording


def _n(value: int) -> str:
    return format_number(value)


def group_sentence(b: Balance, labels: Mapping[str, str]) -> str:
    """ "Tiểu học thiếu 421 giáo viên ở một số môn (trong đó Tiếng Anh 160, ...), thừa 223 giáo
    viên ở các môn khác, cân đối thiếu 198 giáo viên" (no final period).

    Only shortage: "Tiểu học thiếu 50 giáo viên (trong đó ...)"; only surplus: "THCS thừa 85 giáo
    viên"; neither: "THPT đủ giáo viên". By school rather than subject for Mầm non and for schools
    that gave no subject split.
    """
    place = "môn" if b.by_subject else "trường"
    parts = b.shortage_parts(labels)
    detail = (
        " (trong đó " + ", ".join(f"{name} {_n(n)}" for name, n in parts) + ")" if parts else ""
    )
    if b.shortage and b.surplus:
        net = (
            f"cân đối thiếu {_n(-b.balance)} giáo viên"
            if b.balance < 0
            else f"cân đối thừa {_n(b.balance)} giáo viên"
            if b.balance > 0
            else "cân đối đủ giáo viên"
        )
        return (
            f"{b.label} thiếu {_n(b.shortage)} giáo viên ở một số {place}{detail}, "
            f"thừa {_n(b.surplus)} giáo viên ở các {place} khác, {net}"
        )
    if b.shortage:
        return f"{b.label} thiếu {_n(b.shortage)} giáo viên{detail}"
    if b.surplus:
        return f"{b.label} thừa {_n(b.surplus)} giáo viên"
    return f"{b.label} đủ giáo viên"


def summary_sentences(summary: StaffingSummary, labels: Mapping[str, str]) -> list[str]:
    """One sentence per report group, in the offices' order; empty when no school reported."""
    return [group_sentence(b, labels) + "." for b in summary.groups]
