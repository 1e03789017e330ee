"""Plan vs actual verdicts, change, ranking, MAD outliers and year-on-year jumps."""

from __future__ import annotations

import pytest

from tongket.analytics.engine.targets import (
    CHUA_DAT,
    DAT,
    VUOT,
    change,
    compare_to_target,
    mad_outliers,
    modified_z_scores,
    rank_values,
    yoy_jumps,
)


def test_scalar_target_higher_is_better():
    # "đạt 51,6% (vượt 1,1% kế hoạch)"
    c = compare_to_target(51.6, 50.5)
    assert c.verdict == VUOT and c.gap == pytest.approx(1.1)
    assert compare_to_target(50.5, 50.5).verdict == DAT
    assert compare_to_target(49.0, 50.5).verdict == CHUA_DAT
    # within tolerance of the plan: met, neither exceeded nor missed
    assert compare_to_target(50.45, 50.5, tolerance=0.1).verdict == DAT
    assert compare_to_target(50.55, 50.5, tolerance=0.1).verdict == DAT
    assert compare_to_target(50.7, 50.5, tolerance=0.1).verdict == VUOT
    assert compare_to_target(120, 100).percent_of_target == pytest.approx(120)


def test_lower_is_better():
    # dropout rate: 0.8% against a ceiling of 1%
    assert compare_to_target(0.8, 1.0, higher_is_better=False).verdict == VUOT
    assert compare_to_target(1.0, 1.0, higher_is_better=False).verdict == DAT
    c = compare_to_target(1.3, 1.0, higher_is_better=False)
    assert c.verdict == CHUA_DAT and c.gap == pytest.approx(0.3)


def test_range_target():
    # "202/337 trường, tỷ lệ 59,94%, ước đạt chỉ tiêu Nghị quyết (60–65%)"
    assert compare_to_target(59.94, (60, 65)).verdict == CHUA_DAT
    assert compare_to_target(59.94, (60, 65), tolerance=0.1).verdict == DAT
    assert compare_to_target(62, (60, 65)).gap == 0
    c = compare_to_target(66, (60, 65))
    assert c.verdict == VUOT and c.gap == pytest.approx(1)
    assert compare_to_target(58, (60, 65), higher_is_better=False).verdict == VUOT
    assert compare_to_target(66, (60, 65), higher_is_better=False).verdict == CHUA_DAT
    with pytest.raises(ValueError, match="reversed"):
        compare_to_target(1, (5, 2))


def test_missing_value_has_no_verdict():
    assert compare_to_target(None, 10).verdict is None
    assert compare_to_target(float("nan"), 10).verdict is None


def test_change_and_rank():
    assert change(110, 100).percent == pytest.approx(10)
    assert change(5, 0).percent is None and change(5, 0).absolute == 5
    assert change(None, 3).absolute is None
    ranks = rank_values({"a": 90, "b": 95, "c": 90, "d": None, "e": 70})
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}
    assert rank_values({"a": 1.0, "b": 2.0}, higher_is_better=False) == {"a": 1, "b": 2}


def test_mad_outliers_catch_a_typo_that_mean_and_sd_would_hide():
    pupils_per_class = {f"s{i}": v for i, v in enumerate([30, 31, 29, 32, 30, 28, 33, 31, 30])}
    pupils_per_class["typo"] = 310  # 31 typed with a stray 0
    out = mad_outliers(pupils_per_class)
    assert [o.key for o in out] == ["typo"]
    assert out[0].z > 3.5 and out[0].median == pytest.approx(30.5)
    # the z-score by mean and standard deviation stays under 3.5 for the same data:
    # the outlier inflates the deviation that should expose it
    import statistics

    mean, sd = (
        statistics.mean(pupils_per_class.values()),
        statistics.pstdev(pupils_per_class.values()),
    )
    assert (310 - mean) / sd < 3.5


def test_mad_zero_falls_back_to_mean_absolute_deviation():
    vals = {i: 10.0 for i in range(8)}
    vals[8] = 40.0
    z = modified_z_scores(vals)
    assert z[8] > 3.5 and z[0] == 0
    assert mad_outliers({i: 5.0 for i in range(5)}) == []
    assert mad_outliers({"a": 1.0, "b": 1000.0}) == []  # too few peers to call anyone odd


def test_yoy_jumps():
    prev = {f"s{i}": 100.0 for i in range(10)} | {"tiny": 2.0, "new": 0.0}
    cur = {f"s{i}": 100.0 + i for i in range(10)} | {"tiny": 5.0, "new": 40.0}
    cur["s3"] = 230.0  # more than doubled
    cur["s4"] = 160.0  # +60% while peers moved 0–9%
    jumps = {j.key: j.reason for j in yoy_jumps(cur, prev)}
    assert jumps == {"s3": "ratio", "s4": "peers", "new": "ratio"}  # "tiny" moved by 3 only
