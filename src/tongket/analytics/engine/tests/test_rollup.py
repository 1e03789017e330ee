"""Roll-up arithmetic, both tree modes across the 1/7/2025 reform, incremental == rebuild."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import pytest

from tongket.analytics.engine import (
    MODE_AS_OF,
    MODE_CURRENT,
    EngineError,
    Indicator,
    RollupEngine,
    TreeError,
)

REFORM = dt.date(2025, 7, 1)
NATION, P_OLD, DIST, C1, C2, C3 = 1, 10, 100, 1001, 1002, 1003
P_NEW, N1, N2, N3 = 20, 2001, 2002, 2003
S1, S2, S3, S4 = 50001, 50002, 50003, 50004

# the legacy tree ends, the new one starts, on the day of the reform (valid_to exclusive)
EDGES = [
    (P_OLD, NATION, None, REFORM),
    (DIST, P_OLD, None, REFORM),
    (C1, DIST, None, REFORM),
    (C2, DIST, None, REFORM),
    (C3, DIST, None, REFORM),
    (S1, C1, None, REFORM),
    (S2, C2, None, REFORM),
    (S3, C3, None, REFORM),
    (S4, C3, None, REFORM),
    (P_NEW, NATION, REFORM, None),
    (N1, P_NEW, REFORM, None),
    (N2, P_NEW, REFORM, None),
    (N3, P_NEW, REFORM, None),
    (S1, N1, REFORM, None),
    (S2, N1, REFORM, None),
    (S3, N2, REFORM, None),
    (S4, N3, REFORM, None),
]
# C1 and C2 merge into N1; C3 splits 60/40 into N2 and N3
SUCCESSORS = [
    (C1, N1, 1.0),
    (C2, N1, 1.0),
    (C3, N2, 0.6),
    (C3, N3, 0.4),
    (DIST, P_NEW, 1.0),
    (P_OLD, P_NEW, 1.0),
]
COMBOS = [(1, "sex", "male"), (2, "sex", "female")]
INDICATORS = [
    Indicator("pupils", "pupils"),
    Indicator("female_share", "pupils[sex=female]", "pupils", 100),
    Indicator("pupils_per_class", "pupils", "classes"),
    Indicator("pop6", "pop_6"),
    Indicator("grade1_entry", "pop_6_grade1", "pop_6", 100),
]
Y1, Y2 = "2024-2025", "2025-2026"


def rows(unit, period, pupils_m, pupils_f, classes):
    return [
        ("pupils", 1, unit, period, pupils_m),
        ("pupils", 2, unit, period, pupils_f),
        ("classes", 0, unit, period, classes),
    ]


def values():
    out = []
    out += rows(S1, Y1, 1, 9, 1)  # 90% female, a tiny school
    out += rows(S2, Y1, 81, 9, 3)  # 10% female, a big one
    out += rows(S3, Y1, 20, 20, 2)
    out += rows(S4, Y1, 30, 10, 2)
    # the commune-level survey is held by the legacy commune itself
    out += [("pop_6", 0, C3, Y1, 100.0), ("pop_6_grade1", 0, C3, Y1, 95.0)]
    out += rows(S1, Y2, 5, 5, 1)
    return out


def engine(vals=None, **kw):
    e = RollupEngine(
        INDICATORS,
        edges=EDGES,
        successors=SUCCESSORS,
        combos=COMBOS,
        current_date=dt.date(2026, 1, 1),
        threads=1,
        **kw,
    )
    e.build(values() if vals is None else vals)
    return e


def val(e, unit, period, code, mode):
    return e.indicator_values(unit, period, mode, [code])[0]


def test_counts_sum_up_every_level_as_of():
    e = engine()
    assert val(e, S1, Y1, "pupils", MODE_AS_OF).value == 10
    assert val(e, C3, Y1, "pupils", MODE_AS_OF).value == 80
    assert val(e, DIST, Y1, "pupils", MODE_AS_OF).value == 180
    assert val(e, P_OLD, Y1, "pupils", MODE_AS_OF).value == 180
    assert val(e, NATION, Y1, "pupils", MODE_AS_OF).value == 180
    # the new units did not exist in 2024-2025: no value in the tree as it was
    assert val(e, N1, Y1, "pupils", MODE_AS_OF).value is None
    # in 2025-2026 the tree as it was is the new one
    assert val(e, N1, Y2, "pupils", MODE_AS_OF).value == 10
    assert val(e, P_NEW, Y2, "pupils", MODE_AS_OF).value == 10
    assert val(e, DIST, Y2, "pupils", MODE_AS_OF).value is None


def test_rate_is_recomputed_from_sums_never_averaged():
    e = engine()
    r = val(e, DIST, Y1, "female_share", MODE_AS_OF)
    # (9+9+20+10) / 180 = 26.67%; the mean of the four schools' rates would be 43.75%
    assert r.numerator == 48 and r.denominator == 180
    assert r.value == pytest.approx(100 * 48 / 180)
    school_rates = [val(e, s, Y1, "female_share", MODE_AS_OF).value for s in (S1, S2, S3, S4)]
    assert np.mean(school_rates) == pytest.approx(43.75)
    assert r.value != pytest.approx(np.mean(school_rates))
    # same at commune N1 in today's tree: (9 + 9) / (10 + 90) = 18%, not (90% + 10%) / 2
    n1 = val(e, N1, Y1, "female_share", MODE_CURRENT)
    assert n1.value == pytest.approx(18.0)
    ppc = val(e, NATION, Y1, "pupils_per_class", MODE_AS_OF)
    assert ppc.value == pytest.approx(180 / 8)


def test_merge_across_reform_sums_two_legacy_communes():
    e = engine()
    c1 = val(e, C1, Y1, "pupils", MODE_AS_OF).value
    c2 = val(e, C2, Y1, "pupils", MODE_AS_OF).value
    assert val(e, N1, Y1, "pupils", MODE_CURRENT).value == c1 + c2 == 100
    # legacy units are not in today's tree: their values moved, they show none
    assert val(e, C1, Y1, "pupils", MODE_CURRENT).value is None
    assert val(e, P_NEW, Y1, "pupils", MODE_CURRENT).value == 180


def test_split_follows_weights_and_preserves_totals():
    e = engine()
    n2 = val(e, N2, Y1, "pop6", MODE_CURRENT).value
    n3 = val(e, N3, Y1, "pop6", MODE_CURRENT).value
    assert (n2, n3) == (pytest.approx(60.0), pytest.approx(40.0))
    # shares meet again at the province and the nation: nothing created, nothing lost
    assert val(e, P_NEW, Y1, "pop6", MODE_CURRENT).value == pytest.approx(100.0)
    assert val(e, NATION, Y1, "pop6", MODE_CURRENT).value == pytest.approx(100.0)
    assert val(e, NATION, Y1, "pop6", MODE_AS_OF).value == pytest.approx(100.0)
    # a rate split by the same weights keeps its value in both halves
    assert val(e, N2, Y1, "grade1_entry", MODE_CURRENT).value == pytest.approx(95.0)
    for mode in (MODE_AS_OF, MODE_CURRENT):
        nat = val(e, NATION, Y1, "pupils", mode).value
        assert nat == sum(v[4] for v in values() if v[0] == "pupils" and v[3] == Y1)


def test_closed_unit_without_successor_falls_back_to_its_last_parent():
    edges = [*EDGES, (60001, C1, None, dt.date(2024, 1, 1))]  # a school closed in 2023
    vals = [*values(), ("pupils", 1, 60001, "2022-2023", 7.0)]
    e = RollupEngine(
        INDICATORS,
        edges=edges,
        successors=SUCCESSORS,
        combos=COMBOS,
        current_date=dt.date(2026, 1, 1),
    )
    e.build(vals)
    assert val(e, C1, "2022-2023", "pupils", MODE_AS_OF).value == 7
    assert val(e, N1, "2022-2023", "pupils", MODE_CURRENT).value == 7
    assert val(e, NATION, "2022-2023", "pupils", MODE_CURRENT).value == 7


def test_children_ranking_and_trend():
    e = engine()
    assert sorted(e.children(DIST, Y1)) == [C1, C2, C3]
    assert sorted(e.children(P_NEW, Y1, MODE_CURRENT)) == [N1, N2, N3]
    ranked = e.children_values(DIST, Y1, "female_share")
    assert [(r.unit_id, r.rank) for r in ranked] == [(C1, 1), (C3, 2), (C2, 3)]
    trend = e.trend(S1, "pupils")
    assert [(t.period, t.value) for t in trend] == [(Y1, 10), (Y2, 10)]
    assert e.trend(S2, "pupils")[1].value is None  # S2 has not reported 2025-2026


def test_errors_are_clear():
    e = engine()
    with pytest.raises(EngineError, match="unknown indicators"):
        e.indicator_values(S1, Y1, MODE_AS_OF, ["nope"])
    with pytest.raises(EngineError, match="not in the tree"):
        e.update_unit(999, Y1, [])
    with pytest.raises(EngineError, match="unknown tree mode"):
        e.indicator_values(S1, Y1, "today")
    with pytest.raises(EngineError, match="matches no disaggregation"):
        RollupEngine([Indicator("x", "pupils[sex=femail]")], edges=EDGES, combos=COMBOS)
    with pytest.raises(EngineError, match="no date for periods"):
        RollupEngine(INDICATORS, edges=EDGES, combos=COMBOS).build([("pupils", 1, S1, "Q3", 1.0)])


def test_tree_errors():
    with pytest.raises(TreeError, match=r"sum to 0\.9"):
        RollupEngine(
            INDICATORS, edges=EDGES, combos=COMBOS, successors=[(C3, N2, 0.5), (C3, N3, 0.4)]
        )
    bad = [*EDGES, (S1, C2, dt.date(2024, 1, 1), None)]  # S1 has two parents in 2024-2025
    with pytest.raises(TreeError, match="two parents"):
        RollupEngine(INDICATORS, edges=bad, combos=COMBOS).build(values())
    loop = [(1, 2, None, None), (2, 3, None, None), (3, 1, None, None)]
    with pytest.raises(TreeError, match="cycle"):
        RollupEngine(INDICATORS, edges=loop, combos=COMBOS).build([("pupils", 1, 1, Y1, 1.0)])


# -------------------------------------------------------------------- incremental == rebuild
def random_world(seed: int, n_schools: int = 60):
    rng = random.Random(seed)
    edges, succ, vals = [], [], []
    old_communes = [3000 + i for i in range(8)]
    new_communes = [4000 + i for i in range(3)]
    for c in old_communes:
        edges.append((c, 2, None, REFORM))
    for c in new_communes:
        edges.append((c, 3, REFORM, None))
    edges += [(2, 1, None, REFORM), (3, 1, REFORM, None)]
    for c in old_communes:
        a, b = rng.sample(new_communes, 2)
        w = rng.choice([1.0, 0.7, 0.5])
        succ += [(c, a, w)] + ([(c, b, 1 - w)] if w < 1 else [])
    schools = [100000 + i for i in range(n_schools)]
    for s in schools:
        old = rng.choice(old_communes)
        new = rng.choice([n for n, _ in [(x[1], x[2]) for x in succ if x[0] == old]])
        edges += [(s, old, None, REFORM), (s, new, REFORM, None)]
        for period in (Y1, "2023-2024"):
            for combo in (1, 2):
                vals.append(("pupils", combo, s, period, float(rng.randint(0, 300))))
            vals.append(("classes", 0, s, period, float(rng.randint(1, 12))))
    for c in old_communes:
        vals.append(("pop_6", 0, c, Y1, float(rng.randint(50, 500))))
    return edges, succ, vals, schools


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_equals_full_rebuild(seed):
    edges, succ, vals, schools = random_world(seed)
    kw = dict(
        edges=edges, successors=succ, combos=COMBOS, current_date=dt.date(2026, 1, 1), threads=1
    )
    inc = RollupEngine(INDICATORS, **kw)
    inc.build(vals)
    rng = random.Random(seed + 100)
    current = {(v[0], v[1], v[2], v[3]): v[4] for v in vals}
    for _ in range(25):
        s = rng.choice(schools)
        period = rng.choice([Y1, "2023-2024", Y2])  # Y2 is new: the first submission of a round
        sub = [("pupils", c, float(rng.randint(0, 300))) for c in (1, 2) if rng.random() < 0.9]
        sub.append(("classes", 0, float(rng.randint(1, 12))))
        inc.update_unit(s, period, sub)
        for k in [k for k in current if k[2] == s and k[3] == period]:
            del current[k]
        current.update({(el, c, s, period): v for el, c, v in sub})
    full = RollupEngine(INDICATORS, **kw)
    full.build([(*k, v) for k, v in current.items()])
    assert inc.periods == full.periods
    a, b = inc.term_state(), full.term_state()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=1e-12, atol=1e-9, err_msg=key)
    for mode in (MODE_AS_OF, MODE_CURRENT):
        ea, eb = inc.export(mode), full.export(mode)
        np.testing.assert_allclose(ea["value"], eb["value"], rtol=1e-12)


def test_apply_deltas_equals_rebuild():
    edges, succ, vals, schools = random_world(7)
    kw = dict(
        edges=edges, successors=succ, combos=COMBOS, current_date=dt.date(2026, 1, 1), threads=1
    )
    inc = RollupEngine(INDICATORS, **kw)
    inc.build(vals)
    deltas = [("pupils", 2, schools[0], Y1, 5.0), ("classes", 0, schools[3], Y1, -1.0)]
    inc.apply_deltas(deltas)
    changed = []
    for el, c, u, p, v in vals:
        for del_el, del_c, del_u, del_p, d in deltas:
            if (el, c, u, p) == (del_el, del_c, del_u, del_p):
                v += d
        changed.append((el, c, u, p, v))
    full = RollupEngine(INDICATORS, **kw)
    full.build(changed)
    for mode in (MODE_AS_OF, MODE_CURRENT):
        np.testing.assert_allclose(inc.export(mode)["value"], full.export(mode)["value"])


def test_values_from_parquet_and_element_ids(tmp_path):
    import duckdb

    ids = {"pupils": 11, "classes": 12, "pop_6": 13, "pop_6_grade1": 14}
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE v (element_id INT, combo INT, unit_id INT, period VARCHAR, value DOUBLE)"
    )
    con.executemany("INSERT INTO v VALUES (?, ?, ?, ?, ?)", [(ids[r[0]], *r[1:]) for r in values()])
    path = tmp_path / "values.parquet"
    con.execute(f"COPY v TO '{path}' (FORMAT parquet)")
    e = engine(str(path), element_ids=ids)
    assert val(e, DIST, Y1, "female_share", MODE_AS_OF).value == pytest.approx(100 * 48 / 180)
    e.update_unit(S1, Y1, [(11, 1, 11.0), (11, 2, 9.0), (12, 0, 1.0)])
    assert val(e, N1, Y1, "pupils", MODE_CURRENT).value == 110
