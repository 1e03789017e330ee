"""How a school counts and where national-standard schools come from (core.definitions),
through the engine and the data-quality cross-check."""

from __future__ import annotations

import datetime as dt

import pytest

from tongket.analytics import quality, service
from tongket.analytics.tests.helpers import put
from tongket.core.testing.factories import commune, make_school
from tongket.norms.actions import do_save_certificate

pytestmark = pytest.mark.django_db
P = "2025-2026"  # the school is created under a current commune (after 1/7/2025)


@pytest.fixture
def schools():
    service.reset()
    home = commune("03127")
    both = make_school(home, levels=("TH", "THCS")).unit  # liên cấp
    primary = make_school(home, levels=("TH",)).unit
    for unit, levels in ((both, ("TH", "THCS")), (primary, ("TH",))):
        for lv in levels:
            put(unit, P, "schools", f"level={lv}", 1)
            put(unit, P, "pupils", f"level={lv}", 300)
    # the liên cấp school reports level 1 on both of its forms; the register has nothing yet
    put(both, P, "school_std", "level=TH;std_level=1", 1)
    put(both, P, "school_std", "level=THCS;std_level=1", 1)
    yield home, both, primary
    service.reset()


def test_a_liên_cấp_school_counts_once_and_in_each_level(schools):
    home, both, primary = schools
    v = service.get().values([home.pk], P, indicators=None)
    got = {
        code: v[(home.pk, code)].value
        for code in ("total_schools", "schools_th", "schools_thcs", "schools_lien_cap")
    }
    assert got == {"total_schools": 2, "schools_th": 2, "schools_thcs": 1, "schools_lien_cap": 1}


def test_national_standard_schools_come_from_the_register_on_its_date(schools):
    home, both, primary = schools
    rate = service.get().value(home.pk, P, "national_standard_rate")
    assert (rate.numerator, rate.denominator) == (0, 2)  # the forms' "level 1" is not a fact
    on, mismatch = quality.standard_cross_check(home, P)
    assert on == dt.date(2026, 5, 31)
    assert [(m.unit.pk, m.forms_level, m.register_level) for m in mismatch] == [(both.pk, 1, 0)]

    # decided after the register date: still not counted for 2024-2025
    late = do_save_certificate(
        None,
        school=both,
        kind="national_standard",
        level=1,
        decision_number="9/QĐ-UBND",
        decision_date=dt.date(2026, 6, 15),
    )
    service.reset()
    assert service.get().value(home.pk, P, "national_standard_rate").numerator == 0
    late.decision_date = dt.date(2025, 3, 1)
    late.save()
    service.reset()
    rate = service.get().value(home.pk, P, "national_standard_rate")
    assert (rate.numerator, rate.denominator, rate.value) == (1, 2, 50.0)
    assert quality.standard_cross_check(home, P)[1] == []
