"""Load and validate the norm packs (packs/vn/norms/*.yaml) into frozen dataclasses.

Every error names the file and the key path (``pcgd.yaml: rule_sets[0].standards.pcgd_th.levels.2
.criteria[0].min: ...``) because the people who edit these packs are not the people who read
tracebacks. Thresholds are kept as ``Fraction`` so that "exactly on the threshold" compares exactly.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, TypeVar, overload

import yaml

# src/tongket/norms/calc/packs.py -> repository root is four levels up.
_DEFAULT_DIR = Path(__file__).resolve().parents[4] / "packs" / "vn" / "norms"


def packs_dir() -> Path:
    """Where the norm packs live; TONGKET_NORMS_DIR overrides (tests, deployments)."""
    return Path(os.environ.get("TONGKET_NORMS_DIR", _DEFAULT_DIR))


class PackError(ValueError):
    """A norm pack is missing, malformed or has no rule set for a date."""


class _Node:
    """A value inside a YAML file, with the file and key path used in error messages."""

    def __init__(self, value: Any, file: str, path: str = "") -> None:
        self.value, self.file, self.path = value, file, path

    def fail(self, message: str, key: str | None = None) -> PackError:
        where = self.path if key is None else (f"{self.path}.{key}" if self.path else str(key))
        return PackError(f"{self.file}: {where or '(top)'}: {message}")

    def child(self, key: Any, value: Any) -> _Node:
        path = (
            f"{self.path}[{key}]"
            if isinstance(key, int) and isinstance(self.value, list)
            else (f"{self.path}.{key}" if self.path else str(key))
        )
        return _Node(value, self.file, path)

    def mapping(self) -> dict:
        if not isinstance(self.value, dict):
            raise self.fail(f"expected a mapping, got {type(self.value).__name__}")
        return self.value

    def get(self, key: str, default: Any = ..., kind: type | tuple | None = None) -> _Node:
        data = self.mapping()
        if key not in data:
            if default is ...:
                raise self.fail("missing required key", key)
            return self.child(key, default)
        node = self.child(key, data[key])
        if kind is not None and node.value is not None and not isinstance(node.value, kind):
            raise node.fail(f"expected {_kind_name(kind)}, got {node.value!r}")
        return node

    def items(self) -> list[tuple[Any, _Node]]:
        return [(k, self.child(k, v)) for k, v in self.mapping().items()]

    def elements(self) -> list[_Node]:
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        return [self.child(i, v) for i, v in enumerate(self.value)]

    def number(self) -> Fraction:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.fail(f"expected a number, got {self.value!r}")
        # str() keeps 2.25 as 9/4 instead of the binary float's long fraction.
        return Fraction(str(self.value))

    def percent(self) -> Fraction:
        value = self.number()
        if not 0 <= value <= 100:
            raise self.fail(f"expected a percentage 0-100, got {self.value!r}")
        return value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"expected an integer, got {self.value!r}")
        return self.value

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value.strip():
            raise self.fail(f"expected non-empty text, got {self.value!r}")
        return self.value

    @overload
    def date(self, allow_none: Literal[False] = False) -> dt.date: ...
    @overload
    def date(self, allow_none: bool) -> dt.date | None: ...
    def date(self, allow_none: bool = False) -> dt.date | None:
        if self.value is None and allow_none:
            return None
        if isinstance(self.value, dt.date):
            return self.value
        if isinstance(self.value, str):
            try:
                return dt.date.fromisoformat(self.value)
            except ValueError:
                pass
        raise self.fail(f"expected a date yyyy-mm-dd, got {self.value!r}")


def _kind_name(kind: type | tuple) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


_K = TypeVar("_K")
_V = TypeVar("_V")


def _frozen(mapping: Mapping[_K, _V]) -> Mapping[_K, _V]:
    return MappingProxyType(dict(mapping))


def _load_yaml(name: str, directory: Path | None) -> _Node:
    path = (directory or packs_dir()) / name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PackError(f"{path}: cannot read norm pack ({exc.strerror})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PackError(f"{path}: not valid YAML: {exc}") from exc
    root = _Node(data, path.name)
    root.mapping()
    return root


@dataclass(frozen=True)
class Dated:
    """A rule set in force from valid_from to valid_to, both inclusive (valid_to None: open)."""

    id: str
    source: str
    valid_from: dt.date
    valid_to: dt.date | None

    def in_force(self, on: dt.date) -> bool:
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def _dated_fields(node: _Node) -> dict:
    valid_from = node.get("valid_from").date()
    valid_to = node.get("valid_to", None).date(allow_none=True)
    if valid_to is not None and valid_to < valid_from:
        raise node.fail("valid_to is before valid_from", "valid_to")
    return {
        "id": node.get("id").text(),
        "source": node.get("source").text(),
        "valid_from": valid_from,
        "valid_to": valid_to,
    }


def _pick(rule_sets: tuple, on: dt.date, what: str, file: str) -> Any:
    hits = [rs for rs in rule_sets if rs.in_force(on)]
    if not hits:
        raise PackError(f"{file}: no {what} rule set in force on {on.isoformat()}")
    if len(hits) > 1:
        ids = ", ".join(rs.id for rs in hits)
        raise PackError(f"{file}: {what} rule sets overlap on {on.isoformat()}: {ids}")
    return hits[0]


def _check_no_overlap(rule_sets: list, node: _Node, what: str) -> None:
    ordered = sorted(rule_sets, key=lambda r: r.valid_from)
    for a, b in pairwise(ordered):
        if a.valid_to is None or a.valid_to >= b.valid_from:
            raise node.fail(f"{what} rule sets {a.id} and {b.id} overlap")


# --------------------------------------------------------------------------- PCGD–XMC

PCGD_NUMERATORS = frozenset(
    {
        "in_education",
        "completed_preschool",
        "in_primary",
        "primary_completed",
        "thcs_diploma",
        "in_upper_track",
        "literate_l1",
        "literate_l2",
    }
)
PCGD_POPULATIONS = frozenset({"all", "disabled_can_study"})


@dataclass(frozen=True)
class PcgdRate:
    name: str
    label: str
    age_min: int
    age_max: int
    numerator: str
    population: str
    source: str


@dataclass(frozen=True)
class PcgdCriterion:
    rate: str
    min: Fraction
    rate_difficult: str
    min_difficult: Fraction

    def for_commune(self, difficult: bool) -> tuple[str, Fraction]:
        """(rate name, threshold in percent) that applies to a normal or a difficult commune."""
        return (self.rate_difficult, self.min_difficult) if difficult else (self.rate, self.min)


@dataclass(frozen=True)
class PcgdLevel:
    level: int
    source: str
    criteria: tuple[PcgdCriterion, ...]
    requires: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PcgdStandard:
    name: str
    label: str
    levels: tuple[PcgdLevel, ...]  # ordered 1..n

    @property
    def max_level(self) -> int:
        return len(self.levels)


@dataclass(frozen=True)
class PcgdDataRules:
    max_age: int
    status_ages: Mapping[str, tuple[int, int]]
    grade_min_offset: int
    grade_max_offset: int
    primary_completed_min_age: int
    thcs_diploma_min_age: int
    sex_values: tuple[str, ...]


@dataclass(frozen=True)
class PcgdRuleSet(Dated):
    reference_month: int
    reference_day: int
    rates: Mapping[str, PcgdRate]
    standards: Mapping[str, PcgdStandard]  # in evaluation order (prerequisites first)
    units_needed: Mapping[str, Mapping[int, Fraction]]
    exclude_from_denominators: str
    disability_criterion: PcgdCriterion | None
    data_rules: PcgdDataRules


def _criterion(node: _Node, rates: Mapping[str, PcgdRate]) -> PcgdCriterion:
    rate = node.get("rate").text()
    rate_d = node.get("rate_difficult", rate).text()
    for key, name in (("rate", rate), ("rate_difficult", rate_d)):
        if name not in rates:
            raise node.fail(f"unknown rate {name!r}", key)
    minimum = node.get("min").percent()
    min_d = node.get("min_difficult", node.mapping()["min"]).percent()
    return PcgdCriterion(rate, minimum, rate_d, min_d)


def _pcgd_rule_set(node: _Node) -> PcgdRuleSet:
    rates: dict[str, PcgdRate] = {}
    for name, rnode in node.get("rates").items():
        ages = rnode.get("ages", kind=list)
        if len(ages.value) != 2:
            raise ages.fail("expected [min_age, max_age]")
        lo, hi = (n.integer() for n in ages.elements())
        if lo > hi:
            raise ages.fail("min age above max age")
        numerator = rnode.get("numerator").text()
        if numerator not in PCGD_NUMERATORS:
            raise rnode.fail(f"unknown numerator {numerator!r}; one of {sorted(PCGD_NUMERATORS)}")
        population = rnode.get("population", "all").text()
        if population not in PCGD_POPULATIONS:
            raise rnode.fail(f"unknown population {population!r}", "population")
        rates[name] = PcgdRate(
            name, rnode.get("label").text(), lo, hi, numerator, population,
            rnode.get("source").text(),
        )  # fmt: skip

    standards: dict[str, PcgdStandard] = {}
    for sname, snode in node.get("standards").items():
        levels = []
        for i, (lkey, lnode) in enumerate(snode.get("levels").items(), start=1):
            if lkey != i:
                raise lnode.fail(f"levels must be numbered 1, 2, ... in order; found {lkey!r}")
            crits = tuple(_criterion(c, rates) for c in lnode.get("criteria").elements())
            reqs = []
            for r in lnode.get("requires", []).elements():
                required = r.get("standard").text()
                if required not in standards:
                    raise r.fail(f"prerequisite {required!r} must be declared before {sname!r}")
                reqs.append((required, r.get("level").integer()))
            levels.append(PcgdLevel(i, lnode.get("source").text(), crits, tuple(reqs)))
        standards[sname] = PcgdStandard(sname, snode.get("label").text(), tuple(levels))

    units_node = node.get("units_needed")
    units: dict[str, Mapping[int, Fraction]] = {}
    for sname, std in standards.items():
        per_level = units_node.get(sname)
        shares = {k: v.percent() for k, v in per_level.items()}
        if sorted(shares) != list(range(1, std.max_level + 1)):
            raise per_level.fail(f"needs a share for each level 1..{std.max_level}")
        units[sname] = _frozen(shares)

    dr = node.get("data_rules")
    status_ages = {}
    for status, ages in dr.get("status_ages").items():
        lo, hi = (n.integer() for n in ages.elements())
        status_ages[status] = (lo, hi)
    data_rules = PcgdDataRules(
        max_age=dr.get("max_age").integer(),
        status_ages=_frozen(status_ages),
        grade_min_offset=dr.get("grade_min_offset").integer(),
        grade_max_offset=dr.get("grade_max_offset").integer(),
        primary_completed_min_age=dr.get("primary_completed_min_age").integer(),
        thcs_diploma_min_age=dr.get("thcs_diploma_min_age").integer(),
        sex_values=tuple(str(v.value).lower() for v in dr.get("sex_values").elements()),
    )
    ref = node.get("reference_date")
    disability = node.get("disability_criterion", None)
    return PcgdRuleSet(
        **_dated_fields(node),
        reference_month=ref.get("month").integer(),
        reference_day=ref.get("day").integer(),
        rates=_frozen(rates),
        standards=_frozen(standards),
        units_needed=_frozen(units),
        exclude_from_denominators=node.get("exclude_from_denominators").text(),
        disability_criterion=None if disability.value is None else _criterion(disability, rates),
        data_rules=data_rules,
    )


@dataclass(frozen=True)
class PcgdPack:
    file: str
    rule_sets: tuple[PcgdRuleSet, ...]

    def rule_set(self, on: dt.date) -> PcgdRuleSet:
        return _pick(self.rule_sets, on, "PCGD–XMC", self.file)

    def for_survey_year(self, year: int) -> PcgdRuleSet:
        """The rule set in force on the survey's reference date (30/9 of the year)."""
        first = self.rule_sets[0]
        return self.rule_set(dt.date(year, first.reference_month, first.reference_day))


@lru_cache(maxsize=8)
def _pcgd_cached(directory: str) -> PcgdPack:
    root = _load_yaml("pcgd.yaml", Path(directory))
    sets = [_pcgd_rule_set(n) for n in root.get("rule_sets").elements()]
    _check_no_overlap(sets, root, "PCGD")
    return PcgdPack(root.file, tuple(sets))


def load_pcgd(directory: Path | None = None) -> PcgdPack:
    return _pcgd_cached(str(directory or packs_dir()))


# --------------------------------------------------------------------------- staffing


@dataclass(frozen=True)
class LeftoverRule:
    per_teacher: Mapping[int, int]  # region -> leftover pupils per extra teacher
    class_size: Mapping[int, int]  # region -> pupils per class when classes are formed
    source: str
    confirmed: bool


@dataclass(frozen=True)
class GeneralLevelNorm:
    level: str
    per_class: Mapping[str, Fraction]  # two_sessions/one_session or default/boarding/special/chuyen
    per_class_source: str
    extra_posts: Mapping[str, int]
    extra_posts_source: str
    leftover: LeftoverRule | None
    confirmed: bool


@dataclass(frozen=True)
class PreschoolLevelNorm:
    level: str  # nha_tre or mau_giao
    per_unit: Mapping[str, Fraction]  # {"default": 2.5} or two_sessions/one_session
    max_children: Mapping[str, int]  # age band -> children per group/class
    source: str


@dataclass(frozen=True)
class ViceRule:
    source: str
    many: int
    few: int
    classes_lowland: int
    classes_mountain_island: int
    always_many_if: tuple[str, ...]
    confirmed: bool


@dataclass(frozen=True)
class StaffingRuleSet(Dated):
    kind: str  # general or preschool
    confirmed: bool
    levels: Mapping[str, GeneralLevelNorm | PreschoolLevelNorm]
    vice_principals: ViceRule | None


@dataclass(frozen=True)
class StaffingPack:
    file: str
    rule_sets: tuple[StaffingRuleSet, ...]
    subject_labels: Mapping[str, str]
    subject_periods: Mapping[str, Mapping[int, Mapping[str, int]]]
    subjects_source: str

    def rule_set(self, kind: str, on: dt.date) -> StaffingRuleSet:
        sets = tuple(rs for rs in self.rule_sets if rs.kind == kind)
        return _pick(sets, on, f"staffing ({kind})", self.file)


def _ratio_map(node: _Node) -> Mapping[str, Fraction]:
    return _frozen({str(k): v.number() for k, v in node.items()})


def _staffing_rule_set(node: _Node) -> StaffingRuleSet:
    kind = node.get("kind").text()
    if kind not in ("general", "preschool"):
        raise node.fail(f"kind must be general or preschool, got {kind!r}", "kind")
    levels: dict[str, GeneralLevelNorm | PreschoolLevelNorm] = {}
    for lname, ln in node.get("levels").items():
        if kind == "general":
            lo = ln.get("leftover_pupils", None)
            leftover = None
            if lo.value is not None:
                leftover = LeftoverRule(
                    per_teacher=_frozen({int(k): v.integer() for k, v in lo.get("per_teacher").items()}),
                    class_size=_frozen({int(k): v.integer() for k, v in lo.get("class_size").items()}),
                    source=lo.get("source").text(),
                    confirmed=bool(lo.get("confirmed", True).value),
                )  # fmt: skip
                if sorted(leftover.per_teacher) != [1, 2, 3]:
                    raise lo.fail("per_teacher needs regions 1, 2 and 3")
            levels[lname] = GeneralLevelNorm(
                level=lname,
                per_class=_ratio_map(ln.get("per_class")),
                per_class_source=ln.get("per_class_source").text(),
                extra_posts=_frozen({k: v.integer() for k, v in ln.get("extra_posts", {}).items()}),
                extra_posts_source=ln.get("extra_posts_source", "").value or "",
                leftover=leftover,
                confirmed=bool(ln.get("confirmed", True).value),
            )
        else:
            if "per_group" in ln.mapping():
                per_unit = _frozen({"default": ln.get("per_group").number()})
            else:
                per_unit = _ratio_map(ln.get("per_class"))
            levels[lname] = PreschoolLevelNorm(
                level=lname,
                per_unit=per_unit,
                max_children=_frozen({str(k): v.integer() for k, v in ln.get("max_children").items()}),
                source=ln.get("source").text(),
            )  # fmt: skip
    vp = node.get("vice_principals", None)
    vice = None
    if vp.value is not None:
        vice = ViceRule(
            source=vp.get("source").text(),
            many=vp.get("many").integer(),
            few=vp.get("few").integer(),
            classes_lowland=vp.get("classes_lowland").integer(),
            classes_mountain_island=vp.get("classes_mountain_island").integer(),
            always_many_if=tuple(str(e.value) for e in vp.get("always_many_if", []).elements()),
            confirmed=bool(vp.get("confirmed", True).value),
        )
    return StaffingRuleSet(
        **_dated_fields(node),
        kind=kind,
        confirmed=bool(node.get("confirmed", True).value),
        levels=_frozen(levels),
        vice_principals=vice,
    )


@lru_cache(maxsize=8)
def _staffing_cached(directory: str) -> StaffingPack:
    root = _load_yaml("staffing.yaml", Path(directory))
    sets = [_staffing_rule_set(n) for n in root.get("rule_sets").elements()]
    for kind in ("general", "preschool"):
        _check_no_overlap([s for s in sets if s.kind == kind], root, f"staffing {kind}")
    subj = root.get("subjects")
    periods: dict[str, Mapping[int, Mapping[str, int]]] = {}
    for level, grades in subj.get("periods").items():
        periods[level] = _frozen(
            {int(g): _frozen({s: n.integer() for s, n in gn.items()}) for g, gn in grades.items()}
        )
    labels = {k: v.text() for k, v in subj.get("labels").items()}
    for level, by_grade in periods.items():
        for grade, subjects in by_grade.items():
            for s in subjects:
                if s not in labels:
                    raise subj.fail(f"subject {s!r} (level {level}, grade {grade}) has no label")
    return StaffingPack(
        root.file, tuple(sets), _frozen(labels), _frozen(periods), subj.get("source").text()
    )


def load_staffing(directory: Path | None = None) -> StaffingPack:
    return _staffing_cached(str(directory or packs_dir()))


# --------------------------------------------------------------------------- quality


@dataclass(frozen=True)
class QualityRuleSet(Dated):
    school_levels: tuple[str, ...]
    national_standard_levels: tuple[int, ...]
    accreditation_levels: tuple[int, ...]
    validity_years: int
    renewal_lead_months: int


@dataclass(frozen=True)
class QualityPack:
    file: str
    rule_sets: tuple[QualityRuleSet, ...]

    def rule_set(self, school_level: str, on: dt.date) -> QualityRuleSet:
        sets = tuple(rs for rs in self.rule_sets if school_level in rs.school_levels)
        return _pick(sets, on, f"quality ({school_level})", self.file)


@lru_cache(maxsize=8)
def _quality_cached(directory: str) -> QualityPack:
    root = _load_yaml("quality.yaml", Path(directory))
    sets = []
    for n in root.get("rule_sets").elements():
        sets.append(
            QualityRuleSet(
                **_dated_fields(n),
                school_levels=tuple(e.text() for e in n.get("school_levels").elements()),
                national_standard_levels=tuple(
                    e.integer() for e in n.get("national_standard_levels").elements()
                ),
                accreditation_levels=tuple(
                    e.integer() for e in n.get("accreditation_levels").elements()
                ),
                validity_years=n.get("validity_years").integer(),
                renewal_lead_months=n.get("renewal_lead_months").integer(),
            )
        )
    return QualityPack(root.file, tuple(sets))


def load_quality(directory: Path | None = None) -> QualityPack:
    return _quality_cached(str(directory or packs_dir()))


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    # Clamp 31/x to the month's last day (a certificate of 31/8 renews by 31/3, not 3/4).
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def certificate_dates(school_level: str, issued: dt.date, pack: QualityPack | None = None) -> dict:
    """Expiry and renewal-registration deadline of a national-standard/accreditation certificate.

    Valid ``validity_years`` from issue (expiry = the day before the anniversary); the school must
    self-assess and register at least ``renewal_lead_months`` before expiry.
    """
    rs = (pack or load_quality()).rule_set(school_level, issued)
    expires = _add_months(issued, 12 * rs.validity_years) - dt.timedelta(days=1)
    return {
        "expires": expires,
        "renew_by": _add_months(expires, -rs.renewal_lead_months),
        "source": rs.source,
    }
