"""The summary every surface formats: gross shortage, gross surplus and net balance add up, and
a "trong đó" never lists parts larger than its total, whatever the schools (Hypothesis)."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tongket.core.vntext import format_number
from tongket.norms.calc.packs import load_staffing
from tongket.norms.calc.staffing import LevelInput, SchoolInput, compute_school
from tongket.norms.calc.staffing_totals import (
    UNSPLIT,
    group_sentence,
    subject_balances,
    summarize,
)

ON = dt.date(2024, 9, 30)
PACK = load_staffing()
TH_SUBJECTS = ["van_hoa", "tieng_anh", "tin_hoc_cong_nghe", "gdtc", "am_nhac", "my_thuat"]

teachers_by_subject = st.fixed_dictionaries(
    {s: st.integers(0, 12) for s in TH_SUBJECTS} | {"tong_phu_trach_doi": st.integers(0, 2)}
)
th_level = st.builds(
    lambda classes, pupils, teachers, split: LevelInput(
        "tieu_hoc",
        classes,
        pupils=pupils,
        teachers=teachers if split else {"total": sum(teachers.values())},
    ),
    st.integers(1, 30),
    st.integers(0, 1200),
    teachers_by_subject,
    st.booleans(),
)
other_level = st.builds(
    lambda lv, classes, n: LevelInput(lv, classes, teachers={"total": n}),
    st.sampled_from(["nha_tre", "mau_giao", "thcs", "thpt"]),
    st.integers(1, 40),
    st.integers(0, 90),
)
schools = st.lists(
    st.tuples(th_level, other_level, st.integers(1, 3)), min_size=1, max_size=12
).map(
    lambda rows: [
        SchoolInput(f"S{i}", (a, b) if a.level != b.level else (a,), region=r)
        for i, (a, b, r) in enumerate(rows)
    ]
)


def _numbers(text: str) -> list[int]:
    return [int(t.replace(".", "")) for t in re.findall(r"\d[\d.]*", text)]


@settings(max_examples=60, deadline=None)
@given(schools)
def test_gross_and_net_add_up_and_parts_never_exceed_their_total(inputs):
    results = [compute_school(s, ON) for s in inputs]
    for res in results:
        for lr in res.levels.values():
            assert sum(subject_balances(lr).values()) == lr.balance
    summary = summarize(results)
    for b in [*summary.groups, *summary.levels.values()]:
        assert b.surplus - b.shortage == b.balance == b.actual - b.required
        assert b.shortage >= max(0, -b.balance) and b.surplus >= max(0, b.balance)
        parts = b.shortage_parts(PACK.subject_labels)
        if parts:
            assert sum(n for _, n in parts) == b.shortage
            assert all(0 < n <= b.shortage for _, n in parts)
        text = group_sentence(b, PACK.subject_labels)
        if " (trong đó " in text:
            inside = text.split(" (trong đó ", 1)[1].split(")", 1)[0]
            total = _numbers(text.split(" (trong đó ", 1)[0])[-1]
            assert sum(_numbers(inside)) == total == b.shortage
        if b.shortage and b.surplus:
            assert f"cân đối {'thiếu' if b.balance < 0 else 'thừa'}" in text or b.balance == 0
            assert format_number(abs(b.balance)) in text.rsplit("cân đối", 1)[1] or not b.balance
    # the groups are the levels regrouped: Mầm non = nhà trẻ + mẫu giáo
    for b in summary.groups:
        assert b.required == sum(
            summary.levels[lv].required for lv in b.levels if lv in summary.levels
        )


def test_subject_rows_that_do_not_add_up_go_to_unsplit():
    li = LevelInput("thcs", 8, teachers={"toan": 3, "ngu_van": 3})  # 6 listed, 16 needed
    lr = compute_school(SchoolInput("C", (li,)), ON).levels["thcs"]
    by = subject_balances(lr)
    assert sum(by.values()) == lr.balance
    no_split = compute_school(
        SchoolInput("D", (LevelInput("thcs", 8, teachers={"total": 20}),)), ON
    )
    assert subject_balances(no_split.levels["thcs"]) == {UNSPLIT: 20 - 16}
    b = summarize([no_split]).group("THCS")
    assert not b.by_subject and group_sentence(b, PACK.subject_labels) == "THCS thừa 4 giáo viên"


def test_more_than_five_short_subjects_end_with_the_rest_summed():
    teachers = {s: 0 for s in TH_SUBJECTS} | {"van_hoa": 40, "tong_phu_trach_doi": 0}
    li = LevelInput("tieu_hoc", {1: 4, 2: 4, 3: 4, 4: 4, 5: 4}, teachers=teachers)
    b = summarize([compute_school(SchoolInput("T", (li,)), ON)]).group("Tiểu học")
    parts = b.shortage_parts(PACK.subject_labels)
    assert len(b.shortage_by_subject) == 6 and len(parts) == 5
    assert parts[-1][0] == "các môn còn lại" and sum(n for _, n in parts) == b.shortage
