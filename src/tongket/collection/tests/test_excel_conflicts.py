"""Uploads that cannot undo newer work: the workbook's signed base, conflicts cell by cell with a
choice per cell, duplicates judged on values, forged or absent bases."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from tongket.collection import actions, uploads
from tongket.collection.excel import MINE, THEIRS, merge, values_digest
from tongket.collection.models import DataValue, PendingUpload, Submission
from tongket.collection.tests.factories import open_th_round
from tongket.collection.tests.test_excel_flow import _fill, _good
from tongket.core.testing.factories import commune, make_school

pytestmark = pytest.mark.django_db

G1 = ("pupils", "grade=1;level=TH")
G2 = ("pupils", "grade=2;level=TH")
G3 = ("pupils", "grade=3;level=TH")


def _value(unit, key) -> float | None:
    row = DataValue.objects.filter(unit=unit, element__code=key[0], combo=key[1]).first()
    return row.value if row else None


def _web_edit(user, rnd, unit, values: dict) -> None:
    """Someone else changes figures on the web form."""
    sub = actions.access_submission(user, rnd, unit.pk, write=True)
    actions.do_save_values(user, sub, values, expected_version=sub.version)


@pytest.fixture
def stale():
    """A school's figures saved (30 a grade), its workbook downloaded, then the commune officer
    corrects grade 1 to 31 on the web: the downloaded workbook is now stale."""
    rnd, school, officer, staff = open_th_round()
    _web_edit(staff, rnd, school, _good())
    _, data = uploads.workbook_for(staff, rnd, school.pk)
    _web_edit(officer, rnd, school, {G1: 31})
    return rnd, school, officer, staff, data


# --- the pure merge -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mine", "now", "was", "outcome"),
    [
        (5, 5, 1, "nothing"),  # the file agrees with the present
        (5, 1, 1, "write"),  # only the file changed it
        (1, 7, 1, "keep"),  # only someone else changed it: the file must not undo it
        (5, 7, 1, "conflict"),  # both changed it
        (None, 7, 1, "conflict"),  # the file empties a cell someone else changed
    ],
)
def test_three_way_merge_table(mine, now, was, outcome):
    key = ("e", "")
    m = merge({key: mine}, {key: now}, {key: was})
    got = (
        "write"
        if key in m.writes
        else "keep"
        if m.kept_theirs
        else "conflict"
        if m.conflicts
        else "nothing"
    )
    assert got == outcome
    if outcome == "conflict":
        c = m.conflicts[0]
        assert (c.base, c.current, c.mine, c.choice) == (was, now, mine, None)
        assert merge({key: mine}, {key: now}, {key: was}, {key: MINE}).writes == {key: mine}
        resolved = merge({key: mine}, {key: now}, {key: was}, {key: THEIRS})
        assert not resolved.writes and not resolved.open_conflicts and resolved.changes_nothing


def test_without_a_base_every_changed_stored_figure_is_a_conflict():
    a, b = ("e", "a"), ("e", "b")
    m = merge({a: 5, b: 2}, {a: 3}, None)
    assert m.writes == {b: 2}  # an empty cell overwrites nothing
    assert [c.key for c in m.conflicts] == [a] and m.conflicts[0].base is None


def test_digest_ignores_order_and_empty_cells():
    assert values_digest({("a", ""): 1.0, ("b", ""): None}) == values_digest({("a", ""): 1})


# --- through the app -------------------------------------------------------------------------


def test_stale_download_does_not_put_the_old_value_back(stale):
    """The issue's case: the school changes grade 2 in its old workbook and uploads it. Grade 1
    (31, corrected after the download, 30 in the file) stays 31."""
    rnd, school, officer, staff, data = stale
    filled = _fill(rnd, data, {G2: 32})
    out = uploads.commit(staff, rnd, filled, "b.xlsx", school.pk)
    assert out.applied and out.changed == 1 and out.kept_theirs == 1 and not out.conflicts
    assert _value(school, G1) == 31 and _value(school, G2) == 32


def test_cell_changed_on_both_sides_is_a_conflict_until_chosen(stale):
    rnd, school, officer, staff, data = stale
    filled = _fill(rnd, data, {G1: 29, G3: 33})
    out = uploads.preview(staff, rnd, filled, "b.xlsx", school.pk)
    (c,) = out.conflicts
    assert (c.key, c.base, c.current, c.mine) == (G1, 30, 31, 29)
    row = out.conflict_rows[0]
    assert row["place"].startswith("Biểu 02!") and row["name"] == f"keep-0-{G1[0]}|{G1[1]}"
    version = Submission.objects.get(round=rnd, unit=school).version
    out = uploads.commit(staff, rnd, filled, "b.xlsx", school.pk)  # no choice: nothing written
    assert not out.applied and out.open_conflicts
    assert Submission.objects.get(round=rnd, unit=school).version == version
    assert _value(school, G3) == 30


def test_choice_keep_theirs(stale):
    rnd, school, officer, staff, data = stale
    filled = _fill(rnd, data, {G1: 29, G3: 33})
    out = uploads.commit(staff, rnd, filled, "b.xlsx", school.pk, {G1: THEIRS})
    assert out.applied and _value(school, G1) == 31 and _value(school, G3) == 33


def test_choice_keep_mine(stale):
    rnd, school, officer, staff, data = stale
    filled = _fill(rnd, data, {G1: 29, G3: 33})
    out = uploads.commit(staff, rnd, filled, "b.xlsx", school.pk, {G1: MINE})
    assert out.applied and _value(school, G1) == 29 and _value(school, G3) == 33


def test_re_upload_after_a_later_edit_is_not_a_duplicate():
    """Same bytes twice: the second time nothing changes. After someone edits a cell the file
    also set, the same bytes again are a conflict, not 'nothing changes'."""
    rnd, school, officer, staff = open_th_round()
    _, data = uploads.workbook_for(staff, rnd, school.pk)
    filled = _fill(rnd, data, _good())
    assert uploads.commit(staff, rnd, filled, "a.xlsx", school.pk).applied
    again = uploads.commit(staff, rnd, filled, "a.xlsx", school.pk)
    assert again.duplicate and not again.applied
    _web_edit(officer, rnd, school, {G1: 28})
    third = uploads.preview(staff, rnd, filled, "a.xlsx", school.pk)
    assert not third.duplicate and [c.key for c in third.conflicts] == [G1]
    out = uploads.commit(staff, rnd, filled, "a.xlsx", school.pk, {G1: MINE})
    assert out.applied and _value(school, G1) == 30


def test_resaved_file_with_new_bytes_but_same_values_is_a_duplicate():
    rnd, school, officer, staff = open_th_round()
    _, data = uploads.workbook_for(staff, rnd, school.pk)
    filled = _fill(rnd, data, _good())
    assert uploads.commit(staff, rnd, filled, "a.xlsx", school.pk).applied
    wb = openpyxl.load_workbook(io.BytesIO(filled))
    wb.properties.lastModifiedBy = "Excel"  # opened and saved again: other bytes, same figures
    buf = io.BytesIO()
    wb.save(buf)
    resaved = buf.getvalue()
    assert resaved != filled
    assert uploads.preview(staff, rnd, resaved, "a.xlsx", school.pk).duplicate


def _meta_edit(data: bytes, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["_meta"]
    for row in ws.iter_rows():
        if str(row[0].value).startswith("base."):
            change(row[1])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _forge(cell) -> None:
    cell.value = cell.value[:-3] + ("AAA" if not cell.value.endswith("AAA") else "BBB")


def _drop(cell) -> None:
    cell.value = None


@pytest.mark.parametrize(("change", "code"), [(_forge, "base_invalid"), (_drop, "base_missing")])
def test_forged_or_absent_base_makes_every_changed_figure_a_conflict(stale, change, code):
    rnd, school, officer, staff, data = stale
    # the file changes grade 3 only, and still holds grade 1 as 30 (31 stored now)
    filled = _meta_edit(_fill(rnd, data, {G3: 33}), change)
    out = uploads.preview(staff, rnd, filled, "b.xlsx", school.pk)
    assert code in [p.code for p in out.problems if not p.is_error]
    assert {c.key for c in out.conflicts} == {G1, G3}
    assert all(c.base is None for c in out.conflicts)
    assert not uploads.commit(staff, rnd, filled, "b.xlsx", school.pk).applied
    assert _value(school, G1) == 31


def test_base_of_another_unit_is_not_trusted():
    rnd, school, officer, staff = open_th_round()
    other = make_school(commune("03127"), levels=("TH",)).unit
    token = uploads.make_base(rnd, other, 0, {})
    assert uploads.read_base(token, rnd, school) == (None, "invalid")
    assert uploads.read_base(token, rnd, other) == ({}, "")


def test_web_conflict_page_then_choice(client, stale):
    rnd, school, officer, staff, data = stale
    client.force_login(staff)
    f = io.BytesIO(_fill(rnd, data, {G1: 29}))
    f.name = "cu.xlsx"
    page = client.post(
        f"/collection/rounds/{rnd.pk}/upload/", {"file": f, "unit": school.pk}
    ).content.decode()
    name = f"keep-0-{G1[0]}|{G1[1]}"
    assert "1 ô xung đột" in page and f'name="{name}"' in page
    assert "giữ của tôi" in page and "giữ bản hiện tại" in page
    pending = PendingUpload.objects.get(user=staff)
    # confirming without a choice asks again and keeps the file
    page = client.post(f"/collection/uploads/{pending.pk}/confirm/").content.decode()
    assert "ô xung đột" in page and PendingUpload.objects.filter(pk=pending.pk).exists()
    assert _value(school, G1) == 31
    page = client.post(f"/collection/uploads/{pending.pk}/confirm/", {name: "mine"}).content
    assert "Đã lưu 1 ô" in page.decode() and _value(school, G1) == 29
    assert not PendingUpload.objects.filter(pk=pending.pk).exists()


def test_office_zip_conflicts_per_file(client):
    rnd, school, officer, staff = open_th_round()
    second = make_school(commune("03127"), levels=("TH",)).unit
    files = {}
    for unit in (school, second):
        _web_edit(officer, rnd, unit, _good())
        name, data = uploads.workbook_for(officer, rnd, unit.pk)
        files[name] = _fill(rnd, data, {G1: 40, G2: 41})
    _web_edit(officer, rnd, second, {G1: 35})  # the second school changed after the download
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    zipped = buf.getvalue()
    first, late = uploads.batch(officer, rnd, zipped, apply=True)
    assert first.applied and not first.conflicts and _value(school, G1) == 40
    assert not late.applied and [c.key for c in late.open_conflicts] == [G1]
    assert _value(second, G1) == 35
    # the choice for the second file; the first changes nothing the second time
    first, late = uploads.batch(officer, rnd, zipped, apply=True, choices={1: {G1: THEIRS}})
    assert first.duplicate and late.applied and late.changed == 1
    assert _value(second, G1) == 35 and _value(second, G2) == 41
    assert uploads.parse_choices({f"keep-1-{G1[0]}|{G1[1]}": "mine", "x": "y"}) == {1: {G1: "mine"}}


def test_api_upload_dry_run_conflict_then_choice(client, stale):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from tongket.core.tokens import create_token

    rnd, school, officer, staff, data = stale
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(staff, 'test')}"}
    filled = _fill(rnd, data, {G1: 29, G3: 33})
    url = f"/api/collection/rounds/{rnd.pk}/excel"

    def post(**form):
        body = {"file": SimpleUploadedFile("b.xlsx", filled), "unit": str(school.pk), **form}
        return client.post(url, body, **auth)

    (dry,) = post().json()
    assert dry["ok"] and not dry["applied"] and dry["changed"] == 1
    (c,) = dry["conflicts"]
    assert (c["element"], c["combo"], c["base"], c["current"], c["mine"], c["choice"]) == (
        *G1,
        30,
        31,
        29,
        None,
    )
    (refused,) = post(apply="true").json()
    assert not refused["applied"] and _value(school, G3) == 30
    choice = [{"element": G1[0], "combo": G1[1], "keep": "theirs"}]
    (done,) = post(apply="true", choices=json.dumps(choice)).json()
    assert done["applied"] and _value(school, G1) == 31 and _value(school, G3) == 33
    bad = post(apply="true", choices="[1]")
    assert bad.status_code == 422 and bad.json()["code"] == "bad_choices"


def _cells():
    from hypothesis import strategies as st

    keys = st.sampled_from([("e", str(i)) for i in range(6)])
    return st.dictionaries(keys, st.one_of(st.none(), st.integers(0, 3).map(float)), max_size=6)


def test_merge_never_undoes_newer_work_property():
    """Whatever the file, base and present: a cell changed elsewhere since the base is written
    only when the user chose "mine" for it, and every write is the file's own value."""
    from hypothesis import given
    from hypothesis import strategies as st

    @given(_cells(), _cells(), _cells(), st.sampled_from([None, MINE, THEIRS]))
    def check(file, current, base, pick):
        choices = {k: pick for k in file} if pick else {}
        m = merge(file, current, base, choices)
        for key, value in m.writes.items():
            assert value == file[key] and value != current.get(key)
            if current.get(key) != base.get(key):  # changed elsewhere
                assert choices.get(key) == MINE
        for c in m.conflicts:
            assert c.key not in m.writes or c.choice == MINE

    check()


def test_write_between_dry_run_and_confirm_is_reported_not_overwritten(stale, monkeypatch):
    rnd, school, officer, staff, data = stale
    filled = _fill(rnd, data, {G3: 33})
    real_preview = uploads.preview

    def preview_then_someone_writes(*args, **kwargs):
        out = real_preview(*args, **kwargs)
        _web_edit(officer, rnd, school, {G3: 34})  # lands after the merge was computed
        return out

    monkeypatch.setattr(uploads, "preview", preview_then_someone_writes)
    out = uploads.commit(staff, rnd, filled, "b.xlsx", school.pk)
    assert not out.applied and [p.code for p in out.problems if p.is_error] == ["concurrent"]
    assert _value(school, G3) == 34


def test_locked_report_is_a_problem_on_the_file(stale):
    rnd, school, officer, staff, data = stale
    sub = Submission.objects.get(round=rnd, unit=school)
    actions.do_submit(staff, sub, expected_version=sub.version)
    out = uploads.commit(staff, rnd, _fill(rnd, data, {G3: 33}), "b.xlsx", school.pk)
    assert not out.applied and "locked" in [p.code for p in out.problems]
