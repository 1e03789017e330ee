"""Read side of the norms app: PCGD–XMC results and the certificate register.

Staffing norms live in norms.service (computed from collected values). For analytics and the
review report: ``certificate_counts`` / ``certificate_rate`` (schools with a valid certificate on a
date over schools), ``renewal_alerts``, ``latest_pcgd`` and ``pcgd_summary``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from tongket.core.definitions import survey_date
from tongket.core.vntext import format_date, format_number, format_percent
from tongket.norms.calc.packs import load_pcgd
from tongket.norms.calc.pcgd import share_text
from tongket.norms.models import (
    STANDARD_LABELS,
    STANDARDS,
    CertificateKind,
    PcgdCommune,
    PcgdResult,
    SchoolCertificate,
)
from tongket.units import queries as uq
from tongket.units.models import OrgUnit, UnitKind, active_q

# --------------------------------------------------------------------------- PCGD–XMC


def pcgd_results(province: OrgUnit) -> list[PcgdResult]:
    return list(PcgdResult.objects.filter(province=province).select_related("uploaded_by"))


def latest_pcgd(province: OrgUnit, year: int | None = None) -> PcgdResult | None:
    qs = PcgdResult.objects.filter(province=province)
    if year is not None:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "-at").first()


_REASONS = [
    (r"missing (\w+)", "thiếu {0}"),
    (r"unknown commune_code (.*)", "mã xã {0} không có trong danh sách xã"),
    (r"malformed birth_year", "năm sinh không hợp lệ"),
    (r"impossible birth_year (\S+) \(after the survey year\)", "năm sinh {0} sau năm điều tra"),
    (r"impossible birth_year (\S+) \(older than (\d+)\)", "năm sinh {0}: quá {1} tuổi"),
    (r"malformed sex (.*)", "giới tính không hợp lệ: {0}"),
    (r"malformed ethnic_minority.*", "dân tộc thiểu số phải là 0 hoặc 1"),
    (r"malformed disability (.*)", "khuyết tật không hợp lệ: {0}"),
    (r"malformed status (.*)", "tình trạng đi học không hợp lệ: {0}"),
    (r"status (\S+) inconsistent with age (\d+)", "tình trạng {0} không phù hợp với tuổi {1}"),
    (r"malformed completed_preschool.*", "hoàn thành mầm non phải là 0 hoặc 1"),
    (r"malformed primary_completed_year", "năm hoàn thành tiểu học không hợp lệ"),
    (r"primary_completed_year after the survey year", "năm hoàn thành tiểu học sau năm điều tra"),
    (r"primary_completed_year before age (\d+)", "hoàn thành tiểu học trước {0} tuổi"),
    (r"malformed thcs_diploma_year", "năm tốt nghiệp THCS không hợp lệ"),
    (r"thcs_diploma_year after the survey year", "năm tốt nghiệp THCS sau năm điều tra"),
    (r"thcs_diploma_year before age (\d+)", "tốt nghiệp THCS trước {0} tuổi"),
    (
        r"thcs_diploma_year before primary_completed_year",
        "năm tốt nghiệp THCS trước năm hoàn thành tiểu học",
    ),
    (r"malformed literacy_level.*", "mức biết chữ phải là 0, 1 hoặc 2"),
    (
        r"duplicate person_id \(first at row (\d+)\)",
        "trùng mã người (person_id), lần đầu ở dòng {0}",
    ),
    (r"malformed CSV line.*", "dòng CSV hỏng (sai số cột hoặc dấu ngoặc kép)"),
]


def reason_vi(reason: str) -> str:
    """The evaluator's reasons (joined by '; ') in Vietnamese; unknown ones are kept as they are."""
    out = []
    for part in reason.split("; "):
        for pattern, template in _REASONS:
            m = re.fullmatch(pattern, part)
            if m:
                out.append(template.format(*m.groups()))
                break
        else:
            out.append(part)
    return "; ".join(out)


@dataclass
class FailureRow:
    standard: str
    level: int
    criterion: str
    rate: str
    threshold: str
    short_by: int | None


def _failure(f: dict, labels: dict[str, str]) -> FailureRow:
    crit = f["criterion"]
    if crit == "no_survey_data":
        text = "Không có dòng điều tra hợp lệ nào của xã"
    elif crit.startswith("requires "):
        _, std, _, lv = crit.split()
        text = f"Chưa đạt điều kiện: {STANDARD_LABELS.get(std, std)} mức {lv}"
    else:
        text = labels.get(crit, crit)
    return FailureRow(
        STANDARD_LABELS.get(f["standard"], f["standard"]),
        f["level"],
        text,
        share_text(f["rate"]),
        share_text(f["threshold"]),
        f["short_by_people"],
    )


def pcgd_summary(result: PcgdResult, communes: list[int] | None = None) -> dict:
    """What the PCGD page shows: communes with levels and failures, the province and legacy
    district roll-ups, counts of communes per level, and the rejected rows in Vietnamese.

    ``communes``: restrict the commune rows to these unit ids (a commune officer's own)."""
    from tongket.norms.calc.pcgd import roll_up

    rs = load_pcgd().for_survey_year(result.year)
    labels = {name: r.label for name, r in rs.rates.items()}
    ref = survey_date(result.year)
    rows = list(PcgdCommune.objects.filter(result=result).select_related("commune"))
    counts = {s: Counter(getattr(r, s) for r in rows) for s in STANDARDS}
    districts = []
    by_district = {r.code: r.district_code for r in rows if r.district_code}
    if by_district:
        levels = {r.code: r.levels() for r in rows}
        names = dict(
            OrgUnit.objects.filter(kind=UnitKind.DISTRICT, code__in=set(by_district.values()))
            .filter(active_q(ref))
            .values_list("code", "name")
        )
        for code, d in roll_up(rs, levels, by_district).items():
            members = sum(1 for v in by_district.values() if v == code)
            districts.append(
                {
                    "code": code,
                    "name": names.get(code, code),
                    "communes": members,
                    "levels": [d["levels"].get(s, 0) for s in STANDARDS],
                }
            )
    if communes is not None:
        rows = [r for r in rows if r.commune_id in communes]
    province_levels = (
        result.result.get("provinces", {}).get(result.province.code, {}).get("levels", {})
    )
    return {
        "standards": [(s, STANDARD_LABELS[s]) for s in STANDARDS],
        "province": [province_levels.get(s, 0) for s in STANDARDS],
        "max_levels": [rs.standards[s].max_level for s in STANDARDS if s in rs.standards],
        "counts": [
            (
                STANDARD_LABELS[s],
                province_levels.get(s, 0),
                [(lv, counts[s].get(lv, 0)) for lv in range(0, 4)],
            )
            for s in STANDARDS
        ],
        "districts": districts,
        "communes": [
            {
                "row": r,
                "name": r.commune.name if r.commune else r.code,
                "levels": [r.levels()[s] for s in STANDARDS],
                "failures": [_failure(f, labels) for f in r.failures],
                "rates": [
                    (labels.get(k, k), share_text(v)) for k, v in r.rates.items() if k in labels
                ],
            }
            for r in rows
        ],
        "rejected": [
            {"row": r["row"], "reason": reason_vi(r["reason"])}
            for r in result.result.get("rejected_rows", [])
        ],
        "source": rs.source,
    }


def pcgd_sentences(province: OrgUnit, year: int | None = None) -> list[str]:
    """For the review report: "Năm 2025, 120/129 xã đạt PCGD tiểu học mức 3; ...". Empty when
    no survey of that year is stored."""
    res = latest_pcgd(province, year)
    if res is None:
        return []
    rows = list(PcgdCommune.objects.filter(result=res))
    if not rows:
        return []
    prov = res.result.get("provinces", {}).get(province.code, {}).get("levels", {})
    parts = []
    for s in STANDARDS:
        top = max((getattr(r, s) for r in rows), default=0)
        lv = prov.get(s, 0)
        if lv:
            parts.append(f"{province.name} đạt chuẩn {STANDARD_LABELS[s]} mức {lv}")
        if top:
            n = sum(1 for r in rows if getattr(r, s) >= top)
            parts.append(f"{n}/{len(rows)} xã đạt {STANDARD_LABELS[s]} mức {top}")
    return [f"Năm {res.year}: " + "; ".join(parts) + "."] if parts else []


# --------------------------------------------------------------------------- register

STATUS_LABELS = {
    "valid": "Còn hiệu lực",
    "renew": "Cần đăng ký đánh giá lại",
    "expired": "Đã hết hiệu lực",
}


def status_of(cert: SchoolCertificate, on: dt.date) -> str:
    if on > cert.expires:
        return "expired"
    if on >= cert.renew_by:
        return "renew"
    return "valid"


def _school_ids(unit: OrgUnit, on: dt.date) -> list[int]:
    return list(uq.schools_under(unit, on).values_list("pk", flat=True))


def _latest(certs) -> list[SchoolCertificate]:
    """The latest certificate of each (school, kind): older ones were renewed or replaced."""
    latest: dict[tuple[int, str], SchoolCertificate] = {}
    for c in certs:
        key = (c.school_id, c.kind)
        if key not in latest or c.decision_date > latest[key].decision_date:
            latest[key] = c
    return list(latest.values())


def certificates(
    unit: OrgUnit, on: dt.date, kind: str = "", status: str = "", text: str = ""
) -> list[tuple[SchoolCertificate, str]]:
    """Certificates of the schools under ``unit`` (tree as of ``on``), with their status on ``on``;
    by default every certificate, with ``status`` only the latest of each school and kind."""
    qs = SchoolCertificate.objects.filter(school_id__in=_school_ids(unit, on)).select_related(
        "school"
    )
    if kind:
        qs = qs.filter(kind=kind)
    if text:
        qs = qs.filter(school__in=OrgUnit.objects.search(text))
    certs = list(qs.order_by("school__name", "kind", "-decision_date"))
    if status:
        certs = sorted(_latest(certs), key=lambda c: (c.school.name, c.kind))
        return [(c, st) for c in certs if (st := status_of(c, on)) == status]
    return [(c, status_of(c, on)) for c in certs]


def renewal_alerts(unit: OrgUnit, on: dt.date) -> list[tuple[SchoolCertificate, str, int]]:
    """Schools whose latest certificate is within the renewal lead time (self-assessment and
    registration at least 5 months before expiry) or already expired: (certificate, status,
    days left until expiry — negative when past)."""
    certs = SchoolCertificate.objects.filter(school_id__in=_school_ids(unit, on)).select_related(
        "school"
    )
    out = []
    for c in _latest(certs):
        st = status_of(c, on)
        if st != "valid":
            out.append((c, st, (c.expires - on).days))
    return sorted(out, key=lambda t: t[2])


@dataclass
class CertificateCount:
    unit: OrgUnit
    schools: int
    valid: dict[str, int]  # kind -> schools with a valid certificate on the date
    by_level: dict[str, dict[int, int]]  # kind -> level -> schools (their highest valid level)

    def rate(self, kind: str) -> float | None:
        return None if not self.schools else self.valid.get(kind, 0) / self.schools

    def rate_text(self, kind: str) -> str:
        r = self.rate(kind)
        return "—" if r is None else format_percent(r * 100, 1)

    @property
    def standard(self) -> int:
        return self.valid.get(CertificateKind.NATIONAL_STANDARD, 0)

    @property
    def standard_rate(self) -> str:
        return self.rate_text(CertificateKind.NATIONAL_STANDARD)

    @property
    def accredited(self) -> int:
        return self.valid.get(CertificateKind.ACCREDITATION, 0)

    @property
    def accredited_rate(self) -> str:
        return self.rate_text(CertificateKind.ACCREDITATION)


def best_levels(certs: Iterable[SchoolCertificate], on: dt.date) -> dict[str, int]:
    """The register's one rule: kind -> the highest level of a certificate valid on ``on``."""
    best: dict[str, int] = {}
    for c in certs:
        if c.valid_on(on):
            best[c.kind] = max(best.get(c.kind, 0), c.level)
    return best


def valid_levels(
    school_ids: list[int], on: dt.date, kind: str = CertificateKind.NATIONAL_STANDARD
) -> dict[int, int]:
    """{school: highest level of a certificate of ``kind`` valid on ``on``} (schools without
    one are absent): what the analytics engine counts as national-standard schools."""
    by_school: dict[int, list[SchoolCertificate]] = defaultdict(list)
    for i in range(0, len(school_ids), 900):
        qs = SchoolCertificate.objects.filter(
            school_id__in=school_ids[i : i + 900], kind=kind, decision_date__lte=on, expires__gte=on
        )
        for c in qs:
            by_school[c.school_id].append(c)
    out = {}
    for sid, certs in by_school.items():
        best = best_levels(certs, on)
        if kind in best:
            out[sid] = best[kind]
    return out


def _count(unit: OrgUnit, school_ids: list[int], certs_by_school, on) -> CertificateCount:
    valid: dict[str, int] = defaultdict(int)
    by_level: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for sid in school_ids:
        for kind, lv in best_levels(certs_by_school.get(sid, ()), on).items():
            valid[kind] += 1
            by_level[kind][lv] += 1
    return CertificateCount(
        unit, len(school_ids), dict(valid), {k: dict(v) for k, v in by_level.items()}
    )


def certificate_counts(
    unit: OrgUnit, on: dt.date, tree_on: dt.date | None = None
) -> tuple[CertificateCount, list[CertificateCount]]:
    """Schools with a valid certificate on ``on`` over all schools (of the tree of ``tree_on``,
    by default the same day), for the unit and each child."""
    tree_on = tree_on or on
    ids = _school_ids(unit, tree_on)
    certs_by_school: dict[int, list[SchoolCertificate]] = defaultdict(list)
    for c in SchoolCertificate.objects.filter(school_id__in=ids, decision_date__lte=on):
        certs_by_school[c.school_id].append(c)
    whole = _count(unit, ids, certs_by_school, on)
    children = []
    if unit.kind != UnitKind.SCHOOL:
        for child in uq.children(unit, tree_on):
            if child.kind == UnitKind.SCHOOL:
                continue
            sub = [i for i in _school_ids(child, tree_on) if i in set(ids)]
            children.append(_count(child, sub, certs_by_school, on))
    return whole, children


def certificate_rate(unit: OrgUnit, on: dt.date, kind: str = CertificateKind.NATIONAL_STANDARD):
    """(schools with a valid certificate of ``kind`` on ``on``, schools under the unit)."""
    whole, _ = certificate_counts(unit, on)
    return whole.valid.get(kind, 0), whole.schools


REGISTER_LABELS: dict[str, str] = {
    CertificateKind.NATIONAL_STANDARD: "đạt chuẩn quốc gia",
    CertificateKind.ACCREDITATION: "đạt kiểm định chất lượng giáo dục",
}


def register_sentences(
    unit: OrgUnit,
    on: dt.date,
    tree_on: dt.date | None = None,
    kinds: tuple[str, ...] = tuple(REGISTER_LABELS),
) -> list[str]:
    """ "Đến 30/9/2025, 120/369 trường (32,5%) đạt chuẩn quốc gia; ..." for the review report
    (the schools of the tree of ``tree_on``, certificates valid on ``on``)."""
    whole, _ = certificate_counts(unit, on, tree_on)
    if not whole.schools:
        return []
    parts = []
    for kind in kinds:
        label = REGISTER_LABELS[kind]
        n = whole.valid.get(kind, 0)
        parts.append(
            f"{format_number(n)}/{format_number(whole.schools)} trường "
            f"({whole.rate_text(kind)}) {label}"
        )
    alerts = renewal_alerts(unit, on)
    text = f"Đến ngày {format_date(on)}, " + "; ".join(parts) + "."
    out = [text]
    if alerts:
        out.append(
            f"{len(alerts)} trường cần tự đánh giá, đăng ký đánh giá lại hoặc đã hết hiệu lực "
            "giấy chứng nhận."
        )
    return out
