"""The demo province is consistent by construction except for its documented faults."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from tongket.collection.models import DataValue, ReportingRound, Submission
from tongket.demo.build import build_demo
from tongket.units import queries
from tongket.units.models import OrgUnit, UnitKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    return build_demo("11", seed=7, max_communes=6)


def _values(unit, period, element):
    return {
        v.combo: v.value
        for v in DataValue.objects.filter(unit=unit, period=period, element__code=element)
    }


def test_schools_sit_in_both_trees(demo):
    province = demo.province
    before = queries.schools_under(province, dt.date(2024, 10, 1)).count()
    after = queries.schools_under(province, dt.date(2025, 10, 1)).count()
    assert before == after == demo.schools > 6
    school = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, code__startswith="DM11").first()
    assert [u.kind for u in queries.ancestors(school, dt.date(2024, 10, 1))][-2:] == [
        "district",
        "commune",
    ]
    assert queries.ancestors(school, dt.date(2025, 10, 1))[-1].kind == "commune"


def test_three_years_of_data_and_totals_add_up(demo):
    schools = OrgUnit.objects.filter(
        kind=UnitKind.SCHOOL, code__startswith="DM11", school__levels=["TH"]
    )
    checked = 0
    for school in schools[:5]:
        for period in ("2023-2024", "2024-2025", "2025-2026"):
            pupils = _values(school, period, "pupils")
            grades = sum(
                v for k, v in pupils.items() if k.startswith("grade=") and k.count(";") == 1
            )
            assert pupils["level=TH"] == grades
            checked += 1
    assert checked > 0


def test_deterministic_for_a_seed():
    first = build_demo("11", seed=3, max_communes=3)
    counts = (first.schools, first.values)
    again = build_demo("11", seed=3, max_communes=3)
    assert (again.schools, again.values) == counts


def test_current_round_has_missing_schools_and_users_exist(demo):
    current = ReportingRound.objects.filter(period="2026-2027", status="open")
    assert current.exists()
    schools = OrgUnit.objects.filter(kind=UnitKind.SCHOOL, code__startswith="DM11")
    expected = sum(len(s.school.levels) for s in schools)  # one start-of-year form per level
    got = Submission.objects.filter(round__in=current).count()
    assert got < expected  # some schools have not reported yet
    assert {u for u, _, _ in demo.users} >= {"admin", "so11", "xa11", "truong11", "lanhdao11"}


def test_unknown_province_is_a_clear_command_error():
    with pytest.raises(CommandError, match="mã '99'"):
        call_command("demo", "--province", "99")


def test_every_demo_login_finds_work(demo):
    """truong11 has an open form still to fill; xa11 has reports to approve; so11 has
    reports past the commune and a round behind schedule with its late units."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tongket.collection.queries import due_for_unit
    from tongket.collection.review import review_queue
    from tongket.core.home import desk

    users = {u.username: u for u in get_user_model().objects.all()}
    today = timezone.localdate()
    school = users["truong11"].profile.unit
    due = due_for_unit(school, today)
    assert due and any(sub is None for _, sub in due)  # something to fill
    assert len(review_queue(users["xa11"]).items) >= 2
    assert all(i.label == "Chờ xã duyệt" for i in review_queue(users["xa11"]).items)
    so_queue = review_queue(users["so11"]).items
    assert so_queue and all(i.label == "Chờ Sở duyệt" for i in so_queue)
    late = desk(users["so11"], today)["late"]
    assert late and all(r.behind > 0 and r.names for r in late)
    assert desk(users["truong11"], today)["todo"]


def test_demo_on_a_database_never_migrated_migrates_it(tmp_path):
    """The newcomer's first command: a fresh SQLite file, no `migrate` before."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "TONGKET_DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    out = subprocess.run(
        [sys.executable, "-m", "tongket.cli", "demo", "--communes", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert "đang chạy `tongket migrate`" in out.stdout and "truong11" in out.stdout
