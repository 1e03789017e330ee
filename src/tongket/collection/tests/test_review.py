"""The review queue: what waits for my level, filtered; one report beside last year's; many
clean reports approved at once through the single approval's checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tongket.collection import actions, review
from tongket.collection.models import DataValue, Submission, SubmissionEvent
from tongket.collection.tests.factories import desk_round
from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_user

pytestmark = pytest.mark.django_db


def _names(queue):
    return [i.sub.unit.name.removeprefix("Trường Tiểu học ") for i in queue.items]


def test_each_level_sees_what_waits_for_it():
    rnd, schools, users, xa, so = desk_round()
    assert sorted(_names(review.review_queue(xa))) == ["Clean", "Warned"]
    assert _names(review.review_queue(so)) == ["Passed"]
    everything = review.review_queue(xa, status="submitted")
    assert sorted(_names(everything)) == ["Clean", "Passed", "Warned"]
    assert {i.label for i in everything.items} == {"Chờ xã duyệt", "Chờ Sở duyệt"}
    assert [i.mine for i in everything.items if i.label == "Chờ Sở duyệt"] == [False]


def test_other_communes_and_schools_see_nothing():
    rnd, schools, users, xa, so = desk_round()
    elsewhere = make_user(Role.COMMUNE, commune("03151"))
    assert review.review_queue(elsewhere).items == []
    assert review.review_queue(users["clean"]).items == []  # a school reviews nothing


def test_filters_and_sort():
    rnd, schools, users, xa, so = desk_round()
    assert _names(review.review_queue(xa, warnings="yes")) == ["Warned"]
    assert _names(review.review_queue(xa, warnings="no")) == ["Clean"]
    assert review.review_queue(xa, form_code="01.ĐN-MN").items == []
    assert len(review.review_queue(xa, round_id=rnd.pk).items) == 2
    assert review.review_queue(xa, round_id=rnd.pk + 999).items == []
    c = commune("03127")
    assert len(review.review_queue(so, status="submitted", commune_id=c.pk).items) == 3
    assert review.review_queue(so, status="submitted", commune_id=c.pk + 1).items == []
    Submission.objects.filter(round=rnd, unit=schools["warned"]).update(
        submitted_at="2025-10-01T08:00:00+07:00"
    )
    assert _names(review.review_queue(xa, sort="oldest")) == ["Warned", "Clean"]
    assert _names(review.review_queue(xa, sort="newest")) == ["Clean", "Warned"]
    assert _names(review.review_queue(xa, sort="problems"))[0] == "Warned"


def test_approve_many_approves_the_clean_and_skips_the_rest_with_the_reason():
    rnd, schools, users, xa, so = desk_round()
    subs = {n: Submission.objects.get(round=rnd, unit=u) for n, u in schools.items() if n != "late"}
    # a warning left unexplained (a rule added after the school submitted)
    Submission.objects.filter(pk=subs["warned"].pk).update(explanations={})
    result = actions.do_approve_many(
        xa, [subs["clean"].pk, subs["warned"].pk, subs["passed"].pk, 10**9], "Đã đối chiếu"
    )
    assert [s.pk for s in result.approved] == [subs["clean"].pk]
    why = {sid: reason for sid, _, reason in result.skipped}
    assert "cảnh báo chưa giải trình" in why[subs["warned"].pk]
    assert "chờ cấp Sở duyệt" in why[subs["passed"].pk]  # do_approve's own level check
    assert "Không có báo cáo này" in why[10**9]
    clean = Submission.objects.get(pk=subs["clean"].pk)
    assert clean.approved_level == "commune" and clean.status_label == "Chờ Sở duyệt"
    event = SubmissionEvent.objects.filter(submission=clean, status="approved").get()
    assert event.reason == "Đã đối chiếu" and event.level == "commune" and event.user == xa
    assert Submission.objects.get(pk=subs["warned"].pk).approved_level == ""


def test_approve_many_skips_errors_and_reports_out_of_scope():
    rnd, schools, users, xa, so = desk_round()
    clean = Submission.objects.get(round=rnd, unit=schools["clean"])
    DataValue.objects.filter(
        unit=schools["clean"],
        period=rnd.period,
        element__code="pupils",
        combo="grade=2;level=TH;sex=f",
    ).update(value=99)  # girls above all pupils: an error the school could not have submitted
    result = actions.do_approve_many(xa, [clean.pk])
    assert not result.approved and "còn 1 lỗi" in result.skipped[0][2]
    elsewhere = make_user(Role.COMMUNE, commune("03151"))
    result = actions.do_approve_many(elsewhere, [clean.pk])
    assert not result.approved and "quyền" in result.skipped[0][2]
    assert Submission.objects.get(pk=clean.pk).approved_level == ""


def test_queue_page_filters_and_approves_many(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(xa)
    page = client.get("/collection/review/").content.decode()
    assert "Trường Tiểu học Clean" in page and "Trường Tiểu học Warned" in page
    assert "Trường Tiểu học Passed" not in page and "Chờ xã duyệt" in page
    page = client.get("/collection/review/?warnings=yes").content.decode()
    assert "Trường Tiểu học Clean" not in page and "Trường Tiểu học Warned" in page
    ids = list(
        Submission.objects.filter(round=rnd, status="submitted").values_list("pk", flat=True)
    )
    resp = client.post("/collection/review/", {"ids": ids, "note": "Một ghi chú"}, follow=True)
    text = resp.content.decode()
    assert "Đã duyệt 2 báo cáo." in text and "Bỏ qua Trường Tiểu học Passed" in text
    assert client.get("/collection/review/").content.decode().count('name="ids"') == 0


def test_schools_and_leaders_get_no_queue(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(users["clean"])
    assert client.get("/collection/review/").status_code == 403
    client.force_login(make_user(Role.LEADER, so.profile.unit))
    assert client.get("/collection/review/").status_code == 403


def test_review_page_shows_last_year_beside_each_cell_and_the_biggest_moves(client):
    rnd, schools, users, xa, so = desk_round()
    sub = Submission.objects.get(round=rnd, unit=schools["clean"])
    cmp = review.comparison(sub)
    assert cmp["previous_period"] == "2024-2025" and cmp["has_previous"]
    assert cmp["moved"][0]["change"] == "+200%" and "Lớp 1" in cmp["moved"][0]["label"]
    client.force_login(xa)
    page = client.get(f"/collection/submissions/{sub.pk}/").content.decode()
    assert "trước: 10" in page and 'class="num moved"' in page and "+200%" in page
    assert 'id="review-actions"' in page  # waiting for the commune: xa11 may approve here
    resp = client.post(
        f"/collection/submissions/{sub.pk}/review/",
        {"action": "approve", "next": "/collection/review/"},
    )
    assert resp.status_code == 302 and resp["Location"] == "/collection/review/"
    assert Submission.objects.get(pk=sub.pk).status_label == "Chờ Sở duyệt"
    page = client.get(f"/collection/submissions/{sub.pk}/").content.decode()
    assert 'id="review-actions"' not in page  # now the Sở's turn


def test_round_page_links_the_reports_waiting_for_approval(client):
    rnd, schools, users, xa, so = desk_round()
    client.force_login(so)
    page = client.get(f"/collection/rounds/{rnd.pk}/").content.decode()
    assert 'id="waiting"' in page and "Báo cáo đã nộp, chờ duyệt (3)" in page
    sub = Submission.objects.get(round=rnd, unit=schools["passed"])
    assert f"/collection/submissions/{sub.pk}/" in page


@given(
    st.dictionaries(
        st.tuples(st.sampled_from("abcdef"), st.just("")),
        st.floats(0, 1e6, allow_nan=False),
        max_size=6,
    ),
    st.dictionaries(
        st.tuples(st.sampled_from("abcdef"), st.just("")),
        st.floats(0, 1e6, allow_nan=False),
        max_size=6,
    ),
)
def test_moved_most_keeps_only_real_moves_largest_first(now, before):
    moved = review.moved_most(now, before, top=3)
    assert len(moved) <= 3
    for key, change in moved.items():
        assert key in before and abs(now[key] - before[key]) >= review.MOVED_MIN_ABS
        assert abs(change) >= review.MOVED_MIN
    sizes = [abs(c) for c in moved.values()]
    assert sizes == sorted(sizes, reverse=True)
