"""Targets: constraints, who may set them, inheritance down the tree, Excel/YAML import,
verdicts and Vietnamese formatting."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from tongket.analytics import actions, queries
from tongket.analytics.fmt import format_signed, format_target, format_value
from tongket.analytics.models import Target
from tongket.catalog.models import Indicator
from tongket.core import definitions
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user

from .helpers import province, put

pytestmark = pytest.mark.django_db
P = "2025-2026"
SRC = "Kế hoạch năm học 2025-2026"


def test_model_constraints_speak_vietnamese():
    ind = Indicator.objects.get(code="mobilisation_th")
    for kw, words in (
        ({"value": 90, "low": 80, "high": 95}, "không nhập cả hai"),
        ({}, "không bỏ trống"),
        ({"low": 95, "high": 80}, "Cận dưới"),
    ):
        t = Target(indicator=ind, unit=province(), period=P, source=SRC, **kw)
        with pytest.raises(ValidationError) as exc:
            t.full_clean()
        assert words in " ".join(exc.value.messages)


def test_who_may_set_targets():
    c = commune("03127")
    school = make_school(c).unit
    actions.set_target(
        make_user(Role.PROVINCE, province()), "mobilisation_th", c, P, value=90, source=SRC
    )
    actions.set_target(
        make_user(Role.COMMUNE, c), "mobilisation_th", school, P, value=91, source=SRC
    )
    for user, unit in (
        (make_user(Role.SCHOOL, school), school),  # schools do not set targets
        (make_user(Role.LEADER, province()), c),  # leaders read only
        (make_user(Role.COMMUNE, commune("03151")), school),  # another commune's school
    ):
        with pytest.raises(PermissionDenied):
            actions.set_target(user, "mobilisation_th", unit, P, value=80, source=SRC)
    with pytest.raises(actions.TargetError, match="0 đến 100"):
        actions.set_target(None, "mobilisation_th", c, P, value=120, source=SRC)
    with pytest.raises(actions.TargetError, match="văn bản"):
        actions.set_target(None, "mobilisation_th", c, P, value=90, source=" ")


def test_targets_are_inherited_from_the_nearest_ancestor_as_of_the_period():
    c = commune("03127")
    school, other = make_school(c).unit, make_school(c).unit
    actions.set_target(None, "mobilisation_th", province(), P, low=60, high=65, source="Nghị quyết")
    actions.set_target(None, "mobilisation_th", c, P, value=97.5, source=SRC)
    actions.set_target(None, "mobilisation_th", other, P, value=99, source=SRC)
    got = queries.targets_for([school.pk, other.pk, c.pk], P, ["mobilisation_th"])
    assert got[(school.pk, "mobilisation_th")].target.value == 97.5
    assert got[(school.pk, "mobilisation_th")].inherited_from == c
    assert got[(other.pk, "mobilisation_th")].inherited_from is None
    assert got[(c.pk, "mobilisation_th")].inherited_from is None
    sibling = commune("03151")
    r = queries.targets_for([sibling.pk], P)[(sibling.pk, "mobilisation_th")]
    assert r.inherited_from == province() and r.text == "60,0–65,0%"
    assert not queries.targets_for([sibling.pk], "2024-2025")  # another period: no target


def test_plan_rows_give_value_target_gap_verdict_change_and_rank():
    c = commune("03127")
    a, b = make_school(c).unit, make_school(c).unit
    for s, d, n in ((a, 1, 200), (b, 6, 200)):
        put(s, P, "dropouts", "level=TH", d)
        put(s, P, "pupils", "level=TH", n)
        put(s, "2024-2025", "dropouts", "level=TH", 2)
        put(s, "2024-2025", "pupils", "level=TH", 200)
    actions.set_target(None, "dropout_th", c, P, value=1.0, source=SRC)
    rows = {
        r.unit.pk: r
        for r in [
            *queries.plan_rows(a, P, indicators=["dropout_th"]),
            *queries.plan_rows(b, P, indicators=["dropout_th"]),
        ]
    }
    ra, rb = rows[a.pk], rows[b.pk]
    assert (ra.value, ra.verdict, ra.rank, ra.siblings) == (0.5, "vượt", 1, 2)  # lower is better
    assert (rb.value, rb.verdict, rb.rank) == (3.0, "chưa đạt", 2)
    # dropout rates show two decimals on every surface (the catalog's `decimals`)
    assert ra.value_text == "0,50%" and rb.gap_text == "+2,00 điểm %"
    assert ra.change_year_text == "−0,50 điểm %"
    mob = Indicator.objects.get(code="mobilisation_th")
    assert mob.direction == "up"


def test_vietnamese_formatting():
    assert format_value(51.6, "percent") == "51,6%"
    assert format_value(159493, "count") == "159.493"
    assert format_signed(1.1, "percent") == "+1,1 điểm %"
    assert format_target((60, 65), "percent") == "60,0–65,0%"
    assert format_value(None, "count") == "–"


def _xlsx(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã chỉ số", "Mã đơn vị", "Kỳ", "Chỉ tiêu", "Từ", "Đến", "Văn bản"])
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_import_reports_problems_by_row_then_commits_all_or_nothing():
    data = _xlsx(
        [
            ("mobilisation_th", "11", "2025-2026", "98,5", None, None, SRC),
            ("national_standard_rate", "11", "2025-2026", None, 60, 65, "Nghị quyết"),
            ("khong_co", "11", "2025-2026", 1, None, None, SRC),
            ("mobilisation_th", "99999", "2025-2026", 1, None, None, SRC),
            ("dropout_th", "11", "2025-2026", 1, 0, 2, SRC),
            ("dropout_th", "11", "năm ngoái", 1, None, None, SRC),
        ]
    )
    rows = actions.read_xlsx(data)
    report = actions.import_targets(None, rows, commit=True)
    msgs = [p.message for p in report.problems]
    assert [m.split(":")[0] for m in msgs] == ["Dòng 4", "Dòng 5", "Dòng 6", "Dòng 7"]
    assert "khong_co" in msgs[0] and "99999" in msgs[1] and "cả hai" in msgs[2]
    assert not report.committed and not Target.objects.exists()  # nothing half-saved
    good = actions.read_xlsx(
        _xlsx(
            [
                ("mobilisation_th", "11", "2025-2026", "98,5", None, None, SRC),
                ("national_standard_rate", "11", "2025-2026", None, 60, 65, "Nghị quyết"),
            ]
        )
    )
    dry = actions.import_targets(None, good, commit=False)
    assert dry.ok == 2 and not dry.problems and not Target.objects.exists()
    done = actions.import_targets(None, good, commit=True)
    assert done.committed and done.created == 2
    t = Target.objects.get(indicator__code="mobilisation_th")
    assert (t.value, t.unit, t.period) == (98.5, province(), P)


def test_yaml_import_and_scope_of_the_importing_user():
    text = f"""
source: "Nghị quyết Đại hội Đảng bộ tỉnh 2020-2025"
period: {P}
targets:
  - {{indicator: national_standard_rate, unit: "11", low: 60, high: 65}}
  - {{indicator: mobilisation_th, unit: "03127", value: 99, source: "{SRC}"}}
"""
    rows = actions.read_yaml(text)
    officer = make_user(Role.COMMUNE, commune("03127"))
    report = actions.import_targets(officer, rows, commit=True)
    assert [p.row for p in report.problems] == [1]  # the province is outside the commune's scope
    report = actions.import_targets(make_user(Role.PROVINCE, province()), rows, commit=True)
    assert report.committed and Target.objects.count() == 2
    with pytest.raises(actions.TargetError):
        actions.read_yaml("targets: 3")


def test_demo_targets_are_idempotent():
    n = actions.demo_targets("11")
    assert n > 20 and Target.objects.count() == n
    assert actions.demo_targets("11") == n and Target.objects.count() == n
    assert definitions.reference_date("2024-2025").isoformat() == "2024-09-30"
