"""Benchmark: the analytics roll-up engine against a naive per-level GROUP BY, one command.

    .venv/bin/python bench/bench_analytics.py           # national scale, ~54 M values, a few minutes
    .venv/bin/python bench/bench_analytics.py --small   # 1/20 scale, under a minute

Generates a synthetic national data set on a realistic tree shape (34 provinces / 3,321
communes / 54,000 schools today; 63 provinces / 696 districts / 10,000 communes before
1/7/2025, with successor links: merges and some weighted splits), one school year with two
statistical rounds of 500 values per school, written as Parquet under /tmp. Then, each phase
in its own process so peak memory is its own:

  engine    full rebuild (every indicator, every unit, both tree modes), incremental update
            after one school's submission, dashboard query latency (a province + its communes)
  baseline  the same work as plain SQL on the same store: one GROUP BY per level and tree mode,
            (a) at the full (element, combo) grain, the usual "analytics table" shape, and
            (b) pushed down to the indicator terms, a stronger baseline that still re-scans
  bandwidth memory bandwidth by a numpy copy, for the physical bound

Results go to <out>/results.json and into docs/performance.md between the bench:analytics
markers (other sections are kept). Data is deleted at the end unless --keep.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import perfdoc  # bench/perfdoc.py: this script's folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
REFORM = dt.date(2025, 7, 1)
TODAY = dt.date(2026, 1, 15)
PERIODS = {1: dt.date(2024, 9, 30), 2: dt.date(2025, 5, 31)}  # the two rounds of 2024-2025
NATION = 1
SCALES = {
    "full": dict(po=63, d=696, co=10_000, pn=34, cn=3_321, s=54_000),
    "small": dict(po=8, d=40, co=500, pn=5, cn=170, s=2_700),
}
# elements: 1-40 by sex x ethnicity x disability (8 combos), 41-80 by sex x ethnicity (4),
# 81-100 undisaggregated: 320 + 160 + 20 = 500 values per school per round
N8, N4, N1 = 40, 40, 20
COMMUNE_ELEMENTS = {"pop_6": 101, "pop_6_grade1": 102, "pop_11": 103, "pop_11_primary_done": 104}
MARK_BEGIN, MARK_END = "<!-- bench:analytics -->", "<!-- /bench:analytics -->"


def code(k: int) -> str:
    return f"e{k:03d}"


def element_ids() -> dict[str, int]:
    return {code(k): k for k in range(1, N8 + N4 + N1 + 1)} | COMMUNE_ELEMENTS


def combos() -> list[tuple[int, str, str]]:
    out = []
    sexes, eths, dis = ("male", "female"), ("kinh", "dtts"), ("no", "yes")
    c = 1
    for s in sexes:
        for e in eths:
            out += [(c, "sex", s), (c, "eth", e)]
            c += 1
    for s in sexes:
        for e in eths:
            for d in dis:
                out += [(c, "sex", s), (c, "eth", e), (c, "dis", d)]
                c += 1
    return out  # combo 0 = no disaggregation


def indicators() -> list[tuple[str, str, str | None, float]]:
    out: list[tuple[str, str, str | None, float]] = []
    for k in range(1, 11):
        e = code(k)
        out += [
            (f"{e}_total", e, None, 1),
            (f"{e}_female_pct", f"{e}[sex=female]", e, 100),
            (f"{e}_dtts_pct", f"{e}[eth=dtts]", e, 100),
            (f"{e}_disabled_pct", f"{e}[dis=yes]", e, 100),
        ]
    out += [
        ("repetition_pct", "e002", "e001", 100),
        ("dropout_pct", "e003", "e001", 100),
        ("pupils_per_class", "e001", "e041", 1),
        ("pupils_per_teacher", "e001", "e042", 1),
        ("female_teachers_pct", "e042[sex=female]", "e042", 100),
        ("qualified_teachers_pct", "e043", "e042", 100),
        ("two_session_pct", "e044", "e041", 100),
        ("schools", "e081", None, 1),
        ("national_std_pct", "e082", "e081", 100),
        ("dtts_boarding_pct", "e004[eth=dtts]", "e001[eth=dtts]", 100),
        ("grade1_entry_pct", "pop_6_grade1", "pop_6", 100),
        ("primary_done_11_pct", "pop_11_primary_done", "pop_11", 100),
        ("teacher_gap", "e042 - 1.5 * e041", None, 1),
    ]
    return out


KEY_INDICATORS = [
    "e001_total", "e001_female_pct", "e001_dtts_pct", "repetition_pct", "dropout_pct",
    "pupils_per_class", "pupils_per_teacher", "qualified_teachers_pct", "schools",
    "national_std_pct", "grade1_entry_pct", "teacher_gap",
]  # fmt: skip


# ------------------------------------------------------------------------------ the tree
def spread(n: int, k: int, rng: np.random.Generator) -> np.ndarray:
    """Assign n items to k groups, every group non-empty (needs n >= k)."""
    out = np.concatenate([np.arange(k), rng.integers(0, k, n - k)])
    rng.shuffle(out)
    return out


def make_tree(sc: dict, seed: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    po, d, co, pn, cn, s = (np.arange(sc[k]) for k in ("po", "d", "co", "pn", "cn", "s"))
    ids = dict(
        po=100 + po, pn=300 + pn, d=1_000 + d, co=10_000 + co, cn=30_000 + cn, s=1_000_000 + s
    )
    d_po = spread(len(d), len(po), rng)
    co_d = spread(len(co), len(d), rng)
    s_co = rng.integers(0, len(co), len(s))
    po_pn = spread(len(po), len(pn), rng)  # provinces merge whole
    co_pn = po_pn[d_po[co_d]]
    # new communes per new province in proportion to its legacy communes
    cnt = np.bincount(co_pn, minlength=len(pn))
    alloc = np.maximum(1, np.floor(cnt / cnt.sum() * len(cn))).astype(int)
    alloc[np.argmax(cnt)] += len(cn) - alloc.sum()
    first = np.concatenate([[0], np.cumsum(alloc)[:-1]])
    co_cn = np.empty(len(co), int)
    for p in range(len(pn)):
        members = np.nonzero(co_pn == p)[0]
        rng.shuffle(members)
        co_cn[members] = (
            first[p] + spread(len(members), alloc[p], rng)
            if len(members) >= alloc[p]
            else (first[p] + np.arange(len(members)) % alloc[p])
        )
    # ~3% of legacy communes split between two new communes of their province
    split = rng.random(len(co)) < 0.03
    second = co_cn.copy()
    for i in np.nonzero(split)[0]:
        p = co_pn[i]
        if alloc[p] > 1:
            second[i] = (
                first[p] + (co_cn[i] - first[p] + 1 + rng.integers(0, alloc[p] - 1)) % alloc[p]
            )
    split &= second != co_cn
    w1 = np.where(split, rng.uniform(0.5, 0.8, len(co)), 1.0)
    s_cn = np.where(split[s_co] & (rng.random(len(s)) > w1[s_co]), second[s_co], co_cn[s_co])
    legacy = [
        (ids["po"], np.full(len(po), NATION)),
        (ids["d"], ids["po"][d_po]),
        (ids["co"], ids["d"][co_d]),
        (ids["s"], ids["co"][s_co]),
    ]
    new = [
        (ids["pn"], np.full(len(pn), NATION)),
        (ids["cn"], ids["pn"][first.searchsorted(np.arange(len(cn)), "right") - 1]),
        (ids["s"], ids["cn"][s_cn]),
    ]
    return dict(
        old_child=np.concatenate([c for c, _ in legacy]),
        old_parent=np.concatenate([p for _, p in legacy]),
        new_child=np.concatenate([c for c, _ in new]),
        new_parent=np.concatenate([p for _, p in new]),
        succ_old=np.concatenate([ids["co"], ids["co"][split], ids["d"], ids["po"]]),
        succ_new=np.concatenate(
            [ids["cn"][co_cn], ids["cn"][second[split]], ids["pn"][po_pn[d_po]], ids["pn"][po_pn]]
        ),
        succ_w=np.concatenate([w1, 1 - w1[split], np.ones(len(d)), np.ones(len(po))]),
        schools=ids["s"],
        communes_old=ids["co"],
        provinces_new=ids["pn"],
        provinces_old=ids["po"],
        districts=ids["d"],
        communes_new=ids["cn"],
    )


def edges_of(tree: dict) -> dict[str, list]:
    n_old, n_new = len(tree["old_child"]), len(tree["new_child"])
    return {
        "child_id": tree["old_child"].tolist() + tree["new_child"].tolist(),
        "parent_id": tree["old_parent"].tolist() + tree["new_parent"].tolist(),
        "valid_from": [None] * n_old + [REFORM] * n_new,
        "valid_to": [REFORM] * n_old + [None] * n_new,
    }


def successors_of(tree: dict) -> dict[str, list]:
    return {
        "old_unit_id": tree["succ_old"].tolist(),
        "new_unit_id": tree["succ_new"].tolist(),
        "weight": tree["succ_w"].tolist(),
    }


# ------------------------------------------------------------------------------ phases
def pairs_sql() -> str:
    rows = [(k, c) for k in range(1, N8 + 1) for c in range(5, 13)]
    rows += [(k, c) for k in range(N8 + 1, N8 + N4 + 1) for c in range(1, 5)]
    rows += [(k, 0) for k in range(N8 + N4 + 1, N8 + N4 + N1 + 1)]
    return "(VALUES " + ", ".join(f"({k}, {c})" for k, c in rows) + ") AS pr(element_id, combo)"


def phase_generate(out: Path, scale: str) -> dict:
    tree = make_tree(SCALES[scale])
    np.savez(out / "tree.npz", **tree)
    (out / "values").mkdir(exist_ok=True)
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET preserve_insertion_order=false")
    con.execute(
        "CREATE TABLE schools AS SELECT unnest($1::INTEGER[]) AS unit_id",
        [tree["schools"].tolist()],
    )
    con.execute(
        "CREATE TABLE communes AS SELECT unnest($1::INTEGER[]) AS unit_id",
        [tree["communes_old"].tolist()],
    )
    t0 = time.perf_counter()
    for p in PERIODS:
        # values: hash-based pseudo-random counts, so generation streams without big arrays
        con.execute(f"""COPY (
            SELECT s.unit_id, {p}::INTEGER AS period_id, pr.element_id::INTEGER AS element_id,
                   pr.combo::INTEGER AS combo,
                   (hash(s.unit_id, pr.element_id, pr.combo, {p}) % 200)::DOUBLE AS value
            FROM schools s CROSS JOIN {pairs_sql()}
        ) TO '{out}/values/schools_p{p}.parquet' (FORMAT parquet)""")
    ce = ", ".join(f"({v})" for v in COMMUNE_ELEMENTS.values())
    con.execute(f"""COPY (
        SELECT c.unit_id, p.period_id::INTEGER AS period_id, e.element_id::INTEGER AS element_id,
               0::INTEGER AS combo,
               (100 + hash(c.unit_id, e.element_id, p.period_id) % 400)::DOUBLE AS value
        FROM communes c, (VALUES {ce}) e(element_id), (VALUES (1), (2)) p(period_id)
    ) TO '{out}/values/communes.parquet' (FORMAT parquet)""")
    rows = con.execute(f"SELECT count(*) FROM read_parquet('{out}/values/*.parquet')").fetchone()[0]
    size = sum(f.stat().st_size for f in (out / "values").glob("*.parquet"))
    return {"values": rows, "parquet_bytes": size, "seconds": time.perf_counter() - t0,
            "schools": len(tree["schools"]), "communes_new": len(tree["communes_new"]),
            "communes_old": len(tree["communes_old"]), "districts": len(tree["districts"]),
            "provinces_old": len(tree["provinces_old"]), "provinces_new": len(tree["provinces_new"]),
            "successor_links": len(tree["succ_old"]), "splits": int((tree["succ_w"] < 1).sum() // 2)}  # fmt: skip


def load_tree(out: Path) -> dict:
    with np.load(out / "tree.npz") as z:
        return {k: z[k] for k in z.files}


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.array(xs), q))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def submission(rng: np.random.Generator) -> list[tuple[int, int, float]]:
    rows = [(k, c) for k in range(1, N8 + 1) for c in range(5, 13)]
    rows += [(k, c) for k in range(N8 + 1, N8 + N4 + 1) for c in range(1, 5)]
    rows += [(k, 0) for k in range(N8 + N4 + 1, N8 + N4 + N1 + 1)]
    vals = rng.integers(0, 200, len(rows)).astype(float)
    return [(k, c, float(v)) for (k, c), v in zip(rows, vals, strict=True)]


def phase_engine(out: Path, scale: str) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    from tongket.analytics.engine import MODE_AS_OF, MODE_CURRENT, MODES, RollupEngine

    tree = load_tree(out)
    res: dict = {}
    t0 = time.perf_counter()
    eng = RollupEngine(
        indicators(), edges=edges_of(tree), successors=successors_of(tree), periods=PERIODS,
        combos=combos(), element_ids=element_ids(), current_date=TODAY, threads=2, memory_limit="6GB",
    )  # fmt: skip
    res["init_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    stats = eng.build(str(out / "values" / "*.parquet"))
    for mode in MODES:  # materialise every indicator at every unit, as the baseline does
        for p in eng.periods:
            eng.indicator_matrix(p, mode)
    res["rebuild_s"] = time.perf_counter() - t0
    res["project_s"], res["rollup_s"] = stats.seconds_project, stats.seconds_rollup
    res["leaf_rows"], res["units"], res["terms"] = stats.leaf_rows, stats.units, stats.terms
    res["indicators"] = len(eng.indicators)
    res["warnings"] = stats.warnings
    # nothing dropped: national counts agree between the tree as it was and today's tree
    a = eng.indicator_values(NATION, 2, MODE_AS_OF, ["e001_total", "grade1_entry_pct"])
    c = eng.indicator_values(NATION, 2, MODE_CURRENT, ["e001_total", "grade1_entry_pct"])
    res["nation_totals_equal"] = all(
        abs(x.numerator - y.numerator) < 1e-6 * abs(x.numerator) for x, y in zip(a, c, strict=True)
    )
    rng = np.random.default_rng(1)
    times = []
    for _ in range(300):
        school = int(rng.choice(tree["schools"]))
        sub = submission(rng)
        t = time.perf_counter()
        eng.update_unit(school, int(rng.integers(1, 3)), sub)
        times.append(time.perf_counter() - t)
    res["incremental_ms"] = {
        "p50": pct(times, 50) * 1e3,
        "p95": pct(times, 95) * 1e3,
        "max": max(times) * 1e3,
    }
    for mode, provinces in (
        (MODE_CURRENT, tree["provinces_new"]),
        (MODE_AS_OF, tree["provinces_old"]),
    ):
        times, n_units = [], []
        for _ in range(300):
            prov = int(rng.choice(provinces))
            t = time.perf_counter()
            units = [prov, *eng.children(prov, 2, mode)]
            rows = eng.indicator_values(units, 2, mode, KEY_INDICATORS)
            times.append(time.perf_counter() - t)
            n_units.append(len(units))
            assert len(rows) == len(units) * len(KEY_INDICATORS)
        res[f"dashboard_{mode}_ms"] = {"p50": pct(times, 50) * 1e3, "p95": pct(times, 95) * 1e3,
                                       "units_avg": float(np.mean(n_units))}  # fmt: skip
    res["peak_rss_mb"] = peak_mb()
    return res


def baseline_setup(con: duckdb.DuckDBPyConnection, tree: dict) -> dict[str, list[tuple[str, str]]]:
    """Per-level maps (unit -> ancestor at that level, weight) for both trees, the weights of
    the indicator terms, and term -> indicator coefficients: the same inputs the engine has."""
    sys.path.insert(0, str(ROOT / "src"))
    from tongket.analytics.engine import RollupEngine

    eng = RollupEngine(
        indicators(), edges=[(2, 1, None, None)], combos=combos(), element_ids=element_ids()
    )
    eng._weights_table(numeric_elements=True)
    weights = eng._con.execute("SELECT * FROM tk_weights").fetchall()
    ti = [(t, i, float(eng._w_num[t, i]), float(eng._w_den[t, i]))
          for t in range(len(eng.terms)) for i in range(len(eng.indicators))
          if eng._w_num[t, i] or eng._w_den[t, i]]  # fmt: skip
    con.execute("CREATE TABLE weights (element BIGINT, combo INTEGER, term INTEGER)")
    con.executemany("INSERT INTO weights VALUES (?, ?, ?)", weights)
    con.execute("CREATE TABLE term_ind (term INTEGER, ind INTEGER, cnum DOUBLE, cden DOUBLE)")
    con.executemany("INSERT INTO term_ind VALUES (?, ?, ?, ?)", ti)
    s, co = tree["schools"], tree["communes_old"]
    parent_old = dict(zip(tree["old_child"].tolist(), tree["old_parent"].tolist(), strict=True))
    parent_new = dict(zip(tree["new_child"].tolist(), tree["new_parent"].tolist(), strict=True))
    succ: dict[int, list[tuple[int, float]]] = {}
    for o, n, w in zip(
        tree["succ_old"].tolist(), tree["succ_new"].tolist(), tree["succ_w"].tolist(), strict=True
    ):
        succ.setdefault(o, []).append((n, w))

    def up(u: int, parent: dict, steps: int) -> int:
        for _ in range(steps):
            u = parent[u]
        return u

    maps: dict[str, list] = {}
    # tree as it was: school(4) commune(3) district(2) province(1) nation(0)
    for steps, lvl in enumerate(LEVELS["as_of"]):
        rows = [(int(u), up(int(u), parent_old, steps), 1.0) for u in s]
        if steps >= 1:
            rows += [(int(c), up(int(c), parent_old, steps - 1), 1.0) for c in co]
        maps[f"as_of_{lvl}"] = rows
    # today's tree: school(3) commune(2) province(1) nation(0); legacy communes via successors
    for steps, lvl in enumerate(LEVELS["current"]):
        rows = [(int(u), up(int(u), parent_new, steps), 1.0) for u in s]
        if steps >= 1:
            acc: dict[tuple[int, int], float] = {}
            for c in co.tolist():
                for n, w in succ[c]:
                    key = (c, up(n, parent_new, steps - 1))
                    acc[key] = acc.get(key, 0.0) + w
            rows += [(c, a, w) for (c, a), w in acc.items()]
        maps[f"current_{lvl}"] = rows
    for name, rows in maps.items():
        cols = list(zip(*rows, strict=True))
        con.execute(
            f"CREATE TABLE map_{name} AS SELECT unnest($1::INTEGER[]) AS unit, unnest($2::INTEGER[]) AS anc, "
            "unnest($3::DOUBLE[]) AS w",
            [list(cols[0]), list(cols[1]), list(cols[2])],
        )
    return maps


def q_full_grain(src: str, name: str) -> list[str]:
    return [
        f"""CREATE OR REPLACE TEMP TABLE agg AS
            SELECT m.anc, v.period_id, v.element_id, v.combo, SUM(v.value * m.w) AS value
            FROM {src} v JOIN map_{name} m ON v.unit_id = m.unit GROUP BY ALL""",
        f"""CREATE OR REPLACE TEMP TABLE ind_{name} AS
            WITH t AS (SELECT a.anc, a.period_id, w.term, SUM(a.value) AS s FROM agg a
                       JOIN weights w ON a.element_id = w.element AND (w.combo IS NULL OR w.combo = a.combo)
                       GROUP BY ALL)
            SELECT anc, period_id, ind, SUM(s * cnum) AS num, SUM(s * cden) AS den
            FROM t JOIN term_ind USING (term) GROUP BY ALL""",
        "DROP TABLE agg",
    ]


def q_terms(src: str, name: str, where: str = "") -> str:
    return f"""WITH t AS (SELECT m.anc, v.period_id, w.term, SUM(v.value * m.w) AS s
                FROM {src} v JOIN weights w ON v.element_id = w.element AND (w.combo IS NULL OR w.combo = v.combo)
                JOIN map_{name} m ON v.unit_id = m.unit {where} GROUP BY ALL)
            SELECT anc, period_id, ind, SUM(s * cnum) AS num, SUM(s * cden) AS den
            FROM t JOIN term_ind USING (term) GROUP BY ALL"""


LEVELS = {
    "as_of": ["school", "commune", "district", "province", "nation"],
    "current": ["school", "commune", "province", "nation"],
}


def phase_baseline(out: Path, scale: str) -> dict:
    tree = load_tree(out)
    con = duckdb.connect()
    con.execute("SET threads=2")
    con.execute("SET memory_limit='6GB'")
    con.execute(f"SET temp_directory='{out}/duck_tmp'")
    maps = baseline_setup(con, tree)
    src = f"read_parquet('{out}/values/*.parquet')"
    res: dict = {"levels": len(maps)}
    t0 = time.perf_counter()
    for name in maps:
        for sql in q_full_grain(src, name):
            con.execute(sql)
    res["rebuild_full_grain_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for name in maps:
        con.execute(f"CREATE OR REPLACE TEMP TABLE indt_{name} AS {q_terms(src, name)}")
    res["rebuild_terms_s"] = time.perf_counter() - t0
    # a store that can be updated in place, for the naive incremental path and dashboards
    con.execute(f"CREATE TABLE store AS SELECT * FROM {src}")
    rng = np.random.default_rng(1)
    parent_new = dict(zip(tree["new_child"].tolist(), tree["new_parent"].tolist(), strict=True))
    parent_old = dict(zip(tree["old_child"].tolist(), tree["old_parent"].tolist(), strict=True))
    times = []
    for _ in range(3 if scale == "full" else 5):
        school = int(rng.choice(tree["schools"]))
        period = int(rng.integers(1, 3))
        sub = submission(rng)
        t = time.perf_counter()
        con.execute("DELETE FROM store WHERE unit_id = ? AND period_id = ?", [school, period])
        con.execute(
            "INSERT INTO store SELECT ?, ?, unnest($3::INTEGER[]), unnest($4::INTEGER[]), unnest($5::DOUBLE[])",
            [school, period, [r[0] for r in sub], [r[1] for r in sub], [r[2] for r in sub]],
        )
        for name in maps:  # recompute the one affected unit at each level of each tree
            mode, level = name.rsplit("_", 1)
            parent = parent_new if mode == "current" else parent_old
            anc = school
            for _ in range(LEVELS[mode].index(level)):
                anc = parent[anc]
            con.execute(
                q_terms("store", name, f"AND m.anc = {anc} AND v.period_id = {period}")
            ).fetchall()
        times.append(time.perf_counter() - t)
    res["incremental_ms"] = {"p50": pct(times, 50) * 1e3, "max": max(times) * 1e3, "n": len(times)}
    times = []
    for _ in range(10):
        prov = int(rng.choice(tree["provinces_new"]))
        t = time.perf_counter()
        con.execute(
            q_terms("store", "current_province", f"AND m.anc = {prov} AND v.period_id = 2")
        ).fetchall()
        con.execute(
            q_terms("store", "current_commune",
                    f"AND m.anc IN (SELECT unit FROM map_current_province WHERE anc = {prov}) AND v.period_id = 2")
        ).fetchall()  # fmt: skip
        times.append(time.perf_counter() - t)
    res["dashboard_current_ms"] = {"p50": pct(times, 50) * 1e3, "p95": pct(times, 95) * 1e3}
    res["peak_rss_mb"] = peak_mb()
    return res


def phase_bandwidth(out: Path, scale: str) -> dict:
    src = np.ones(1 << 27)  # 1 GiB of float64
    dst = np.empty_like(src)
    best = 1e9
    for _ in range(5):
        t = time.perf_counter()
        np.copyto(dst, src)
        best = min(best, time.perf_counter() - t)
    return {"copy_GBps": 2 * src.nbytes / best / 1e9}  # a copy reads and writes every byte


PHASES = {"generate": phase_generate, "engine": phase_engine, "baseline": phase_baseline,
          "bandwidth": phase_bandwidth}  # fmt: skip


def run_phase(name: str, out: Path, scale: str) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--out", str(out), "--scale", scale]
    print(f"[bench] {name} ...", flush=True)
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        sys.stderr.write(proc.stderr)
        raise SystemExit(f"phase {name} failed")
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"[bench] {name} done in {time.perf_counter() - t:.1f} s", flush=True)
    return res


def report(r: dict, scale: str) -> str:
    g, e, b, bw = r["generate"], r["engine"], r.get("baseline"), r["bandwidth"]["copy_GBps"]
    decoded = g["values"] * 24  # int32 unit, period, element, combo + float64 value
    lines = [
        f"Run {dt.datetime.now():%Y-%m-%d %H:%M}, scale `{scale}`, {os.cpu_count()} cores, "
        f"`bench/bench_analytics.py{' --small' if scale == 'small' else ''}`.",
        "",
        f"Data: {g['values']:,} values ({g['schools']:,} schools × 2 rounds × 500, plus commune surveys), "
        f"Parquet {g['parquet_bytes'] / 1e6:,.0f} MB; today's tree {g['provinces_new']} provinces / "
        f"{g['communes_new']:,} communes, legacy tree {g['provinces_old']} / {g['districts']} districts / "
        f"{g['communes_old']:,} communes, {g['successor_links']:,} successor links ({g['splits']} splits). "
        f"{e['indicators']} indicators over {e['terms']} terms, {e['units']:,} units.",
        "",
        "| measure | engine | baseline | ratio | goal |",
        "|---|---|---|---|---|",
    ]
    if b:
        lines.append(f"| full rebuild, both tree modes, every indicator at every unit | {e['rebuild_s']:.2f} s "
                     f"| {b['rebuild_full_grain_s']:.1f} s (a) | {b['rebuild_full_grain_s'] / e['rebuild_s']:.0f}× | ≤ 30 s, ≥ 10× |")  # fmt: skip
        lines.append(f"| same, against the stronger baseline (b) | {e['rebuild_s']:.2f} s "
                     f"| {b['rebuild_terms_s']:.1f} s (b) | {b['rebuild_terms_s'] / e['rebuild_s']:.1f}× | |")  # fmt: skip
        lines.append(f"| incremental update, one school's submission (p50 / p95 / max) | "
                     f"{e['incremental_ms']['p50']:.2f} / {e['incremental_ms']['p95']:.2f} / {e['incremental_ms']['max']:.2f} ms "
                     f"| {b['incremental_ms']['p50']:.0f} ms (p50 of {b['incremental_ms']['n']}) "
                     f"| {b['incremental_ms']['p50'] / e['incremental_ms']['p50']:,.0f}× | ≤ 100 ms |")  # fmt: skip
        lines.append(f"| dashboard: province + its communes, {len(KEY_INDICATORS)} indicators, today's tree (p50 / p95) | "
                     f"{e['dashboard_current_ms']['p50']:.2f} / {e['dashboard_current_ms']['p95']:.2f} ms "
                     f"| {b['dashboard_current_ms']['p50']:.0f} / {b['dashboard_current_ms']['p95']:.0f} ms "
                     f"| {b['dashboard_current_ms']['p95'] / e['dashboard_current_ms']['p95']:,.0f}× | p95 ≤ 200 ms |")  # fmt: skip
        lines.append(f"| peak memory (RSS of the phase's process) | {e['peak_rss_mb'] / 1024:.2f} GB "
                     f"| {b['peak_rss_mb'] / 1024:.2f} GB | | ≤ 8 GB |")  # fmt: skip
    lines += [
        f"| dashboard, tree as it was (legacy province + districts) p50 / p95 | "
        f"{e['dashboard_as_of_ms']['p50']:.2f} / {e['dashboard_as_of_ms']['p95']:.2f} ms | | | |",
        "",
        f"Engine rebuild split: projection scan (DuckDB, one pass over the values) {e['project_s']:.2f} s "
        f"→ {e['leaf_rows']:,} leaf sums; closure roll-up + indicators (numpy) "
        f"{e['rebuild_s'] - e['project_s']:.2f} s. National totals equal in both tree modes: "
        f"{e['nation_totals_equal']}.",
        "",
        f"Physical bound: memory bandwidth by a numpy copy {bw:.1f} GB/s. The rebuild must read every "
        f"value once: {decoded / 1e9:.2f} GB decoded (24 B/value) → ≥ {decoded / bw / 1e9:.2f} s at memory "
        f"speed; the engine's {e['project_s']:.2f} s scan is "
        f"{e['project_s'] / (decoded / bw / 1e9):.0f}× that bound (Parquet decoding and the hash "
        f"aggregate cost far more than moving bytes). The baseline reads the same bytes once per level "
        f"and tree mode ({b['levels'] if b else 9} times).",
        "",
        "(a) one GROUP BY per level and tree mode at the full (unit-at-level, element, combo) grain, then "
        "indicators from it: the usual analytics-table shape. (b) one GROUP BY per level and tree mode "
        "already reduced to the indicator terms: what (a) becomes once tuned, still re-scanning the "
        "values for every level.",
    ]
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--small", action="store_true", help="1/20 of the schools: a quick run")
    ap.add_argument(
        "--out", default="/tmp/tongket_bench_analytics", help="data directory (under /tmp)"
    )
    ap.add_argument("--keep", action="store_true", help="keep the generated data")
    ap.add_argument("--no-baseline", action="store_true", help="skip the (slow) baseline")
    ap.add_argument("--no-doc", action="store_true", help="do not write docs/performance.md")
    ap.add_argument("--phase", choices=PHASES, help=argparse.SUPPRESS)
    ap.add_argument("--scale", choices=SCALES, help=argparse.SUPPRESS)
    args = ap.parse_args()
    out = Path(args.out)
    if args.phase:
        print(json.dumps(PHASES[args.phase](out, args.scale)))
        return
    scale = "small" if args.small else "full"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    results: dict = {}
    try:
        for name in (
            "generate",
            "engine",
            *(() if args.no_baseline else ("baseline",)),
            "bandwidth",
        ):
            results[name] = run_phase(name, out, scale)
        (out.parent / f"{out.name}_results.json").write_text(json.dumps(results, indent=2))
        text = report(results, scale)
        print(text)
        if not args.no_doc:
            perfdoc.write_section(
                f"{MARK_BEGIN}\n## Analytics roll-up engine\n\n{text}\n{MARK_END}",
                MARK_BEGIN,
                MARK_END,
            )
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
