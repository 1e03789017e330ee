"""`tongket demo`: one real province with synthetic schools, three school years of submitted
data, users for each role, and a documented set of deliberate faults (docs/demo.md).

Deterministic for a (province, seed) pair. Re-running replaces the demo data of that province.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from tongket.catalog.actions import load_pack
from tongket.catalog.models import DataElement, Form
from tongket.collection.models import DataValue, ReportingRound, Submission, SubmissionEvent
from tongket.core import periods
from tongket.core.definitions import reference_date
from tongket.core.models import Profile, Role
from tongket.demo import synth
from tongket.units.actions import rebuild_closure
from tongket.units.loader import load_real_tree
from tongket.units.models import (
    LEGACY_END,
    REFORM_DATE,
    OrgUnit,
    School,
    UnitKind,
    UnitParent,
)
from tongket.units.queries import descendants, predecessors, unit_by_code

DEMO_PASSWORD = "tongket2025"
YEARS = [2023, 2024, 2025]  # school years 2023-2024, 2024-2025 (legacy tree), 2025-2026 (current)
CURRENT_YEAR = 2026  # 2026-2027: start-of-year round open, some schools missing or late
SCHOOL_MIX = [  # (levels, min, max) schools of that kind per current commune
    (("MN",), 2, 5),
    (("TH",), 1, 4),
    (("THCS",), 1, 2),
    (("TH", "THCS"), 0, 1),
    (("THPT",), 0, 1),
]
LEVEL_NAME = {"MN": "Mầm non", "TH": "Tiểu học", "THCS": "THCS", "THPT": "THPT"}
MULTI_NAME: dict[tuple[str, ...], str] = {("TH", "THCS"): "PTDTBT TH và THCS"}


@dataclass
class DemoReport:
    province: OrgUnit
    schools: int = 0
    values: int = 0
    submissions: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)


def _clear_province(province: OrgUnit) -> None:
    old = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, code__startswith=f"DM{province.code}")
    DataValue.objects.filter(unit__in=old).delete()
    Submission.objects.filter(unit__in=old).delete()
    ids = {
        pk
        for day in (dt.date(2023, 9, 30), dt.date(2025, 9, 30))  # legacy and current communes
        for pk in descendants(province, day, kind=UnitKind.COMMUNE).values_list("pk", flat=True)
    }
    communes = OrgUnit.objects.filter(pk__in=ids)
    DataValue.objects.filter(unit__in=communes).delete()
    Submission.objects.filter(unit__in=communes).delete()
    ReportingRound.objects.filter(root=province).delete()
    Profile.objects.filter(unit__in=old).delete()  # demo accounts are re-created below
    old.delete()


def _ethnic_share(province_code: str, rnd: random.Random) -> float:
    # Northern mountain provinces teach mostly ethnic-minority pupils (Điện Biên ~80%).
    mountain = {"04", "08", "11", "12", "14", "15", "19", "20", "24"}
    return rnd.uniform(0.6, 0.97) if province_code in mountain else rnd.uniform(0.0, 0.2)


@transaction.atomic
def build_demo(
    province_code: str = "11", seed: int = 2025, stdout=None, max_communes: int | None = None
) -> DemoReport:
    say = stdout.write if stdout else (lambda s: None)
    if not OrgUnit.objects.filter(kind=UnitKind.PROVINCE).exists():
        say("Nạp cây đơn vị hành chính...")
        load_real_tree()
    load_pack()
    province = unit_by_code(UnitKind.PROVINCE, province_code, dt.date(2025, 9, 1))
    report = DemoReport(province)
    _clear_province(province)
    rnd = random.Random(f"{province_code}:{seed}")
    communes = list(
        descendants(province, dt.date(2025, 9, 1), kind=UnitKind.COMMUNE).order_by("code")
    )
    communes = communes[:max_communes] if max_communes else communes  # tests: a few communes

    # ---- schools with their history across 1/7/2025 -------------------------------------
    units, profiles, links = [], [], []
    meta: dict[str, tuple[synth.SchoolProfile, OrgUnit, OrgUnit | None]] = {}
    n = 0
    for commune in communes:
        olds = [u for u in predecessors(commune) if u.kind == UnitKind.COMMUNE]
        eth = _ethnic_share(province_code, rnd)
        for levels, lo, hi in SCHOOL_MIX:
            for _ in range(rnd.randint(lo, hi)):
                n += 1
                code = f"DM{province_code}{n:05d}"
                old = rnd.choice(olds) if olds else None
                label = MULTI_NAME.get(levels) or f"{LEVEL_NAME[levels[0]]}"
                place = (old or commune).name.split(" ", 1)[-1]
                name = f"Trường {label} {place}" + (
                    f" số {n % 3 + 1}" if rnd.random() < 0.3 else ""
                )
                unit = OrgUnit(
                    kind=UnitKind.SCHOOL,
                    code=code,
                    name=name,
                    valid_from=dt.date(2000, 1, 1),
                    latitude=commune.latitude,
                    longitude=commune.longitude,
                )
                units.append(unit)
                prof = synth.SchoolProfile(
                    code,
                    levels,
                    rnd.uniform(0.5, 1.6),
                    eth,
                    rnd.choice([0, 0, 1, 1, 1, 2]),
                    rnd.randint(0, 10**9),
                )
                meta[code] = (prof, commune, old)
    for unit in units:
        unit.save()  # save() computes the search key; a province is ~500 schools
    for unit in units:
        prof, commune, old = meta[unit.code]
        profiles.append(
            School(
                unit=unit,
                levels=list(prof.levels),
                region=1 if prof.ethnic_share < 0.3 else 3,
                difficult_commune=prof.ethnic_share > 0.8,
                mountain=prof.ethnic_share > 0.5,
                boarding="THCS" in prof.levels and prof.ethnic_share > 0.85 and rnd.random() < 0.3,
                opened=dt.date(1990 + rnd.randint(0, 20), 9, 1),
            )
        )
        if old is not None:
            links.append(
                UnitParent(child=unit, parent=old, valid_from=unit.valid_from, valid_to=LEGACY_END)
            )
            links.append(UnitParent(child=unit, parent=commune, valid_from=REFORM_DATE))
        else:
            links.append(UnitParent(child=unit, parent=commune, valid_from=unit.valid_from))
    School.objects.bulk_create(profiles)
    UnitParent.objects.bulk_create(links)
    rebuild_closure([u.pk for u in units])
    report.schools = len(units)

    # ---- faults chosen up front, so they are documented and stable ---------------------
    school_codes = sorted(meta)
    frng = random.Random(f"faults:{province_code}:{seed}")
    th_schools = [
        c for c in school_codes if "TH" in meta[c][0].levels and len(meta[c][0].levels) == 1
    ]
    outlier = th_schools[0] if th_schools else None
    jumper = th_schools[1] if len(th_schools) > 1 else None
    rule_breakers = set(frng.sample(th_schools[2:], min(2, max(0, len(th_schools) - 2))))
    late = set(frng.sample(school_codes, max(1, len(school_codes) // 20)))
    missing_now = set(frng.sample(school_codes, max(2, len(school_codes) // 12)))
    never_approved = set(frng.sample(school_codes, max(1, len(school_codes) // 40)))

    # ---- the demo logins' units, chosen up front so each role finds work (docs/demo.md) ---
    first_commune = meta[school_codes[0]][1]
    first_school = next(
        u
        for u in units
        if meta[u.code][1].pk == first_commune.pk and "TH" in meta[u.code][0].levels
    )
    # truong11 has the open start-of-year form still to fill; the other schools of xa11's
    # commune have submitted theirs, waiting for the commune; elsewhere some reports have
    # passed the commune and wait for the Sở (a separate generator: the data stays the same)
    desk_rng = random.Random(f"desk:{province_code}:{seed}")
    to_fill = {first_school.code}
    for_commune = {
        c for c in school_codes if meta[c][1].pk == first_commune.pk and c not in to_fill
    }

    # ---- rounds, submissions, values ----------------------------------------------------
    forms = {f.code: f for f in Form.objects.filter(is_current=True)}
    elements = {e.code: e.pk for e in DataElement.objects.all()}
    pack_schedules = {
        "start_of_year": ((30, 9), (30, 10)),
        "end_of_year": ((31, 5), (30, 6)),
        "semester_1_review": ((31, 12), (31, 1)),
        "population": ((30, 9), (10, 10)),
    }
    now = timezone.now()
    values: list[DataValue] = []
    subs: list[tuple[Submission, dict]] = []
    rounds: dict[tuple[str, str], ReportingRound] = {}

    def round_for(form_code: str, period_code: str, start_year: int) -> ReportingRound:
        key = (form_code, period_code)
        if key not in rounds:
            form = forms[form_code]
            as_of_dm, due_dm = pack_schedules[form.round]
            as_of, due = periods.RoundSchedule(as_of_dm, due_dm).dates(
                periods.school_year(start_year)
            )
            status = (
                ReportingRound.Status.OPEN
                if start_year == CURRENT_YEAR
                else ReportingRound.Status.CLOSED
            )
            # the open round is behind schedule whenever the demo is built: its due date is
            # moved to three days ago if the regulation's date is still to come
            behind = timezone.localdate() - dt.timedelta(days=3)
            if status == ReportingRound.Status.OPEN and due > behind >= as_of:
                due = behind
            rounds[key] = ReportingRound.objects.create(
                form=form,
                period=period_code,
                root=province,
                as_of=as_of,
                due=due,
                status=status,
                approval_levels=["commune", "province"],
            )
        return rounds[key]

    def submit(
        unit: OrgUnit,
        rnd_obj: ReportingRound,
        cells: dict,
        status: str,
        late_days: int = 0,
        level: str = "",
    ) -> None:
        due_at = timezone.make_aware(dt.datetime.combine(rnd_obj.due, dt.time(17, 0)))
        submitted = (
            due_at + dt.timedelta(days=late_days)
            if late_days
            else due_at - dt.timedelta(days=frng.randint(1, 12))
        )
        submitted = min(submitted, now - dt.timedelta(hours=1))  # never in the future
        approved = min(submitted + dt.timedelta(days=5), now)
        sub = Submission(
            round=rnd_obj,
            unit=unit,
            status=status,
            version=1,
            submitted_at=submitted if status != "draft" else None,
            approved_at=approved if status == "approved" else None,
            approved_level="province" if status == "approved" else level,
        )
        subs.append((sub, cells))

    for code in school_codes:
        prof, commune, old = meta[code]
        unit = next(u for u in units if u.code == code)
        for year in [*YEARS, CURRENT_YEAR]:
            sy = periods.school_year(year)
            hk1: dict = {}
            for level in prof.levels:
                num = {"MN": "01", "TH": "02", "THCS": "03", "THPT": "04"}[level]
                soy = synth.start_of_year(prof, level, year)
                if code == jumper and year == 2024 and level == "TH":
                    soy = {k: (v * 3 if k[0] == "pupils" else v) for k, v in soy.items()}
                if code in rule_breakers and year == 2024:
                    key = ("pupils", "grade=3;level=TH;sex=f")
                    soy[key] = soy[("pupils", "grade=3;level=TH")] + 7
                status = "approved"
                if code in never_approved and year == 2025:
                    status = "submitted"
                passed = ""  # the last level that approved a still-submitted report
                if year == CURRENT_YEAR:
                    if (code in missing_now and code not in for_commune) or code in to_fill:
                        continue
                    status = frng.choice(["submitted", "submitted", "approved", "draft"])
                    if code in for_commune:
                        status = "submitted"
                    elif status == "submitted" and desk_rng.random() < 0.5:
                        passed = "commune"  # "Chờ Sở duyệt"
                late_days = (
                    frng.randint(2, 25) if code in late and year in (2024, CURRENT_YEAR) else 0
                )
                submit(
                    unit,
                    round_for(f"{num}.ĐN-{level}", sy.code, year),
                    soy,
                    status,
                    late_days,
                    passed,
                )
                if year == CURRENT_YEAR:
                    continue
                boost = 0.5 if code == outlier and level == "TH" else 0.0
                submit(
                    unit,
                    round_for(f"{num}.CN-{level}", sy.code, year),
                    synth.end_of_year(prof, level, year, boost),
                    "approved",
                )
                hk1.update(synth.semester_1(prof, level, year))
            if hk1:  # one semester-I report per school, whatever its levels
                submit(unit, round_for("SK-HK1", sy.semester(1).code, year), hk1, "approved")

    # history of grade-1/6/10 intakes, so completion rates have their t-4 / t-3 / t-2 base
    for code in school_codes:
        prof, _, _ = meta[code]
        unit = next(u for u in units if u.code == code)
        for year in range(2019, YEARS[0]):
            for level in prof.levels:
                if level == "MN":
                    continue
                first = synth.GRADES[level][0]
                values.append(
                    DataValue(
                        element_id=elements["pupils"],
                        combo=f"grade={first};level={level}",
                        unit=unit,
                        period=periods.school_year(year).code,
                        value=synth.grade_pupils(prof, level, first, year),
                        source="import",
                    )
                )

    # commune population (the DS-XA form), consistent with enrolment in its schools
    for year in YEARS:
        sy = periods.school_year(year)
        on = reference_date(sy)
        per_commune: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for sub, cells in subs:
            if sub.round.period != sy.code or not sub.round.form.code.startswith(
                ("01.ĐN", "02.ĐN", "03.ĐN", "04.ĐN")
            ):
                continue
            prof, commune, old = meta[sub.unit.code]
            target = commune if on >= REFORM_DATE else (old or commune)
            bands = per_commune[target.pk]
            for (el, combo), val in cells.items():
                if (
                    el == "pupils"
                    and combo.startswith("grade=")
                    and ";" in combo
                    and combo.count(";") == 1
                ):
                    g = int(combo.split(";")[0].split("=")[1])
                    bands["a6_10" if g <= 5 else "a11_14" if g <= 9 else "a15_17"] += val
                if el == "children" and combo.startswith("age_group=") and combo.count(";") == 1:
                    grp = combo.split(";")[0].split("=")[1]
                    bands["a0_2" if grp.startswith("nt") else "a3_5"] += val
                    if grp == "mg_5_6":
                        bands["a5"] += val
        rnd_obj = round_for("DS-XA", sy.code, year)
        for commune_pk, bands in per_commune.items():
            cells = synth.population(dict(bands), dict(bands), f"{seed}:{commune_pk}:{year}")
            submit(OrgUnit.objects.get(pk=commune_pk), rnd_obj, cells, "approved")

    Submission.objects.bulk_create([s for s, _ in subs], batch_size=2000)
    events = []
    for sub, cells in subs:
        for (el, combo), val in cells.items():
            values.append(
                DataValue(
                    element_id=elements[el],
                    combo=combo,
                    unit=sub.unit,
                    period=sub.round.period,
                    value=float(val),
                    submission=sub,
                    source="demo",
                )
            )
        if sub.submitted_at:
            events.append(
                SubmissionEvent(
                    submission=sub,
                    status="submitted",
                    user=None,
                    at=sub.submitted_at,
                    reason="Dữ liệu mẫu",
                )
            )
        if sub.status == "submitted" and sub.approved_level == "commune" and sub.submitted_at:
            events.append(
                SubmissionEvent(
                    submission=sub,
                    status="approved",
                    level="commune",
                    user=None,
                    at=min(sub.submitted_at + dt.timedelta(days=2), now),
                    reason="Dữ liệu mẫu",
                )
            )
        if sub.approved_at:
            events.append(
                SubmissionEvent(
                    submission=sub,
                    status="approved",
                    level="province",
                    user=None,
                    at=sub.approved_at,
                    reason="Dữ liệu mẫu",
                )
            )
    SubmissionEvent.objects.bulk_create(events, batch_size=5000)
    DataValue.objects.bulk_create(values, batch_size=5000)
    report.values = len(values)
    report.submissions = len(subs)

    # ---- users --------------------------------------------------------------------------
    accounts: list[tuple[str, Role, OrgUnit | None, str]] = [
        ("admin", Role.ADMIN, None, "Quản trị hệ thống"),
        (f"so{province_code}", Role.PROVINCE, province, f"Chuyên viên Sở GD&ĐT {province.name}"),
        (f"lanhdao{province_code}", Role.LEADER, province, f"Lãnh đạo Sở GD&ĐT {province.name}"),
        (
            f"xa{province_code}",
            Role.COMMUNE,
            first_commune,
            f"Cán bộ Phòng VH-XH {first_commune.name}",
        ),
        (f"truong{province_code}", Role.SCHOOL, first_school, f"Cán bộ {first_school.name}"),
    ]
    User = get_user_model()
    for username, role, home, full_name in accounts:
        user, _ = User.objects.get_or_create(username=username)
        user.set_password(DEMO_PASSWORD)
        user.is_staff = user.is_superuser = role == Role.ADMIN
        user.save()
        Profile.objects.update_or_create(
            user=user, defaults={"role": role, "unit": home, "full_name": full_name}
        )
        report.users.append((username, role.label, home.name if home else "toàn quốc"))

    report.faults = [
        f"Trường có tỷ lệ Hoàn thành tốt bất thường (ngoại lai): {outlier}",
        f"Số học sinh năm học 2024-2025 tăng gấp 3 bất thường: {jumper}",
        f"Vi phạm quy tắc 'nữ <= tổng' (lớp 3, năm học 2024-2025): {', '.join(sorted(rule_breakers))}",
        f"Nộp muộn (2024-2025 và 2026-2027): {len(late)} trường",
        f"Chưa nộp biểu đầu năm 2026-2027: {len(missing_now)} trường",
        f"Chưa được duyệt (2025-2026): {len(never_approved)} trường",
    ]
    return report
