"""Synthetic PCGD–XMC household surveys for the demo, the tests' scale checks and the bench.

Generated inside DuckDB from ``range()`` with hash-based pseudo-random columns, so 60 M rows never
become 60 M Python objects. Communes get a hidden profile (good / middling / weak) so that some
fail some levels, and a small share of deliberately bad rows exercises the rejection path.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from pathlib import Path

from .pcgd_sql import connect

# Per profile: probabilities of 5-year-olds attending, 5-year-olds completed preschool, 6-year-olds
# in grade 1, completed primary by 11 and by 14, THCS diploma among 15–18 primary completers,
# upper-track enrolment among diploma holders, adults having completed primary.
_PROFILES = {
    0: dict(att=0.995, mn=0.93, g1=0.995, c11=0.96, c14=0.985, dip=0.975, up=0.9, adult=0.96),
    1: dict(att=0.965, mn=0.88, g1=0.965, c11=0.86, c14=0.93, dip=0.93, up=0.82, adult=0.93),
    2: dict(att=0.91, mn=0.8, g1=0.93, c11=0.74, c14=0.84, dip=0.86, up=0.7, adult=0.86),
}


def difficult_codes(commune_codes: list[str], difficult: Iterable[str] | float | None) -> set[str]:
    """Which communes are xã ĐBKK: given codes, a share (every k-th commune), or every 5th."""
    if difficult is None:
        difficult = 0.2
    if isinstance(difficult, bool):  # neither codes nor a share (bool is an int)
        raise TypeError("difficult must be commune codes or a share, not a bool")
    if isinstance(difficult, float | int):
        step = max(1, round(1 / difficult)) if difficult > 0 else 0
        return {c for i, c in enumerate(commune_codes) if step and i % step == step - 1}
    return set(difficult)


def write_communes(
    path: str | Path,
    commune_codes: list[str],
    difficult: Iterable[str] | float | None = None,
    provinces: Mapping[str, str] | None = None,
) -> Path:
    """The communes file matching :func:`generate_survey` (commune_code, difficult, province_code)."""
    hard = difficult_codes(commune_codes, difficult)
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["commune_code", "difficult", "province_code"])
        for code in commune_codes:
            w.writerow([code, int(code in hard), (provinces or {}).get(code, "01")])
    return path


def generate_survey(
    commune_codes: list[str],
    people_per_commune: int,
    year: int,
    seed: int,
    difficult: Iterable[str] | float | None = None,
    path: str | Path = "survey.csv",
    *,
    bad_share: float = 0.0002,
    weak_share: float = 0.35,
) -> Path:
    """Write a plausible survey of ``len(commune_codes) * people_per_commune`` people aged 0–60.

    The format follows the suffix: ``.parquet`` (typed columns, fast) or ``.csv``. Deterministic
    for a given seed. About ``weak_share`` of communes are middling or weak and fail some levels;
    ``bad_share`` of rows are invalid (unknown commune, future birth year, grade 1 at 40, literacy
    level 7) and must be rejected by the evaluator.
    """
    path = Path(path)
    hard = difficult_codes(commune_codes, difficult)
    con = connect()
    try:
        con.execute("CREATE TEMP TABLE cm(idx BIGINT, code VARCHAR, difficult BOOLEAN)")
        con.executemany(
            "INSERT INTO cm VALUES (?, ?, ?)",
            [(i, c, c in hard) for i, c in enumerate(commune_codes)],
        )
        mid = 1 - weak_share
        params = ", ".join(
            f"CASE q {' '.join(f'WHEN {k} THEN {v[name]}' for k, v in _PROFILES.items())} END AS p_{name}"
            for name in _PROFILES[0]
        )
        con.execute(
            f"""CREATE TEMP TABLE cp AS SELECT *, {params} FROM (
                SELECT idx, code, difficult,
                  CASE WHEN u < {mid} THEN 0 WHEN u < {mid + weak_share / 2} THEN 1 ELSE 2 END AS q
                FROM (SELECT *, (hash(idx, {seed}, 99) % 1000003) / 1000003.0 AS u FROM cm))"""
        )

        def u(k: int) -> str:
            return f"((hash(i, {seed}, {k}) % 1000003) / 1000003.0)"

        n = len(commune_codes) * people_per_commune
        # Age: slightly more young than old, 0..60, like the surveyed population.
        base = f"""SELECT i, c.*, CAST(floor(pow({u(0)}, 1.1) * 61) AS BIGINT) AS age,
                   {u(1)} AS u1, {u(2)} AS u2, {u(3)} AS u3, {u(4)} AS u4, {u(5)} AS u5,
                   {u(6)} AS u6, {u(7)} AS u7, {u(8)} AS u8, {u(9)} AS u9
            FROM range({n}) r(i) JOIN cp c ON c.idx = i // {people_per_commune}"""
        derived = f"""SELECT *, {year} - age AS byr,
              CASE WHEN u8 < 0.005 THEN 'cannot_study' WHEN u8 < 0.02 THEN 'can_study' ELSE 'none' END AS dis,
              CASE WHEN age = 11 THEN u2 < p_c11 WHEN age BETWEEN 12 AND 18 THEN u2 < p_c14
                   WHEN age > 18 THEN u2 < p_adult ELSE false END AS pc
            FROM ({base})"""
        derived2 = f"""SELECT *, pc AND age >= 15 AND u3 < p_dip AS dip FROM ({derived})"""
        status = """CASE
              WHEN dis = 'cannot_study' THEN 'not_in_school'
              WHEN age <= 2 THEN CASE WHEN u1 < 0.3 THEN 'preschool' ELSE 'not_in_school' END
              WHEN age <= 4 THEN CASE WHEN u1 < 0.92 THEN 'preschool' ELSE 'not_in_school' END
              WHEN age = 5 THEN CASE WHEN u1 < p_att THEN 'preschool' ELSE 'not_in_school' END
              WHEN age <= 10 THEN CASE WHEN u1 < p_g1 THEN 'grade_' || (age - 5)
                   WHEN age > 6 AND u1 < (1 + p_g1) / 2 THEN 'grade_' || (age - 6) ELSE 'not_in_school' END
              WHEN age <= 14 THEN CASE WHEN pc AND u1 < 0.97 THEN 'grade_' || (age - 5)
                   WHEN NOT pc AND age <= 13 AND u1 < 0.8 THEN 'grade_5' ELSE 'not_in_school' END
              WHEN age <= 18 THEN CASE WHEN dip AND u1 < p_up THEN
                        CASE WHEN age <= 17 THEN 'grade_' || (age - 5) WHEN u1 < p_up / 2 THEN 'grade_12' ELSE 'vocational' END
                   WHEN dip AND u1 < p_up + 0.04 THEN 'gdtx'
                   WHEN u1 > 0.97 THEN 'vocational' ELSE 'not_in_school' END
              WHEN age <= 30 AND u1 < 0.03 THEN 'vocational'
              WHEN u1 > 0.99 THEN 'gdtx'
              ELSE 'not_in_school' END"""
        bad = f"u9 < {bad_share}"
        bad_kind = f"CAST(floor(u9 / {bad_share} * 4) AS INT)" if bad_share > 0 else "0"
        final = f"""SELECT
              i + 1 AS person_id,
              CASE WHEN {bad} AND {bad_kind} = 0 THEN 'X' || code ELSE code END AS commune_code,
              CASE WHEN {bad} AND {bad_kind} = 1 THEN {year + 2}
                   WHEN {bad} AND {bad_kind} = 2 THEN {year - 40} ELSE byr END AS birth_year,
              CASE WHEN u6 < 0.51 THEN 'M' ELSE 'F' END AS sex,
              CASE WHEN u7 < (CASE WHEN difficult THEN 0.7 ELSE 0.12 END) THEN 1 ELSE 0 END AS ethnic_minority,
              dis AS disability,
              CASE WHEN {bad} AND {bad_kind} = 2 THEN 'grade_1' ELSE {status} END AS status,
              CASE WHEN age = 5 THEN (u4 < p_mn)::INT WHEN age >= 6 THEN (u4 < 0.97)::INT ELSE 0 END
                AS completed_preschool,
              CASE WHEN pc THEN byr + 11 END AS primary_completed_year,
              CASE WHEN dip THEN byr + 15 END AS thcs_diploma_year,
              CASE WHEN {bad} AND {bad_kind} = 3 THEN 7
                   WHEN pc THEN 2 WHEN age >= 9 AND u5 < 0.6 THEN 1 ELSE 0 END AS literacy_level
            FROM ({derived2})"""
        fmt = (
            "FORMAT PARQUET, COMPRESSION zstd, ROW_GROUP_SIZE 1000000"
            if path.suffix.lower() == ".parquet"
            else "FORMAT CSV, HEADER"
        )
        con.execute(f"COPY ({final}) TO '{path.as_posix()}' ({fmt})")
    finally:
        con.close()
    return path
