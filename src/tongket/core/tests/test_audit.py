"""The change log: every kind of object records create, change and delete with old and new
values, actor and channel; its history page is readable only within the object's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tongket.analytics import actions as targets
from tongket.analytics.models import Target
from tongket.collection import actions as collection
from tongket.collection.tests.factories import open_th_round
from tongket.core import audit
from tongket.core.models import ChangeLog, Profile, Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.norms import actions as norms
from tongket.norms.models import SchoolCertificate
from tongket.reports import actions as reports
from tongket.reports.models import ReportDraft
from tongket.units.models import UnitKind
from tongket.units.queries import unit_by_code

pytestmark = pytest.mark.django_db
P = "2025-2026"
SRC = "Kế hoạch năm học 2025-2026"
DAY = dt.date(2025, 9, 1)


def province(code: str = "11"):
    return unit_by_code(UnitKind.PROVINCE, code, DAY)


def _log(model, pk) -> list[ChangeLog]:
    return list(audit.history(model, pk).order_by("at", "pk"))


def _visible(client, user, kind: str, pk: int) -> int:
    client.force_login(user)
    return client.get(f"/history/{kind}/{pk}/").status_code


def test_target_create_change_delete_are_logged_and_scoped(client):
    c = commune("03127")
    officer = make_user(Role.PROVINCE, province())
    t = targets.set_target(officer, "mobilisation_th", c, P, value=90, source=SRC)
    targets.set_target(officer, "mobilisation_th", c, P, value=92, source=SRC)
    targets.set_target(officer, "mobilisation_th", c, P, value=92, source=SRC)  # no change
    pk = t.pk
    entries = _log(Target, pk)
    assert [e.action for e in entries] == ["create", "change"]
    assert entries[0].changes["value"] == [None, 90.0]
    assert entries[1].changes == {"value": [90.0, 92.0]}
    assert entries[1].actor == officer.username and entries[1].user == officer
    assert entries[1].channel == "cli"  # called outside a request

    # visible to the province and the commune, not to another commune or another province
    assert _visible(client, make_user(Role.COMMUNE, c), "target", pk) == 200
    assert _visible(client, make_user(Role.COMMUNE, commune("03151")), "target", pk) == 403
    assert _visible(client, make_user(Role.PROVINCE, province("08")), "target", pk) == 403

    targets.delete_target(officer, t, reason="Giao nhầm")
    gone = _log(Target, pk)[-1]
    assert gone.action == "delete" and gone.changes["value"] == [92.0, None]
    # still readable by the same people once the target is gone, with the deletion on the page
    client.force_login(make_user(Role.COMMUNE, c))
    resp = client.get(f"/history/target/{pk}/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "đã xoá" in html and "Giao nhầm" in html and "92.0 → —" in html
    client.force_login(make_user(Role.PROVINCE, province()))
    assert client.get(f"/history/target/{pk}/").status_code == 200


def test_draft_saved_on_the_web_is_channel_web(client):
    p = province()
    user = make_user(Role.PROVINCE, p)
    client.force_login(user)
    q = {"unit": p.pk, "period": P, "kind": "tong-ket", "mode": "as_of"}
    assert client.post("/reports/draft/", {**q, "intro": "Mở đầu."}).status_code == 302
    entry = ChangeLog.objects.get(content_type__model="reportdraft")
    assert (entry.channel, entry.user, entry.action) == ("web", user, "create")
    assert entry.changes["intro"] == [None, "Mở đầu."]


def _cert(user, school, **kw):
    return norms.do_save_certificate(
        user,
        school=school,
        kind="national_standard",
        level=kw.pop("level", 1),
        decision_number="12/QĐ-UBND",
        decision_date=dt.date(2023, 3, 1),
        issued_by="UBND tỉnh Điện Biên",
        **kw,
    )


def test_certificate_logged_and_its_page_shows_the_editor(client):
    c = commune("03127")
    school = make_school(c, levels=("TH",)).unit
    creator = make_user(Role.PROVINCE, province(), username="so_tao")
    editor = make_user(Role.COMMUNE, c, username="xa_sua")
    cert = _cert(creator, school)
    _cert(editor, school, level=2, certificate=cert, reason="Công nhận mức 2")
    entries = _log(SchoolCertificate, cert.pk)
    assert [(e.action, e.actor) for e in entries] == [("create", "so_tao"), ("change", "xa_sua")]
    assert entries[1].changes == {"level": [1, 2]} and entries[0].unit_id == school.pk

    client.force_login(editor)
    html = client.get(f"/norms/register/{cert.pk}/edit/").content.decode()
    assert "Cập nhật lần cuối: xa_sua" in html and "Lịch sử thay đổi" in html
    assert (
        _visible(client, make_user(Role.COMMUNE, commune("03151")), "certificate", cert.pk) == 403
    )

    pk = cert.pk
    norms.do_delete_certificate(editor, cert, reason="Quyết định bị huỷ")
    last = _log(SchoolCertificate, pk)[-1]
    assert last.action == "delete" and last.changes["decision_number"] == ["12/QĐ-UBND", None]
    assert _visible(client, editor, "certificate", pk) == 200


def test_report_draft_logged_with_old_and_new_text(client):
    p = province()
    user = make_user(Role.PROVINCE, p)
    draft = reports.save_draft(user, p, P, "tong-ket", {"intro": "Mở đầu."})
    reports.save_draft(user, p, P, "tong-ket", {"intro": "Mở đầu mới."})
    entries = _log(ReportDraft, draft.pk)
    assert [e.action for e in entries] == ["create", "change"]
    assert entries[1].changes == {"intro": ["Mở đầu.", "Mở đầu mới."]}

    client.force_login(user)
    q = {"unit": p.pk, "period": P, "kind": "tong-ket", "mode": "as_of"}
    html = client.get("/reports/draft/", q).content.decode()
    assert "Lịch sử thay đổi" in html and "Mở đầu mới." in html
    assert _visible(client, make_user(Role.PROVINCE, province("08")), "draft", draft.pk) == 403

    pk = draft.pk
    reports.delete_draft(user, draft, reason="Viết lại")
    assert _log(ReportDraft, pk)[-1].action == "delete"


def test_round_open_close_extend_reopen_logged(client):
    rnd, school, officer, school_user = open_th_round()
    collection.do_extend_round(officer, rnd, dt.date(2099, 11, 30), "Trường xin thêm thời gian")
    collection.do_close_round(officer, rnd, "Hết hạn")
    collection.do_reopen_round(officer, rnd, "Mở lại để sửa")
    entries = _log(type(rnd), rnd.pk)
    assert [e.action for e in entries] == ["open", "extend", "close", "reopen"]
    assert entries[1].changes == {"due": ["30/10/2099", "30/11/2099"]}
    assert entries[2].changes == {"status": ["open", "closed"]}
    assert entries[3].reason == "Mở lại để sửa" and entries[3].actor == officer.username
    assert _visible(client, officer, "round", rnd.pk) == 200
    assert _visible(client, make_user(Role.COMMUNE, commune("03151")), "round", rnd.pk) == 403


def test_explanations_logged_on_submit_with_old_and_new(client):
    from tongket.collection.models import Submission
    from tongket.collection.tests.factories import good_values

    rnd, school, officer, staff = open_th_round()
    sub = collection.access_submission(staff, rnd, school.pk, write=True)
    # 220 pupils in 5 classes averages 44, above the 35-pupil norm: a warning to explain
    values = good_values() | {("pupils", "grade=1;level=TH"): 100}
    sub = collection.do_save_values(staff, sub, values, expected_version=sub.version)
    warning = next(v for v in collection.validate_submission(sub) if v.severity == "warning")
    key = collection.warning_key(warning)
    sub = collection.do_submit(
        staff, sub, expected_version=sub.version, explanations={key: "Lớp ghép\x00 tạm thời"}
    )
    assert sub.explanations[key] == "Lớp ghép tạm thời"  # control character dropped
    sub = collection.do_return(officer, sub, "Giải trình chưa rõ")
    sub = collection.do_submit(
        staff, sub, expected_version=sub.version, explanations={key: "Lớp ghép do thiếu phòng"}
    )
    entries = _log(Submission, sub.pk)
    assert [e.action for e in entries] == ["explain", "explain"]
    assert entries[0].changes == {key: [None, "Lớp ghép tạm thời"]}
    assert entries[1].changes == {key: ["Lớp ghép tạm thời", "Lớp ghép do thiếu phòng"]}
    assert entries[1].actor == staff.username and entries[1].unit_id == school.pk
    assert _visible(client, officer, "submission", sub.pk) == 200
    assert _visible(client, make_user(Role.COMMUNE, commune("03151")), "submission", sub.pk) == 403


def test_admin_changes_of_users_and_roles_are_logged(client):
    admin = get_user_model().objects.create_superuser("quantri", "", "matkhau-rat-dai-123")
    client.force_login(admin)
    c = commune("03127")
    user = make_user(Role.SCHOOL, make_school(c).unit, username="gv1")
    prof = user.profile
    resp = client.post(
        f"/admin/core/profile/{prof.pk}/change/",
        {"user": user.pk, "role": "commune", "unit": c.pk, "full_name": "Cán bộ xã"},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    entry = _log(Profile, prof.pk)[-1]
    assert entry.channel == "admin" and entry.actor == "quantri"
    assert entry.changes["role"] == ["school", "commune"]

    resp = client.post(
        f"/admin/auth/user/{user.pk}/change/",
        {
            "username": "gv1",
            "first_name": "Lò",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "date_joined_0": "01/09/2025",
            "date_joined_1": "08:00:00",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:3000]
    u_entry = _log(get_user_model(), user.pk)[-1]
    assert u_entry.changes["first_name"] == ["", "Lò"] and "password" not in u_entry.changes
    # the admin's History button shows the change log
    html = client.get(f"/admin/auth/user/{user.pk}/history/").content.decode()
    assert "Lịch sử thay đổi" in html and "Trang quản trị" in html and "→ Lò" in html

    # the person's own history is theirs and the admins'; not another officer's
    assert _visible(client, user, "user", user.pk) == 200
    assert _visible(client, make_user(Role.PROVINCE, province()), "user", user.pk) == 403

    client.force_login(admin)
    pk = user.pk
    resp = client.post(f"/admin/auth/user/{pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    gone = _log(get_user_model(), pk)[-1]
    assert gone.action == "delete" and gone.changes["username"] == ["gv1", None]


def test_certificate_deleted_in_the_admin_is_logged(client):
    admin = get_user_model().objects.create_superuser("quantri", "", "matkhau-rat-dai-123")
    school = make_school(commune("03127")).unit
    cert = _cert(None, school)
    client.force_login(admin)
    resp = client.post(f"/admin/norms/schoolcertificate/{cert.pk}/delete/", {"post": "yes"})
    assert resp.status_code == 302
    last = _log(SchoolCertificate, cert.pk)[-1]
    assert (last.action, last.channel, last.actor) == ("delete", "admin", "quantri")
    assert last.unit_id == school.pk


def test_every_admin_list_still_opens_and_the_log_is_read_only(client):
    from django.contrib import admin

    client.force_login(get_user_model().objects.create_superuser("quantri", "", "x" * 20))
    for model in admin.site._registry:
        meta = model._meta
        resp = client.get(f"/admin/{meta.app_label}/{meta.model_name}/")
        assert resp.status_code == 200, meta.label
    entry = audit.record(None, make_school(commune("03127")).unit, ChangeLog.Action.CREATE)
    assert entry is not None
    assert client.get(f"/admin/core/changelog/{entry.pk}/delete/").status_code == 403


def test_user_created_in_the_admin_is_logged_without_its_password(client):
    client.force_login(get_user_model().objects.create_superuser("quantri", "", "x" * 20))
    pw = "Mat-khau-rat-dai-2025"
    resp = client.post(
        "/admin/auth/user/add/",
        {"username": "moi", "usable_password": "true", "password1": pw, "password2": pw},
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    user = get_user_model().objects.get(username="moi")
    entry = _log(get_user_model(), user.pk)[0]
    assert (entry.action, entry.channel, entry.actor) == ("create", "admin", "quantri")
    assert entry.changes["username"] == [None, "moi"]
    assert "password" not in entry.changes and pw not in str(entry.changes)


def test_targets_imported_from_a_workbook_are_channel_excel():
    officer = make_user(Role.PROVINCE, province())
    row = {"indicator": "mobilisation_th", "unit": "03127", "period": P, "value": 90}
    rep = targets.import_targets(
        officer, [(2, row | {"source": SRC})], commit=True, channel="excel"
    )
    assert rep.committed
    entry = ChangeLog.objects.get(content_type__model="target")
    assert (entry.channel, entry.action, entry.user) == ("excel", "create", officer)
    assert audit.current_channel() == "cli"  # the import's channel does not leak
