"""Report jobs go through a bounded queue: a fixed pool of workers, a waiting position shown on
the job page, and a refusal (429) once the queue is full; control characters never reach Word."""

from __future__ import annotations

import io
import threading
import time

import pytest
from django.conf import settings
from docx import Document

from tongket.core.models import Role
from tongket.core.testing.factories import make_user
from tongket.reports import actions
from tongket.reports.jobqueue import WorkerPool
from tongket.reports.models import ReportJob

P = "2024-2025"


def test_pool_runs_every_item_never_more_than_its_workers_at_once():
    running, peak, done = 0, 0, []
    lock = threading.Lock()

    def run(item: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        try:
            time.sleep(0.02)
            if item == 3:
                raise RuntimeError("a failing job")  # must not kill its worker
            done.append(item)
        finally:
            with lock:
                running -= 1

    pool = WorkerPool(2, run, name="test")
    before = threading.active_count()
    for i in range(8):
        pool.submit(i)
    pool.join()
    assert sorted(done) == [0, 1, 2, 4, 5, 6, 7]
    assert peak <= 2
    assert threading.active_count() - before <= 2  # two threads, not eight


@pytest.fixture
def small_queue(monkeypatch):
    monkeypatch.setattr(settings.TONGKET, "report_workers", 2)
    monkeypatch.setattr(settings.TONGKET, "report_queue_max", 3)
    launched: list[int] = []
    monkeypatch.setattr(actions, "launch", launched.append)  # queued, never run
    return launched


@pytest.mark.django_db
def test_full_queue_refuses_with_429_and_starts_nothing(
    client, province, small_queue, django_capture_on_commit_callbacks
):
    client.force_login(make_user(Role.PROVINCE, province))
    form = {"unit": province.pk, "period": P, "kind": "giao-ban"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):  # 2 workers + 3 waiting
            assert client.post("/reports/generate/", form).status_code == 302
    jobs = list(ReportJob.objects.order_by("pk"))
    assert len(jobs) == 5 and small_queue == [j.pk for j in jobs]

    with django_capture_on_commit_callbacks(execute=True):
        resp = client.post("/reports/generate/", form)
    assert resp.status_code == 429 and resp["Retry-After"]
    assert "Vui lòng thử lại sau" in resp.content.decode()
    assert ReportJob.objects.count() == 5 and len(small_queue) == 5  # nothing queued

    # the fifth waits behind four: its page says where it stands
    page = client.get(f"/reports/job/{jobs[4].pk}/").content.decode()
    assert "Đang chờ (vị trí 5)" in page
    jobs[0].status = ReportJob.Status.DONE
    jobs[0].save()
    page = client.get(f"/reports/job/{jobs[4].pk}/").content.decode()
    assert "Đang chờ (vị trí 4)" in page
    # one finished: there is room for one more
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/reports/generate/", form).status_code == 302


@pytest.mark.django_db
def test_running_job_has_no_position(province):
    job = ReportJob.objects.create(unit=province, period=P, kind="tong-ket")
    assert actions.queue_position(job) == 1
    job.status = ReportJob.Status.RUNNING
    assert actions.queue_position(job) == 0


@pytest.mark.django_db
def test_draft_with_control_characters_saves_clean_and_the_report_builds(province):
    controls = "".join(map(chr, range(0x00, 0x20))) + "".join(map(chr, range(0x7F, 0xA0)))
    user = make_user(Role.PROVINCE, province)
    draft = actions.save_draft(
        user,
        province,
        P,
        "tong-ket",
        {"intro": f"Mở{controls}đầu\ud800 năm học", "sign_name": "Lò\x07 Văn A"},
    )
    draft.refresh_from_db()
    assert draft.intro == "Mở\t\n\nđầu năm học"  # tab kept; LF kept, CR became a newline
    assert draft.sign_name == "Lò Văn A"
    files = actions.generate(province, P, "tong-ket", charts=False)
    assert files.docx[:2] == b"PK"

    # a row written around the action (an old one, or SQL) still builds: the builder cleans
    actions.ReportDraft.objects.filter(pk=draft.pk).update(intro="Bẩn\x0b\x1f\x85 vẫn lập được")
    built = actions.generate(province, P, "tong-ket", charts=False)
    text = "\n".join(p.text for p in Document(io.BytesIO(built.docx)).paragraphs)
    assert "Bẩn vẫn lập được" in text


@pytest.mark.django_db
def test_demo_targets_and_certificates_are_logged_as_demo(province):
    from tongket.core.models import ChangeLog

    for model in ("target", "schoolcertificate"):
        channels = set(
            ChangeLog.objects.filter(content_type__model=model).values_list("channel", flat=True)
        )
        assert channels == {"demo"}, model
