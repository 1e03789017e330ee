"""The real tree, both sides of 1 July 2025, loaded by the session fixture."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from tongket.core.testing.factories import commune, make_school
from tongket.units import actions, queries
from tongket.units.models import OrgUnit, UnitKind, UnitParent

pytestmark = pytest.mark.django_db
BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


def test_current_tree_counts():
    stats = queries.tree_stats(dt.date(2025, 9, 1))
    assert stats["province"] == 34
    assert stats["commune"] == 3321
    assert stats["district"] == 0


def test_legacy_tree_counts():
    stats = queries.tree_stats(dt.date(2024, 9, 1))
    assert stats["province"] == 63
    assert stats["district"] == 696
    assert 10_000 <= stats["commune"] <= 10_100


def test_province_children_change_across_reform():
    dien_bien = queries.unit_by_code(UnitKind.PROVINCE, "11")
    before = {u.kind for u in queries.children(dien_bien, BEFORE)}
    after = {u.kind for u in queries.children(dien_bien, AFTER)}
    assert before == {UnitKind.DISTRICT}
    assert after == {UnitKind.COMMUNE}
    assert queries.descendants(dien_bien, AFTER, kind=UnitKind.COMMUNE).count() == 45


@pytest.mark.parametrize(
    ("old_province", "new_province"),
    [("02", "08"), ("10", "15"), ("35", "37"), ("93", "92"), ("77", "79")],
)
def test_legacy_province_becomes_merged_province(old_province, new_province):
    old = queries.unit_by_code(UnitKind.PROVINCE, old_province, BEFORE)
    assert old.valid_to == BEFORE
    became = queries.successors(old)
    assert [u.code for u, _ in became] == [new_province]
    assert old in queries.predecessors(became[0][0])


def test_surviving_province_is_one_unit_across_trees():
    before = queries.unit_by_code(UnitKind.PROVINCE, "11", BEFORE)
    after = queries.unit_by_code(UnitKind.PROVINCE, "11", AFTER)
    assert before.pk == after.pk


def test_merged_commune_has_several_predecessors_and_weights_sum_to_one():
    # Phường Cửa Nam (Hà Nội) was formed from three wards of the old Hoàn Kiếm district.
    cua_nam = OrgUnit.objects.get(kind=UnitKind.COMMUNE, name="Phường Cửa Nam", valid_from=AFTER)
    olds = {u.name for u in queries.predecessors(cua_nam)}
    assert {"Phường Trần Hưng Đạo", "Phường Hàng Bài"} <= olds
    for old in queries.predecessors(cua_nam):
        total = sum(w for _, w in queries.successors(old))
        assert total == pytest.approx(1.0)


def test_every_legacy_commune_but_package_errors_has_a_successor():
    legacy = OrgUnit.objects.filter(kind=UnitKind.COMMUNE, valid_to=BEFORE)
    orphans = legacy.exclude(successor_links__isnull=False).count()
    assert orphans <= 5  # the converter data names 4 wards it does not list


def test_school_rolls_up_through_district_before_and_commune_after():
    old_commune = OrgUnit.objects.filter(
        kind=UnitKind.COMMUNE, valid_to=BEFORE, code="03127"
    ).first()
    new_commune = commune("03127", AFTER)
    school = make_school(old_commune, opened=dt.date(2010, 9, 1)).unit
    actions.set_parent(school, new_commune, AFTER)
    before_kinds = [u.kind for u in queries.ancestors(school, BEFORE)]
    after_kinds = [u.kind for u in queries.ancestors(school, AFTER)]
    assert before_kinds == ["nation", "province", "district", "commune"]
    assert after_kinds == ["nation", "province", "commune"]
    province = queries.unit_by_code(UnitKind.PROVINCE, "11")
    assert school in queries.schools_under(province, BEFORE)
    assert school in queries.schools_under(province, AFTER)
    assert school in queries.schools_under(new_commune, AFTER)
    assert school not in queries.schools_under(new_commune, BEFORE)


def test_two_parents_on_one_date_is_refused_with_a_readable_message():
    school = make_school().unit
    other = commune("03151")
    with pytest.raises(ValidationError) as exc:
        UnitParent(child=school, parent=other, valid_from=dt.date(2025, 9, 1)).save()
    assert "chỉ có một đơn vị cấp trên" in str(exc.value)


def test_unknown_province_code_is_a_clear_error():
    with pytest.raises(OrgUnit.DoesNotExist, match="mã '99'"):
        queries.unit_by_code(UnitKind.PROVINCE, "99")


def test_search_with_and_without_diacritics():
    with_marks = set(OrgUnit.objects.search("Điện Biên").values_list("pk", flat=True))
    without = set(OrgUnit.objects.search("dien bien").values_list("pk", flat=True))
    assert with_marks == without
    assert OrgUnit.objects.search("dien bien").filter(kind=UnitKind.PROVINCE, code="11").exists()


def test_load_is_idempotent_and_stats_command_prints_counts(capsys):
    before = OrgUnit.objects.count()
    call_command("units", "load")
    assert OrgUnit.objects.count() == before
    call_command("units", "stats", "--as-of", "2025-09-01")
    out = capsys.readouterr().out
    assert "34" in out and "3.321" in out


def test_school_requires_valid_levels():
    with pytest.raises(ValidationError, match="Cấp học không hợp lệ"):
        make_school(levels=("XYZ",))
