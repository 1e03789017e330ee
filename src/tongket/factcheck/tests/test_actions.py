"""Importing a checked report's figures as historical values: scope, leaders, duplicates,
all-or-nothing, and values taken from the server's own analysis."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tongket.core.models import Role
from tongket.core.testing.factories import commune, make_school, make_user
from tongket.factcheck import actions
from tongket.factcheck.checks import analyse
from tongket.factcheck.models import DUPLICATE_IMPORT_MESSAGE, CheckedDocument, HistoricalValue

pytestmark = pytest.mark.django_db

LEGACY_DAY = dt.date(2019, 9, 1)

SAMPLE = """<b>BÁO CÁO</b> Tổng kết năm học 2019-2020 <script>alert("x")</script>
Toàn huyện có 57/65 trường đạt chuẩn quốc gia, chiếm 87,6%. Tỷ lệ trường đạt chuẩn quốc gia đạt 87,7%.
Tỷ lệ học sinh bỏ học 0,25% <img src=x onerror=alert(1)>. Tỷ lệ lớp học 2 buổi/ngày đạt 95,5%. Có 45 học sinh bỏ học.
Tổng kinh phí 176.001.542.000 đồng, gồm 158.204.068.000 đồng ngân sách và 17.977.474.000 đồng xã hội hóa.
"""
# Indexes into analyse(SAMPLE).facts
RATE_WITH_FRACTION = 1  # "87,6%" (57/65 trường), national_standard_rate
RATE = 2  # "87,7%", national_standard_rate
DROPOUT = 3  # "0,25%", dropout_rate
DROPOUT_COUNT = 5  # "45 học sinh": dropout_rate is a percent in the catalog
BUDGET = 6  # money: no catalog indicator


def legacy_school():
    """A school of a commune of the legacy tree, so it is in the tree in 2019-2020."""
    return make_school(commune("03127", LEGACY_DAY))


def school_user(school=None):
    school = school or legacy_school()
    return make_user(Role.SCHOOL, school.unit), school


def test_sample_has_the_expected_facts():
    facts = analyse(SAMPLE).facts
    assert facts[RATE_WITH_FRACTION].quote == "87,6%"
    assert facts[RATE].indicator == facts[RATE_WITH_FRACTION].indicator == "national_standard_rate"
    assert facts[DROPOUT].indicator == "dropout_rate"
    assert facts[DROPOUT_COUNT].unit == "count" and facts[BUDGET].unit == "VND"


def test_import_creates_rows_with_provenance():
    user, school = school_user()
    rows = actions.do_import_facts(
        user,
        school.unit.pk,
        "Năm học 2019 - 2020",
        "bao-cao.docx",
        SAMPLE,
        [RATE, DROPOUT, RATE_WITH_FRACTION],
    )
    assert len(rows) == 3
    text = analyse(SAMPLE).text
    stored = list(HistoricalValue.objects.order_by("start"))
    assert [hv.indicator.code for hv in stored] == [
        "national_standard_rate",
        "national_standard_rate",
        "dropout_rate",
    ]
    for hv in stored:
        assert hv.unit == school.unit and hv.period == "2019-2020"
        assert hv.document_name == "bao-cao.docx"
        assert hv.document_sha256 == actions.text_sha256(SAMPLE) and len(hv.document_sha256) == 64
        assert text[hv.start : hv.end] == hv.quote
        assert hv.imported_by == user and hv.imported_at is not None
    assert [hv.value for hv in stored] == [87.6, 87.7, 0.25]
    assert (stored[0].numerator, stored[0].denominator) == (57.0, 65.0)
    assert stored[1].numerator is None


def test_commune_officer_imports_for_a_school_under_the_commune_as_of_the_period():
    school = legacy_school()
    officer = make_user(Role.COMMUNE, commune("03127", LEGACY_DAY))
    actions.do_import_facts(officer, school.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    assert HistoricalValue.objects.filter(unit=school.unit).count() == 1


def test_unit_outside_scope_is_refused_and_nothing_written():
    user, _ = school_user()
    other = make_school(commune("03151", LEGACY_DAY))
    with pytest.raises(PermissionDenied):
        actions.do_import_facts(user, other.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    assert not HistoricalValue.objects.exists()


def test_leader_cannot_import_even_into_their_own_unit():
    school = legacy_school()
    leader = make_user(Role.LEADER, school.unit)
    with pytest.raises(PermissionDenied):
        actions.do_import_facts(leader, school.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    assert not HistoricalValue.objects.exists()


def test_duplicate_import_is_refused_with_a_message():
    user, school = school_user()
    actions.do_import_facts(user, school.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    with pytest.raises(ValidationError) as err:
        actions.do_import_facts(
            user, school.unit.pk, "2019-2020", "khac.txt", SAMPLE, [DROPOUT, RATE]
        )
    assert DUPLICATE_IMPORT_MESSAGE in " ".join(err.value.messages)
    assert "87,7%" in " ".join(err.value.messages)
    assert HistoricalValue.objects.count() == 1  # the new dropout figure was not written either
    # Another period is another value.
    actions.do_import_facts(user, school.unit.pk, "2020-2021", "bc.txt", SAMPLE, [RATE])
    assert HistoricalValue.objects.count() == 2


def test_the_constraint_carries_the_vietnamese_message():
    user, school = school_user()
    (row,) = actions.do_import_facts(user, school.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    row.pk = None
    with pytest.raises(ValidationError) as err:
        row.validate_constraints()
    assert DUPLICATE_IMPORT_MESSAGE in " ".join(err.value.messages)


@pytest.mark.parametrize(
    ("indexes", "needle"),
    [
        ([RATE, DROPOUT_COUNT], "tính bằng tỷ lệ (%), số liệu là số lượng"),
        ([BUDGET], "“kinh phí” chưa có chỉ tiêu tương ứng trong danh mục"),
        ([RATE, 999], "Không có số liệu số 1000"),
        ([], "Chưa chọn số liệu"),
        (["x"], "không hợp lệ"),
    ],
)
def test_facts_that_cannot_be_imported_are_refused_all_or_nothing(indexes, needle):
    user, school = school_user()
    with pytest.raises(ValidationError) as err:
        actions.do_import_facts(user, school.unit.pk, "2019-2020", "bc.txt", SAMPLE, indexes)
    assert needle in " ".join(err.value.messages)
    assert not HistoricalValue.objects.exists()


def test_bounds_and_targets_are_not_importable():
    text = "Tỷ lệ học sinh bỏ học dưới 0,5%. Tỷ lệ lớp học 2 buổi/ngày đạt 96,2%, chỉ tiêu 97%."
    facts = analyse(text).facts
    indicators = actions.catalog_indicators(f.indicator for f in facts)
    reasons = [actions.importable_reason(f, indicators) for f in facts]
    assert "ước lượng" in reasons[0]
    assert reasons[1] is None
    assert "kế hoạch" in reasons[2]


@pytest.mark.parametrize("period", ["2019-2021", "năm ngoái", ""])
def test_bad_period_gets_a_message(period):
    user, school = school_user()
    with pytest.raises(ValidationError) as err:
        actions.do_import_facts(user, school.unit.pk, period, "bc.txt", SAMPLE, [RATE])
    assert "Kỳ báo cáo" in err.value.messages[0]


def test_unit_that_did_not_exist_in_the_period_is_refused():
    admin = make_user(Role.ADMIN, None)
    new_school = make_school(commune("03127"))  # current tree: starts 1/7/2025
    with pytest.raises(ValidationError) as err:
        actions.do_import_facts(admin, new_school.unit.pk, "2019-2020", "bc.txt", SAMPLE, [RATE])
    assert "không tồn tại" in err.value.messages[0]
    assert not HistoricalValue.objects.exists()


def test_missing_unit_is_refused_without_saying_whether_it_exists():
    user, _ = school_user()
    with pytest.raises(PermissionDenied):
        actions.do_import_facts(user, 10**9, "2019-2020", "bc.txt", SAMPLE, [RATE])


def test_saved_document_is_nfc_with_its_fingerprint():
    user = make_user(Role.ADMIN, None)
    doc = actions.save_checked_document(user, "  ", unicodedata.normalize("NFD", "Tiếng Việt"))
    assert isinstance(doc, CheckedDocument)
    assert doc.text == "Tiếng Việt" and doc.name == actions.PASTED_NAME
    assert doc.sha256 == actions.text_sha256("Tiếng Việt")
