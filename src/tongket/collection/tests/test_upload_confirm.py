"""The dry run offers "Xác nhận lưu" only when at least one file would be saved."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tongket.collection.models import PendingUpload
from tongket.collection.tests.factories import open_th_round

pytestmark = pytest.mark.django_db


def test_only_file_with_errors_offers_no_confirmation(client):
    rnd, school, officer, staff = open_th_round()
    client.force_login(staff)
    bad = SimpleUploadedFile("bieu.xlsx", b"not a spreadsheet at all")
    resp = client.post(f"/collection/rounds/{rnd.pk}/upload/", {"file": bad, "unit": school.pk})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "Xác nhận lưu" not in page and "Không có tệp nào lưu được" in page
    assert not PendingUpload.objects.exists()  # nothing kept for a confirmation that cannot come


def test_good_file_offers_confirmation(client):
    from tongket.collection import uploads
    from tongket.collection.tests.test_excel_flow import _fill, _good

    rnd, school, officer, staff = open_th_round()
    name, data = uploads.workbook_for(staff, rnd, school.pk)
    client.force_login(staff)
    good = SimpleUploadedFile(name, _fill(rnd, data, _good()))
    page = client.post(
        f"/collection/rounds/{rnd.pk}/upload/", {"file": good, "unit": school.pk}
    ).content.decode()
    assert "Xác nhận lưu" in page
