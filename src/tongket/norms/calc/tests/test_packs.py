"""Norm packs: loading, choosing the rule set in force, and errors that name file and key."""

import datetime as dt
import shutil

import pytest

from tongket.norms.calc import packs
from tongket.norms.calc.packs import (
    PackError,
    certificate_dates,
    load_pcgd,
    load_quality,
    load_staffing,
)


def test_staffing_rule_set_switches_on_16_12_2023():
    pack = load_staffing()
    assert pack.rule_set("general", dt.date(2023, 12, 15)).id == "tt16_2017"
    assert pack.rule_set("general", dt.date(2023, 12, 16)).id == "tt20_2023"
    assert pack.rule_set("preschool", dt.date(2023, 12, 15)).id == "ttlt06_2015"
    assert pack.rule_set("preschool", dt.date(2023, 12, 16)).id == "tt19_2023"


def test_every_rule_set_names_its_source_and_dates():
    for pack in (load_staffing(), load_pcgd(), load_quality()):
        for rs in pack.rule_sets:
            assert rs.source and rs.valid_from
    tt20 = load_staffing().rule_set("general", dt.date(2024, 1, 1))
    assert not tt20.levels["thpt"].confirmed  # TT 20/2023 THPT figure is unconfirmed
    assert tt20.levels["tieu_hoc"].leftover.per_teacher == {1: 12, 2: 15, 3: 17}
    assert (
        load_staffing().rule_set("general", dt.date(2020, 1, 1)).levels["tieu_hoc"].leftover is None
    )


def test_no_rule_set_before_the_first_norm():
    with pytest.raises(
        PackError, match=r"staffing.yaml: no staffing \(general\) rule set in force on 2010-01-01"
    ):
        load_staffing().rule_set("general", dt.date(2010, 1, 1))


def test_pcgd_pack_thresholds():
    rs = load_pcgd().for_survey_year(2024)
    th = rs.standards["pcgd_th"]
    assert [c.min for c in th.levels[1].criteria] == [95, 80]
    assert th.levels[1].criteria[1].min_difficult == 70
    assert rs.units_needed["pcgd_thcs"] == {1: 90, 2: 95, 3: 100}
    assert rs.standards["pcgd_thcs"].levels[0].requires == (("pcgd_th", 1), ("xmc", 1))


def _copy_packs(tmp_path):
    for name in ("pcgd.yaml", "staffing.yaml", "quality.yaml"):
        shutil.copy(packs.packs_dir() / name, tmp_path / name)
    return tmp_path


def test_error_names_file_and_key(tmp_path):
    d = _copy_packs(tmp_path)
    text = (d / "pcgd.yaml").read_text(encoding="utf-8")
    (d / "pcgd.yaml").write_text(
        text.replace("{rate: th_grade1_age6, min: 95}", "{rate: th_grade1_age6, min: lots}"),
        encoding="utf-8",
    )
    with pytest.raises(PackError) as err:
        load_pcgd(d)
    assert "pcgd.yaml: rule_sets[0].standards.pcgd_th.levels.2.criteria[0].min" in str(err.value)


def test_error_unknown_rate_and_missing_key(tmp_path):
    d = _copy_packs(tmp_path)
    text = (d / "pcgd.yaml").read_text(encoding="utf-8")
    (d / "pcgd.yaml").write_text(
        text.replace("{rate: mn5_attending,", "{rate: mn5_typo,"), encoding="utf-8"
    )
    with pytest.raises(
        PackError,
        match=r"pcgd.yaml: .*pcgd_mn5.levels.1.criteria\[0\].rate: unknown rate 'mn5_typo'",
    ):
        load_pcgd(d)
    text = (d / "staffing.yaml").read_text(encoding="utf-8")
    (d / "staffing.yaml").write_text(
        text.replace(
            "    valid_from: 2023-12-16\n    valid_to: null\n    levels:\n      tieu_hoc",
            "    valid_to: null\n    levels:\n      tieu_hoc",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        PackError, match=r"staffing.yaml: rule_sets\[1\].valid_from: missing required key"
    ):
        load_staffing(d)


def test_overlapping_rule_sets_rejected(tmp_path):
    d = _copy_packs(tmp_path)
    text = (d / "staffing.yaml").read_text(encoding="utf-8")
    (d / "staffing.yaml").write_text(
        text.replace("valid_to: 2023-12-15", "valid_to: 2024-06-30", 1), encoding="utf-8"
    )
    with pytest.raises(PackError, match="tt16_2017 and tt20_2023 overlap"):
        load_staffing(d)


def test_certificate_valid_five_years_renew_five_months_before():
    dates = certificate_dates("tieu_hoc", dt.date(2020, 10, 15))
    assert dates["expires"] == dt.date(2025, 10, 14)
    assert dates["renew_by"] == dt.date(2025, 5, 14)
    assert "17/2018" in dates["source"]
    assert "18/2018" in certificate_dates("thcs", dt.date(2020, 1, 1))["source"]
