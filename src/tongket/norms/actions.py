"""Every write of the norms app: PCGD–XMC results and the certificate register.

Each action checks the user's scope (core.scope) and runs in one transaction, so a bad file or a
refused entry leaves nothing half-saved. ``user=None`` is the system itself (management commands
such as ``tongket pcgd demo``); views always pass the request's user.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import re
import tempfile
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from tongket.collection.models import DataValue
from tongket.core import audit
from tongket.core.definitions import reference_date, survey_date
from tongket.core.models import ChangeLog, Channel, Role
from tongket.core.scope import is_admin, profile_of, require_write
from tongket.core.vntext import clean_text, format_date
from tongket.norms.calc.packs import certificate_dates
from tongket.norms.models import (
    STANDARDS,
    CertificateKind,
    PcgdCommune,
    PcgdResult,
    SchoolCertificate,
)
from tongket.units import queries as uq
from tongket.units.models import REFORM_DATE, OrgUnit, UnitKind, UnitParent, active_q

log = logging.getLogger(__name__)

SURVEY_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".parquet")
SURVEY_MAX_MB = 500  # a province's survey (≈600.000 people) is ≈30 MB of CSV
COMMUNES_MAX_MB = 5


class NormsError(Exception):
    """A refusal with the Vietnamese message to show."""

    def __init__(self, message_vi: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi


# --------------------------------------------------------------------------- PCGD–XMC


def require_pcgd_upload(user, province: OrgUnit, year: int) -> None:
    """Only a provincial officer of that province (or an administrator) stores PCGD results."""
    if user is None or is_admin(user):
        return
    prof = profile_of(user)
    if prof is None or prof.role != Role.PROVINCE:
        raise PermissionDenied(
            "Chỉ chuyên viên Sở GD&ĐT của tỉnh mới tải lên được kết quả điều tra PCGD–XMC."
        )
    require_write(user, province.pk, survey_date(year))


_SURVEY_ERRORS = [  # calc.pcgd messages (English, for the CLI) -> what a person should read
    (r"missing column\(s\) (.+); expected (.+)", "thiếu cột {0} (tệp điều tra cần các cột: {1})"),
    (
        r"needs columns commune_code, difficult \(found (.*)\)",
        "cần các cột commune_code, difficult (tệp có: {0})",
    ),
    (r"no communes", "không có xã nào"),
    (r"row (\d+): empty commune_code", "dòng {0}: thiếu mã xã (commune_code)"),
    (r"row (\d+): commune_code (\S+) appears twice", "dòng {0}: mã xã {1} bị lặp"),
    (
        r"row (\d+): 'difficult' must be 0 or 1, got (.*)",
        "dòng {0}: cột difficult phải là 0 hoặc 1, không phải {1}",
    ),
    (
        r"cannot read the header line",
        "không đọc được dòng tiêu đề (cần tệp CSV mã UTF-8 hoặc XLSX)",
    ),
    (r"duplicate column names in the header", "dòng tiêu đề có tên cột trùng nhau"),
    (r"cannot read as CSV", "không đọc được như tệp CSV"),
    (r"cannot read", "không đọc được tệp"),
]


def _survey_error_vi(exc: Exception, names: dict[str, str]) -> str:
    text = str(exc)
    which = ""
    for path, name in names.items():
        if path in text:
            which = name
            text = text.replace(path, "")
    text = text.lstrip(": ").strip()
    for pattern, template in _SURVEY_ERRORS:
        m = re.search(pattern, text)
        if m:
            detail = template.format(*m.groups())
            break
    else:
        detail = "tệp không đúng định dạng (CSV, XLSX) hoặc bị hỏng"
    return f"Tệp '{which}': {detail}." if which else f"Không xử lý được tệp: {detail}."


def _save_upload(upload, folder: Path, stem: str, limit_mb: int) -> tuple[Path, str, str]:
    """Write an uploaded file (Django UploadedFile or a Path) to ``folder``; (path, name, sha)."""
    name = Path(getattr(upload, "name", str(upload))).name[:255]
    suffix = Path(name).suffix.lower()
    if suffix not in SURVEY_SUFFIXES:
        raise NormsError(
            f"Tệp '{name}': không hỗ trợ định dạng '{suffix or '(không có đuôi)'}' "
            f"(chỉ nhận {', '.join(SURVEY_SUFFIXES)})."
        )
    target = folder / f"{stem}{suffix}"
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        for chunk in _chunks(upload):
            size += len(chunk)
            if size > limit_mb * 1024 * 1024:
                raise NormsError(f"Tệp '{name}' vượt giới hạn {limit_mb} MB.")
            digest.update(chunk)
            out.write(chunk)
    if not size:
        raise NormsError(f"Tệp '{name}' rỗng.")
    return target, name, digest.hexdigest()


def _chunks(upload):
    if hasattr(upload, "chunks"):
        yield from upload.chunks()
        return
    with Path(upload).open("rb") as fh:
        while chunk := fh.read(1 << 20):
            yield chunk


def _province_communes(province: OrgUnit, on: dt.date) -> tuple[dict[str, OrgUnit], dict[str, str]]:
    """Communes of the province on the date by code, and commune -> legacy district code."""
    communes = {c.code: c for c in uq.descendants(province, on, kind=UnitKind.COMMUNE)}
    district: dict[str, str] = {}
    if on < REFORM_DATE:
        by_id = {c.pk: c.code for c in communes.values()}
        links = (
            UnitParent.objects.filter(child_id__in=by_id, parent__kind=UnitKind.DISTRICT)
            .filter(active_q(on))
            .values_list("child_id", "parent__code")
        )
        district = {by_id[child]: parent for child, parent in links}
    return communes, district


def evaluate_files(province: OrgUnit, year: int, survey: Path, communes: Path, names: dict):
    """Run calc.pcgd.evaluate with the province's tree; NormsError for anything unreadable."""
    from tongket.norms.calc.pcgd import SurveyError, evaluate, read_communes

    ref = survey_date(year)
    known, district = _province_communes(province, ref)
    try:
        listed, _, _ = read_communes(communes)
    except (SurveyError, ValueError, OSError) as exc:
        raise NormsError(_survey_error_vi(exc, names)) from exc
    except Exception as exc:  # openpyxl and zip errors of a broken XLSX
        log.warning("communes file unreadable: %s", exc)
        raise NormsError(_survey_error_vi(exc, names)) from exc
    foreign = sorted(set(listed) - set(known))
    if foreign:
        shown = ", ".join(foreign[:10]) + (
            f" và {len(foreign) - 10} mã khác" if len(foreign) > 10 else ""
        )
        raise NormsError(
            f"Tệp '{names[str(communes)]}': {len(foreign)} mã xã không thuộc {province.name} vào "
            f"ngày {format_date(ref)}: {shown}."
        )
    try:
        result = evaluate(
            survey,
            communes,
            year,
            commune_province={code: province.code for code in listed},
            commune_district={c: d for c, d in district.items() if c in listed} or None,
        )
    except (SurveyError, ValueError, OSError) as exc:
        raise NormsError(_survey_error_vi(exc, names)) from exc
    except Exception as exc:  # duckdb / openpyxl on a broken file
        log.warning("survey unreadable: %s", exc)
        raise NormsError(_survey_error_vi(exc, names)) from exc
    for code, c in result["communes"].items():
        c["difficult"] = bool(listed.get(code))
    return result, known, district


def _check_year(year: int) -> None:
    from tongket.units.queries import today

    if not 2000 <= year <= today().year:
        raise NormsError(f"Năm điều tra {year} không hợp lệ (từ 2000 đến {today().year}).")


def do_upload_pcgd(
    user, province: OrgUnit, year: int, survey, communes, note: str = ""
) -> PcgdResult:
    """Evaluate a household survey and its communes file for a province and store the result.

    ``survey`` / ``communes``: uploaded files (or paths). The same pair of files uploaded again for
    the same province and year returns the stored result unchanged.
    """
    if province.kind != UnitKind.PROVINCE:
        raise NormsError(f"'{province.name}' không phải tỉnh/thành phố.")
    _check_year(year)
    require_pcgd_upload(user, province, year)
    with tempfile.TemporaryDirectory(prefix="tongket_pcgd_upload_") as tmp:
        folder = Path(tmp)
        s_path, s_name, s_sha = _save_upload(survey, folder, "survey", SURVEY_MAX_MB)
        c_path, c_name, c_sha = _save_upload(communes, folder, "communes", COMMUNES_MAX_MB)
        same = PcgdResult.objects.filter(
            province=province, year=year, survey_sha256=s_sha, communes_sha256=c_sha
        ).first()
        if same is not None:
            return same
        names = {str(s_path): s_name, str(c_path): c_name}
        result, known, district = evaluate_files(province, year, s_path, c_path, names)
    return _store(
        user, province, year, result, known, district, (s_name, s_sha, c_name, c_sha), note
    )


@transaction.atomic
def _store(user, province, year, result, known, district, files, note) -> PcgdResult:
    rejected = len(result["rejected_rows"])
    if result["communes"] and all(
        any(f["criterion"] == "no_survey_data" for f in c["failures"])
        for c in result["communes"].values()
    ):
        raise NormsError(
            f"Tệp '{files[0]}' không có dòng hợp lệ nào của các xã trong danh sách "
            f"({rejected} dòng bị loại): không lưu kết quả."
        )
    s_name, s_sha, c_name, c_sha = files
    row = PcgdResult.objects.create(
        province=province,
        year=year,
        result=result,
        survey_name=s_name,
        survey_sha256=s_sha,
        communes_name=c_name,
        communes_sha256=c_sha,
        rejected=rejected,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        note=note[:300],
    )
    PcgdCommune.objects.bulk_create(
        [
            PcgdCommune(
                result=row,
                commune=known.get(code),
                code=code,
                district_code=district.get(code, ""),
                difficult=bool(c.get("difficult", False)),
                rates=c["rates"],
                failures=c["failures"],
                **{s: c["levels"].get(s, 0) for s in STANDARDS},
            )
            for code, c in result["communes"].items()
        ]
    )
    return row


def run_pcgd_demo(province: OrgUnit, year: int, people: int = 300, seed: int = 1) -> PcgdResult:
    """`tongket pcgd demo`: a synthetic survey of the province's communes, evaluated and stored."""
    from tongket.norms.calc.pcgd import generate_survey, write_communes

    ref = survey_date(year)
    known, _ = _province_communes(province, ref)
    if not known:
        raise NormsError(f"{province.name} không có xã/phường nào vào ngày {format_date(ref)}.")
    codes = sorted(known)
    hard = [c for c in codes if _difficult(known[c], ref)]
    with tempfile.TemporaryDirectory(prefix="tongket_pcgd_demo_") as tmp:
        survey = generate_survey(
            codes,
            people,
            year,
            seed,
            difficult=hard,
            path=Path(tmp) / f"dieu_tra_pcgd_{province.code}_{year}.csv",
        )
        communes = write_communes(
            Path(tmp) / f"danh_sach_xa_{province.code}_{year}.csv",
            codes,
            difficult=hard,
            provinces=dict.fromkeys(codes, province.code),
        )
        return do_upload_pcgd(None, province, year, survey, communes, note="Dữ liệu mẫu (demo)")


def _difficult(commune: OrgUnit, on: dt.date) -> bool:
    """A demo commune is ĐBKK when most of its schools are flagged so in their profile."""
    flags = list(uq.schools_under(commune, on).values_list("school__difficult_commune", flat=True))
    return bool(flags) and sum(bool(f) for f in flags) * 2 > len(flags)


# --------------------------------------------------------------------------- certificates


def school_level_key(school_unit: OrgUnit) -> str:
    """The quality pack's school level of a school (TT 17/18/19/2018 apply by level)."""
    levels = list(getattr(getattr(school_unit, "school", None), "levels", None) or [])
    general = [lv for lv in levels if lv in ("TH", "THCS", "THPT")]
    if len(general) > 1:
        return "lien_cap"
    if general:
        return {"TH": "tieu_hoc", "THCS": "thcs", "THPT": "thpt"}[general[0]]
    return "mam_non"


def require_register_write(user, school: OrgUnit, on: dt.date) -> None:
    if user is None or is_admin(user):
        return
    prof = profile_of(user)
    if prof is None or prof.role not in (Role.PROVINCE, Role.COMMUNE):
        raise PermissionDenied(
            "Chỉ cán bộ xã/phường hoặc chuyên viên Sở mới cập nhật được sổ theo dõi chuẩn quốc gia "
            "và kiểm định."
        )
    require_write(user, school.pk, on)


@transaction.atomic
def do_save_certificate(
    user,
    *,
    school: OrgUnit,
    kind: str,
    level: int,
    decision_number: str,
    decision_date: dt.date,
    issued_by: str = "",
    note: str = "",
    certificate: SchoolCertificate | None = None,
    reason: str = "",
) -> SchoolCertificate:
    """Create or edit a certificate; expiry and renewal deadline come from the quality pack.
    Who changed what is in the change log (core.audit)."""
    if school.kind != UnitKind.SCHOOL:
        raise NormsError(f"'{school.name}' không phải trường học.")
    if decision_date > uq.today():
        raise NormsError("Ngày quyết định không được sau ngày hôm nay.")
    on = decision_date if school.active_on(decision_date) else (school.valid_to or uq.today())
    require_register_write(user, school, on)
    if certificate is not None:
        require_register_write(user, certificate.school, uq.today())
    try:
        dates = certificate_dates(school_level_key(school), decision_date)
    except ValueError as exc:
        raise NormsError(f"Không tính được ngày hết hiệu lực: {exc}") from exc
    cert = certificate or SchoolCertificate(created_by=user if user is not None else None)
    before = audit.stored_snapshot(cert)
    cert.school = school
    cert.kind = kind
    cert.level = level
    cert.decision_number = clean_text(decision_number).strip()
    cert.decision_date = decision_date
    cert.expires = dates["expires"]
    cert.renew_by = dates["renew_by"]
    cert.source = dates["source"][:120]
    cert.issued_by = clean_text(issued_by).strip()
    cert.note = clean_text(note).strip()
    try:
        cert.full_clean()
    except ValidationError as exc:
        raise NormsError(" ".join(m for msgs in exc.message_dict.values() for m in msgs)) from exc
    cert.save()
    action = ChangeLog.Action.CHANGE if before else ChangeLog.Action.CREATE
    audit.record(user, cert, action, before=before, reason=reason)
    return cert


@transaction.atomic
def do_delete_certificate(user, cert: SchoolCertificate, reason: str = "") -> None:
    require_register_write(user, cert.school, uq.today())
    before, pk = audit.stored_snapshot(cert), cert.pk
    cert.delete()
    audit.record(user, cert, ChangeLog.Action.DELETE, before=before, reason=reason, object_id=pk)


STD_ISSUER = "UBND tỉnh {name}"
ACC_ISSUER = "Sở Giáo dục và Đào tạo {name}"


@transaction.atomic
@audit.channel(Channel.DEMO)  # the demo's certificates are logged as such
def seed_demo_register(province: OrgUnit, seed: int = 2025) -> int:
    """`tongket norms demo-register`: plausible certificates for the demo schools.

    A school whose latest start-of-year form reports ``school_std[std_level=k]`` = 1 gets a
    national-standard certificate of level k, decided before the first school year whose form
    reports it, so the register and the forms agree year by year (the register is what the
    figures count: core.definitions); about one in twenty such certificates has lapsed, which
    the data-quality view's cross-check and the renewal alerts show. About half the schools
    also get an accreditation certificate.
    """
    rnd = random.Random(f"register:{province.code}:{seed}")
    today = uq.today()
    schools = list(uq.schools_under(province, today).select_related("school").order_by("code"))
    std, first = _std_levels([s.pk for s in schools])
    SchoolCertificate.objects.filter(school__in=schools, note="Dữ liệu mẫu (demo)").delete()
    made = 0
    for unit in schools:
        level = std.get(unit.pk, 0)
        plans = []
        if level:
            plans.append((CertificateKind.NATIONAL_STANDARD, level))
        if rnd.random() < 0.5:
            plans.append((CertificateKind.ACCREDITATION, max(level + 1, rnd.choice([1, 2, 2, 3]))))
        for i, (kind, lv) in enumerate(plans):
            if kind == CertificateKind.NATIONAL_STANDARD and unit.pk in first:
                # decided before the first year its form reports the standard; a few lapsed
                since = reference_date(first[unit.pk])
                lapsed = rnd.random() < 0.05 and since.year >= 2024  # TT 17-19/2018 in force
                back = 5 * 365 + 40 if lapsed else rnd.randint(30, 700)
                decided = since - dt.timedelta(days=back)
            else:
                # 0–6 years back: most valid, some inside the 5-month lead time, a few expired
                decided = today - dt.timedelta(days=rnd.randint(60, 5 * 365 + 120))
            issuer = STD_ISSUER if kind == CertificateKind.NATIONAL_STANDARD else ACC_ISSUER
            number = f"{rnd.randint(100, 2999)}/QĐ-{'UBND' if i == 0 and level else 'SGDĐT'}"
            do_save_certificate(
                None,
                school=unit,
                kind=kind,
                level=min(lv, 4 if kind == "accreditation" else 2),
                decision_number=number,
                decision_date=decided,
                issued_by=issuer.format(name=province.name.removeprefix("Tỉnh ")),
                note="Dữ liệu mẫu (demo)",
            )
            made += 1
    return made


def _std_levels(school_ids: list[int]) -> tuple[dict[int, int], dict[int, str]]:
    """(school -> national-standard level reported in its latest start-of-year form,
    school -> the first period whose form reports it)."""
    rows = (
        DataValue.objects.filter(unit_id__in=school_ids, element__code="school_std", value__gt=0)
        .order_by("period")
        .values_list("unit_id", "combo", "period")
    )
    out: dict[int, int] = {}
    first: dict[int, str] = {}
    for unit_id, combo, period in rows:
        m = re.search(r"std_level=(\d)", combo)
        if m:
            out[unit_id] = int(m.group(1))  # later periods overwrite earlier ones
            first.setdefault(unit_id, period)
    return out, first
