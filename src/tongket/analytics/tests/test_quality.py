"""Data quality: the outlier school among its peers, the ×3 jump, reports never approved."""

from __future__ import annotations

import pytest

from tongket.analytics import quality
from tongket.collection import actions as ca
from tongket.collection.tests.factories import good_values, open_th_round
from tongket.core.testing.factories import commune, make_school

from .helpers import put

pytestmark = pytest.mark.django_db
P, PREV = "2025-2026", "2024-2025"


def _assess(school, period, htt, ht, cht=2):
    for g in range(1, 6):
        put(school, period, "assess_th", f"grade={g};level=TH;result=htt", htt)
        put(school, period, "assess_th", f"grade={g};level=TH;result=ht", ht)
        put(school, period, "assess_th", f"grade={g};level=TH;result=cht", cht)


def test_the_outlier_school_and_the_jump_are_found_and_ordinary_ones_are_not():
    c = commune("03127")
    schools = [make_school(c).unit for _ in range(8)]
    mn = make_school(c, levels=("MN",)).unit  # another level: never a peer of primary schools
    for i, s in enumerate(schools):
        _assess(s, P, 10 + i % 3, 18 - i % 3)
        put(s, P, "pupils", "level=TH", 150 + 5 * i)
        put(s, PREV, "pupils", "level=TH", 148 + 5 * i)
    outlier, jumper = schools[0], schools[1]
    put(mn, P, "children", "level=MN", 80)
    put(mn, PREV, "children", "level=MN", 78)
    # the outlier: 27 of 30 pupils per grade 'Hoàn thành tốt' where peers have ~11 of 30
    from tongket.collection.models import DataValue

    DataValue.objects.filter(
        unit=outlier, element__code="assess_th", combo__endswith="result=htt"
    ).update(value=27)
    DataValue.objects.filter(
        unit=outlier, element__code="assess_th", combo__endswith="result=ht"
    ).update(value=1)
    DataValue.objects.filter(unit=jumper, period=P, element__code="pupils").update(value=465)
    found = quality.outliers(c, P)
    htt = [o for o in found if o.check == "qc_htt_share_th"]
    assert [o.unit for o in htt] == [outlier]
    assert htt[0].peers == 8 and htt[0].z > 3.5
    jumps = quality.jumps(c, P)
    assert [(j.unit, j.previous, j.current) for j in jumps] == [(jumper, 153.0, 465.0)]


def test_reports_never_approved_are_listed(django_capture_on_commit_callbacks):
    rnd, school, officer, staff = open_th_round(P)
    sub = ca.access_submission(staff, rnd, school.pk, write=True)
    sub = ca.do_save_values(staff, sub, good_values(), expected_version=sub.version)
    sub = ca.do_submit(staff, sub, expected_version=sub.version)
    rows = quality.unapproved(commune("03127"), P)
    assert [(s.unit_id, s.status) for s in rows] == [(school.pk, "submitted")]
    ca.do_approve(officer, sub)
    assert quality.unapproved(commune("03127"), P) == []
