"""Synthetic but plausible school data, as plain Python (no Django import).

Everything is derived from a seeded random generator so a (province, seed) pair always gives
the same data. Pupil numbers follow cohorts (this year's grade 3 is last year's grade 2 less
dropouts), so completion rates and year-on-year comparisons behave like real ones.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

GRADES = {"TH": range(1, 6), "THCS": range(6, 10), "THPT": range(10, 13)}
CLASS_SIZE = {"TH": (26, 33), "THCS": (33, 40), "THPT": (36, 42)}
TEACHERS_PER_CLASS = {"TH": 1.45, "THCS": 1.85, "THPT": 2.2, "MN": 1.9}
AGE_GROUPS = ["nt_3_12m", "nt_13_24m", "nt_25_36m", "mg_3_4", "mg_4_5", "mg_5_6"]
GROUP_SIZE = {
    "nt_3_12m": 12,
    "nt_13_24m": 16,
    "nt_25_36m": 20,
    "mg_3_4": 24,
    "mg_4_5": 28,
    "mg_5_6": 30,
}
SUBJECTS_SEC = [
    "van",
    "toan",
    "anh",
    "tin",
    "khtn",
    "lsdl",
    "gdcd",
    "cn",
    "tdtt",
    "nghe_thuat",
    "khac",
]
SUBJECT_SHARE = [0.15, 0.16, 0.1, 0.05, 0.14, 0.1, 0.05, 0.05, 0.07, 0.07, 0.06]


@dataclass
class SchoolProfile:
    code: str
    levels: tuple[str, ...]
    size: float  # scales intakes
    ethnic_share: float
    std_level: int  # 0, 1 or 2
    seed: int


def _combo(**dims: str) -> str:
    return ";".join(f"{k}={dims[k]}" for k in sorted(dims) if dims[k] is not None)


def intake(profile: SchoolProfile, level: str, start_year: int) -> int:
    """Pupils entering the first grade of a level in a school year (stable per school/year)."""
    rnd = random.Random(f"{profile.seed}:{level}:{start_year}")
    base = {"TH": 70, "THCS": 95, "THPT": 150, "MN": 40}[level] * profile.size
    trend = 1 + 0.01 * (start_year - 2022)
    return max(8, round(base * trend * rnd.uniform(0.92, 1.08)))


def grade_pupils(profile: SchoolProfile, level: str, grade: int, start_year: int) -> int:
    first = GRADES[level][0]
    years_in = grade - first
    cohort = intake(profile, level, start_year - years_in)
    return max(5, round(cohort * (0.985**years_in)))


def _split(total: int, share: float, rnd: random.Random) -> int:
    return min(total, max(0, round(total * share + rnd.uniform(-1.5, 1.5))))


def start_of_year(
    profile: SchoolProfile, level: str, start_year: int
) -> dict[tuple[str, str], float]:
    """The cells of the start-of-year form of one level: {(element, combo): value}."""
    rnd = random.Random(f"{profile.seed}:soy:{level}:{start_year}")
    v: dict[tuple[str, str], float] = {}
    L = level

    def put(element: str, value: float, **dims: str) -> None:
        v[(element, _combo(level=L, **dims))] = value

    put("schools", 1)
    if profile.std_level:
        put("school_std", 1, std_level=str(profile.std_level))
        put("school_std", 0, std_level=str(3 - profile.std_level))
    else:
        put("school_std", 0, std_level="1")
        put("school_std", 0, std_level="2")
    put(
        "satellite_sites",
        rnd.choice([0, 0, 1, 2, 3]) if profile.ethnic_share > 0.5 else rnd.choice([0, 0, 1]),
    )
    put("school_semi_boarding", 1 if profile.ethnic_share > 0.6 and rnd.random() < 0.4 else 0)
    classes_total = 0
    if L == "MN":
        kids_total = {"": 0, "sex=f": 0, "eth=y": 0, "dis=y": 0}
        for i, group in enumerate(AGE_GROUPS):
            mult = 0.35 if i < 3 else 1.0
            n = max(
                0, round(intake(profile, "MN", start_year - (5 - i)) * mult * rnd.uniform(0.9, 1.1))
            )
            classes = max(1, -(-n // GROUP_SIZE[group])) if n else 0
            classes_total += classes
            put("classes", classes, age_group=group)
            parts = {
                "": n,
                "sex=f": _split(n, 0.485, rnd),
                "eth=y": _split(n, profile.ethnic_share, rnd),
                "dis=y": _split(n, 0.006, rnd),
            }
            for col, val in parts.items():
                kids_total[col] += val
                extra = dict(p.split("=") for p in col.split(";")) if col else {}
                put("children", val, age_group=group, **extra)
        for col, val in kids_total.items():
            extra = dict(p.split("=") for p in col.split(";")) if col else {}
            put("children", val, **extra)
    else:
        totals = {"": 0, "sex=f": 0, "eth=y": 0, "dis=y": 0}
        lo, hi = CLASS_SIZE[L]
        two_session = 0
        for g in GRADES[L]:
            n = grade_pupils(profile, L, g, start_year)
            classes = max(1, round(n / rnd.uniform(lo, hi)))
            classes_total += classes
            put("classes", classes, grade=str(g))
            if L == "TH":
                ts = classes if rnd.random() < 0.8 else max(0, classes - 1)
                two_session += ts
                put("classes_two_session", ts, grade=str(g))
            parts = {
                "": n,
                "sex=f": _split(n, 0.48, rnd),
                "eth=y": _split(n, profile.ethnic_share, rnd),
                "dis=y": _split(n, 0.008, rnd),
            }
            for col, val in parts.items():
                totals[col] += val
                extra = dict(p.split("=") for p in col.split(";")) if col else {}
                put("pupils", val, grade=str(g), **extra)
        for col, val in totals.items():
            extra = dict(p.split("=") for p in col.split(";")) if col else {}
            put("pupils", val, **extra)
        put(
            "classes_combined",
            rnd.choice([0, 0, 0, 1, 2]) if L == "TH" and profile.ethnic_share > 0.5 else 0,
        )
        if L != "MN":
            put("school_two_session", 1 if L == "TH" and two_session >= classes_total * 0.9 else 0)
    put("classes", classes_total)
    # staff
    teachers = max(2, round(classes_total * TEACHERS_PER_CLASS[L] * rnd.uniform(0.86, 1.04)))
    vice = 2 if classes_total >= 28 else 1
    staff_rows = {
        "principal": 1,
        "vice": vice,
        "teacher": teachers,
        "tpt": 1 if L in ("TH", "THCS") else 0,
        "staff": max(2, round(classes_total * 0.15)),
    }
    agg = {"": 0, "sex=f": 0, "qual=below": 0, "qual=std": 0, "qual=above": 0}
    for role, n in staff_rows.items():
        female = _split(n, 0.78 if L in ("MN", "TH") else 0.68, rnd)
        below = _split(n, 0.04, rnd)
        above = _split(n - below, 0.35, rnd)
        std = n - below - above
        cells = {"": n, "sex=f": female, "qual=below": below, "qual=std": std, "qual=above": above}
        for col, val in cells.items():
            agg[col] += val
            extra = dict(p.split("=") for p in col.split(";")) if col else {}
            put("staff", val, role=role, **extra)
    for col, val in agg.items():
        extra = dict(p.split("=") for p in col.split(";")) if col else {}
        put("staff", val, **extra)
    if L in ("THCS", "THPT"):
        for subject, share in zip(SUBJECTS_SEC, SUBJECT_SHARE, strict=True):
            put(
                "teachers_subject", round(teachers * share * rnd.uniform(0.8, 1.2)), subject=subject
            )
    elif L == "TH":
        for subject in ("anh", "tin", "tdtt", "nghe_thuat"):
            put("teachers_subject", rnd.randint(0, 2), subject=subject)
    # rooms
    rooms = classes_total + rnd.randint(-1, 2)
    solid = round(
        rooms * (rnd.uniform(0.55, 0.8) if profile.ethnic_share > 0.5 else rnd.uniform(0.8, 1.0))
    )
    semi = round((rooms - solid) * 0.7)
    put("classrooms", rooms)
    put("classrooms", solid, room="kien_co")
    put("classrooms", semi, room="ban_kien_co")
    put("classrooms", rooms - solid - semi, room="tam")
    put("function_rooms", rnd.randint(0, 6))
    put("computers", rnd.randint(0, 40) if L != "MN" else rnd.randint(0, 5))
    return v


ASSESS = {
    "TH": ("assess_th", ["htt", "ht", "cht"], [0.42, 0.56, 0.02]),
    "THCS": ("assess_learning", ["tot", "kha", "dat", "chua_dat"], [0.22, 0.4, 0.35, 0.03]),
    "THPT": ("assess_learning", ["tot", "kha", "dat", "chua_dat"], [0.25, 0.45, 0.28, 0.02]),
}


def end_of_year(
    profile: SchoolProfile, level: str, start_year: int, htt_boost: float = 0.0
) -> dict[tuple[str, str], float]:
    rnd = random.Random(f"{profile.seed}:eoy:{level}:{start_year}")
    v: dict[tuple[str, str], float] = {}
    L = level

    def put(element: str, value: float, **dims: str) -> None:
        v[(element, _combo(level=L, **dims))] = value

    if L == "MN":
        n5 = round(intake(profile, "MN", start_year - 5) * rnd.uniform(0.9, 1.1))
        done = round(n5 * rnd.uniform(0.93, 0.99))
        put("children_completed_mn", done)
        put("children_completed_mn", _split(done, 0.485, rnd), sex="f")
        return v
    tot_eoy = tot_eoy_f = tot_drop = 0
    element, results, shares = ASSESS[L]
    for g in GRADES[L]:
        n = grade_pupils(profile, L, g, start_year)
        drop = sum(1 for _ in range(n) if rnd.random() < (0.002 if L == "TH" else 0.008))
        eoy = n - drop
        f = _split(eoy, 0.48, rnd)
        tot_eoy, tot_eoy_f, tot_drop = tot_eoy + eoy, tot_eoy_f + f, tot_drop + drop
        put("pupils_eoy", eoy, grade=str(g))
        put("pupils_eoy", f, grade=str(g), sex="f")
        put("dropouts", drop, grade=str(g))
        adj = list(shares)
        adj[0] = min(0.97, adj[0] + htt_boost)
        adj[1] = max(0.0, 1 - adj[0] - sum(adj[2:]))
        counts = [round(eoy * s * rnd.uniform(0.9, 1.1)) for s in adj[:-1]]
        counts.append(max(0, eoy - sum(counts)))
        if counts[-1] == 0 and sum(counts) > eoy:
            counts[1] -= sum(counts) - eoy
        for res, c in zip(results, counts, strict=True):
            put(element, c, grade=str(g), result=res)
        if L != "TH":
            conduct = [round(eoy * 0.8), round(eoy * 0.15), round(eoy * 0.04)]
            conduct.append(eoy - sum(conduct))
            for res, c in zip(results, conduct, strict=True):
                put("assess_conduct", c, grade=str(g), result=res)
        if g == GRADES[L][-1]:
            if L == "TH":
                put("completers", round(eoy * rnd.uniform(0.985, 1.0)))
            else:
                grads = round(eoy * rnd.uniform(0.96, 0.995))
                v[("graduates", _combo(level=L))] = grads
                v[("graduates", _combo(level=L, sex="f"))] = _split(grads, 0.49, rnd)
    put("pupils_eoy", tot_eoy)
    put("pupils_eoy", tot_eoy_f, sex="f")
    put("dropouts", tot_drop)
    return v


def semester_1(profile: SchoolProfile, level: str, start_year: int) -> dict[tuple[str, str], float]:
    rnd = random.Random(f"{profile.seed}:hk1:{level}:{start_year}")
    v: dict[tuple[str, str], float] = {}
    if level == "MN":
        return v
    total = total_f = drops = 0
    for g in GRADES[level]:
        n = grade_pupils(profile, level, g, start_year)
        d = sum(1 for _ in range(n) if rnd.random() < 0.003)
        f = _split(n - d, 0.48, rnd)
        v[("pupils_hk1", _combo(grade=str(g), level=level))] = n - d
        v[("pupils_hk1", _combo(grade=str(g), level=level, sex="f"))] = f
        total, total_f, drops = total + n - d, total_f + f, drops + d
    v[("pupils_hk1", _combo(level=level))] = total
    v[("pupils_hk1", _combo(level=level, sex="f"))] = total_f
    v[("dropouts_hk1", _combo(level=level))] = drops
    return v


def population(
    pupils_by_band: dict[str, float], children_by_band: dict[str, float], seed: str
) -> dict[tuple[str, str], float]:
    """Commune population by age band, consistent with who is enrolled there."""
    rnd = random.Random(seed)
    rates = {
        "a0_2": rnd.uniform(0.2, 0.35),
        "a3_5": rnd.uniform(0.9, 0.98),
        "a5": rnd.uniform(0.97, 0.995),
        "a6_10": rnd.uniform(0.97, 1.0),
        "a11_14": rnd.uniform(0.88, 0.97),
        "a15_17": rnd.uniform(0.55, 0.75),
    }
    out = {}
    for band, rate in rates.items():
        enrolled = children_by_band.get(band, pupils_by_band.get(band, 0))
        if enrolled:
            # A band with no school in the commune is left out rather than invented: its
            # children are counted where they study, so rates stay right when rolled up.
            out[("population", f"age_band={band}")] = max(enrolled, round(enrolled / rate))
    return out
