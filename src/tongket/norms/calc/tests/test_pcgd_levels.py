"""PCGD–XMC commune levels at each legal threshold (NĐ 20/2014, TT 07/2016), and the roll-up.

Counts are given directly (numerator, denominator) so every case sits exactly on, or one person
below, a threshold of the decree, in normal and in difficult (ĐBKK) communes.
"""

import pytest

from tongket.norms.calc.packs import load_pcgd
from tongket.norms.calc.pcgd import commune_levels, roll_up

RS = load_pcgd().for_survey_year(2024)
PERFECT = {name: (100, 100) for name in RS.rates}


def _levels(difficult=False, **rates):
    counts = dict(PERFECT)
    counts.update({k: (v, 100) for k, v in rates.items()})
    return commune_levels(RS, counts, difficult)


# (rate, value out of 100, difficult, standard, expected level)
CASES = [
    # PCGD MN 5 tuổi: attending ≥95 [90], completed ≥85 [80]
    ("mn5_attending", 95, False, "pcgd_mn5", 1),
    ("mn5_attending", 94, False, "pcgd_mn5", 0),
    ("mn5_attending", 90, True, "pcgd_mn5", 1),
    ("mn5_attending", 89, True, "pcgd_mn5", 0),
    ("mn5_completed", 85, False, "pcgd_mn5", 1),
    ("mn5_completed", 84, False, "pcgd_mn5", 0),
    ("mn5_completed", 80, True, "pcgd_mn5", 1),
    ("mn5_completed", 79, True, "pcgd_mn5", 0),
    # PCGD TH: grade-1 entry 90 / 95 / 98 (same in ĐBKK)
    ("th_grade1_age6", 90, False, "pcgd_th", 1),
    ("th_grade1_age6", 89, False, "pcgd_th", 0),
    ("th_grade1_age6", 95, False, "pcgd_th", 2),
    ("th_grade1_age6", 94, False, "pcgd_th", 1),
    ("th_grade1_age6", 98, False, "pcgd_th", 3),
    ("th_grade1_age6", 97, False, "pcgd_th", 2),
    ("th_grade1_age6", 97, True, "pcgd_th", 2),
    # 14-year-olds completed primary ≥80 [70] (mức 1 only)
    ("th_completed_age14", 80, False, "pcgd_th", 3),
    ("th_completed_age14", 79, False, "pcgd_th", 0),
    ("th_completed_age14", 70, True, "pcgd_th", 3),
    ("th_completed_age14", 69, True, "pcgd_th", 0),
    # 11-year-olds completed primary ≥80 [70] for mức 2, ≥90 [80] for mức 3
    ("th_completed_age11", 80, False, "pcgd_th", 2),
    ("th_completed_age11", 79, False, "pcgd_th", 1),
    ("th_completed_age11", 90, False, "pcgd_th", 3),
    ("th_completed_age11", 89, False, "pcgd_th", 2),
    ("th_completed_age11", 70, True, "pcgd_th", 2),
    ("th_completed_age11", 69, True, "pcgd_th", 1),
    ("th_completed_age11", 80, True, "pcgd_th", 3),
    ("th_completed_age11", 79, True, "pcgd_th", 2),
    # THCS: diploma 15–18 ≥80/90/95 [70/80/90]; upper track ≥80 [70] for mức 3
    ("thcs_diploma_15_18", 80, False, "pcgd_thcs", 1),
    ("thcs_diploma_15_18", 79, False, "pcgd_thcs", 0),
    ("thcs_diploma_15_18", 90, False, "pcgd_thcs", 2),
    ("thcs_diploma_15_18", 89, False, "pcgd_thcs", 1),
    ("thcs_diploma_15_18", 95, False, "pcgd_thcs", 3),
    ("thcs_diploma_15_18", 94, False, "pcgd_thcs", 2),
    ("thcs_diploma_15_18", 70, True, "pcgd_thcs", 1),
    ("thcs_diploma_15_18", 69, True, "pcgd_thcs", 0),
    ("thcs_diploma_15_18", 80, True, "pcgd_thcs", 2),
    ("thcs_diploma_15_18", 79, True, "pcgd_thcs", 1),
    ("thcs_diploma_15_18", 90, True, "pcgd_thcs", 3),
    ("thcs_diploma_15_18", 89, True, "pcgd_thcs", 2),
    ("thcs_upper_track_15_18", 80, False, "pcgd_thcs", 3),
    ("thcs_upper_track_15_18", 79, False, "pcgd_thcs", 2),
    ("thcs_upper_track_15_18", 70, True, "pcgd_thcs", 3),
    ("thcs_upper_track_15_18", 69, True, "pcgd_thcs", 2),
    # XMC: level 1 aged 15–35 ≥90 (ĐBKK: 15–25), level 2 aged 15–60 ≥90 (ĐBKK: 15–35)
    ("xmc_l1_15_35", 90, False, "xmc", 2),
    ("xmc_l1_15_35", 89, False, "xmc", 0),
    ("xmc_l1_15_25", 90, True, "xmc", 2),
    ("xmc_l1_15_25", 89, True, "xmc", 0),
    ("xmc_l2_15_60", 90, False, "xmc", 2),
    ("xmc_l2_15_60", 89, False, "xmc", 1),
    ("xmc_l2_15_35", 90, True, "xmc", 2),
    ("xmc_l2_15_35", 89, True, "xmc", 1),
]


@pytest.mark.parametrize(("rate", "value", "difficult", "standard", "expected"), CASES)
def test_threshold(rate, value, difficult, standard, expected):
    levels, failures = _levels(difficult, **{rate: value})
    assert levels[standard] == expected
    if expected < RS.standards[standard].max_level:
        mine = [f for f in failures if f["standard"] == standard]
        assert mine and all(f["level"] == expected + 1 for f in mine)


def test_difficult_band_is_ignored_in_a_normal_commune():
    # A normal commune is judged on 15–35 even when its 15–25 band is perfect.
    assert _levels(False, xmc_l1_15_35=50)[0]["xmc"] == 0
    assert _levels(True, xmc_l1_15_35=50)[0]["xmc"] == 2


def test_failure_short_by_people_exact():
    counts = dict(PERFECT, mn5_attending=(35, 37))  # 95% of 37 = 35.15 -> 36 needed
    levels, failures = commune_levels(RS, counts, False)
    assert levels["pcgd_mn5"] == 0
    assert failures == [
        {"standard": "pcgd_mn5", "level": 1, "criterion": "mn5_attending",
         "rate": round(35 / 37, 6), "threshold": 0.95, "short_by_people": 1}
    ]  # fmt: skip


def test_zero_denominator_is_met():
    counts = dict(PERFECT, mn5_attending=(0, 0))
    assert commune_levels(RS, counts, False)[0]["pcgd_mn5"] == 1


def test_thcs_needs_th_and_xmc_level_1():
    levels, failures = _levels(False, th_completed_age14=50, xmc_l1_15_35=50)
    assert levels["pcgd_th"] == 0 and levels["xmc"] == 0 and levels["pcgd_thcs"] == 0
    criteria = {f["criterion"] for f in failures if f["standard"] == "pcgd_thcs"}
    assert criteria == {"requires pcgd_th level 1", "requires xmc level 1"}
    # TH mức 1 + XMC mức 1 is enough for THCS mức 1 when the diploma rate is there.
    levels, _ = _levels(False, th_grade1_age6=90, xmc_l2_15_60=50, thcs_diploma_15_18=80)
    assert (levels["pcgd_th"], levels["xmc"], levels["pcgd_thcs"]) == (1, 1, 1)


def _lv(th=3, thcs=3, mn5=1, xmc=2):
    return {"pcgd_mn5": mn5, "pcgd_th": th, "pcgd_thcs": thcs, "xmc": xmc}


def test_province_share_rule_90_percent():
    communes = {f"{i:05d}": _lv() for i in range(10)}
    prov = {c: "96" for c in communes}
    communes["00000"] = _lv(mn5=0, th=0, thcs=0, xmc=0)  # 9/10 = 90% still meets 90%
    assert roll_up(RS, communes, prov)["96"]["levels"]["pcgd_mn5"] == 1
    assert roll_up(RS, communes, prov)["96"]["levels"]["pcgd_th"] == 3
    communes["00001"] = _lv(mn5=0)  # 8/10
    assert roll_up(RS, communes, prov)["96"]["levels"]["pcgd_mn5"] == 0


def test_province_thcs_needs_95_then_100_percent():
    communes = {f"{i:05d}": _lv() for i in range(20)}
    prov = {c: "01" for c in communes}
    assert roll_up(RS, communes, prov)["01"]["levels"]["pcgd_thcs"] == 3
    communes["00000"] = _lv(thcs=2)  # 19/20 at mức 3 = 95% < 100%; all at ≥2
    assert roll_up(RS, communes, prov)["01"]["levels"]["pcgd_thcs"] == 2
    communes["00001"] = _lv(thcs=1)  # 19/20 at ≥2 = 95%: still mức 2
    assert roll_up(RS, communes, prov)["01"]["levels"]["pcgd_thcs"] == 2
    communes["00002"] = _lv(thcs=1)  # 18/20 at ≥2 = 90% < 95%
    assert roll_up(RS, communes, prov)["01"]["levels"]["pcgd_thcs"] == 1


def test_province_via_legacy_districts():
    # District A: 10 communes all mức 1; district B: 10 communes, 8 at mức 1 (80% < 90%).
    communes = {f"A{i}": _lv() for i in range(10)} | {
        f"B{i}": _lv(mn5=int(i < 8)) for i in range(10)
    }
    prov = dict.fromkeys(communes, "11")
    district = {c: c[0] for c in communes}
    # Over communes 18/20 = 90% meets; over districts 1/2 = 50% does not.
    assert roll_up(RS, communes, prov)["11"]["levels"]["pcgd_mn5"] == 1
    assert roll_up(RS, communes, prov, district)["11"]["levels"]["pcgd_mn5"] == 0
