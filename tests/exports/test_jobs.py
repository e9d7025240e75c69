"""Export jobs: claimed once, written whole or not at all, progress recorded, lost or dead runs
enqueued again, files expired; the pages and the API that start, follow and download them."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.selectors import MetricFilters
from audit.models import AuditAction, AuditEvent
from exports.models import ExportJob, ExportStatus
from exports.services import jobs
from tests.api.conftest import client_with

pytestmark = pytest.mark.django_db


def spec(kind="responses_long", file_format="csv", **filters) -> jobs.ExportSpec:
    metric_filters = MetricFilters(**filters)
    return jobs.ExportSpec(kind, file_format, metric_filters, jobs.echo_of(metric_filters))


def test_a_job_writes_its_file_and_counts_its_rows(
    survey_data, exports_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs inline (no broker)
        job = jobs.export_job_create(spec=spec(survey_id=survey_data["a"].id), rows_total=12)

    job.refresh_from_db()
    assert (job.status, job.rows_done, job.progress, job.attempts) == (ExportStatus.DONE, 12, 1.0, 1)
    path = jobs.job_file(job)
    text = path.read_text(encoding="utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 13 and job.file_size == path.stat().st_size
    assert job.expires_at > timezone.now() + timedelta(hours=23)
    assert not list(exports_root.glob("*.part"))


def test_a_job_is_run_by_one_worker_only(survey_data, exports_root):
    job = jobs.export_job_create(spec=spec(), rows_total=14)
    assert jobs.export_job_run(job.id).status == ExportStatus.DONE
    assert jobs.export_job_run(job.id) is None  # a second delivery finds it done
    running = jobs.export_job_create(spec=spec(), rows_total=14)
    ExportJob.objects.filter(pk=running.pk).update(status=ExportStatus.RUNNING, progress_at=timezone.now())
    assert jobs.export_job_run(running.id) is None  # another worker is writing it


def test_a_job_whose_worker_died_is_run_again_and_given_up_after_three_tries(survey_data, exports_root):
    job = jobs.export_job_create(spec=spec(), rows_total=14)
    silent = timezone.now() - jobs.STALE_AFTER - timedelta(seconds=1)
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_at=silent, attempts=1)

    assert jobs.exports_sweep() == 1
    assert jobs.export_job_run(job.id).attempts == 2

    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, progress_at=silent, attempts=3)
    assert jobs.exports_sweep() == 0
    assert ExportJob.objects.get(pk=job.pk).status == ExportStatus.FAILED


def test_a_job_that_fails_leaves_no_file_and_says_why(exports_root, monkeypatch):
    job = jobs.export_job_create(spec=spec(), rows_total=1)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "csv_write", broken)
    with pytest.raises(RuntimeError):
        jobs.export_job_run(job.id)

    job.refresh_from_db()
    assert (job.status, job.error, job.file_name) == (ExportStatus.QUEUED, "disk full", "")
    assert not list(exports_root.iterdir())


def test_a_lost_task_is_enqueued_again_and_old_files_expire(survey_data, exports_root):
    lost = jobs.export_job_create(spec=spec(), rows_total=14)
    ExportJob.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    fresh = jobs.export_job_create(spec=spec(), rows_total=14)
    assert jobs.exports_sweep() == 1
    done = jobs.export_job_run(fresh.id)
    path = jobs.job_file(done)

    assert jobs.exports_expire(now=done.expires_at + timedelta(seconds=1)) == 1
    assert not path.exists() and ExportJob.objects.get(pk=fresh.pk).status == ExportStatus.EXPIRED


def test_the_progress_is_written_while_the_rows_flow(survey_data, exports_root, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    seen = []
    original = jobs._Progress.__call__

    def spy(self, rows):
        original(self, rows)
        seen.append(ExportJob.objects.get(pk=self.job_id).rows_done)

    monkeypatch.setattr(jobs._Progress, "__call__", spy)
    job = jobs.export_job_create(spec=spec(file_format="xlsx"), rows_total=14)

    jobs.export_job_run(job.id)

    assert seen == [14]
    workbook = load_workbook(jobs.job_file(ExportJob.objects.get(pk=job.pk)), read_only=True)
    assert workbook.sheetnames == ["answers"]


# --- Pages ---------------------------------------------------------------------------------------


def test_a_small_export_downloads_at_once_and_is_audited(manager_client, survey_data):
    response = manager_client.post(
        reverse("export-new"), {"kind": "responses_wide", "file_format": "csv", "survey": survey_data["a"].id}
    )

    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 5
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.details["kind"] == "responses_wide" and event.details["filters"]["survey_id"]


def test_a_large_export_becomes_a_job_with_a_progress_page(
    manager_client, survey_data, exports_root, settings, django_capture_on_commit_callbacks
):
    settings.EXPORT_SYNC_MAX_ROWS = 3
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            reverse("export-new"), {"kind": "responses_long", "file_format": "xlsx"}
        )

    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("export-job", args=[job.pk])
    page = manager_client.get(response["Location"]).content.decode()
    assert "data-export-progress" in page and "js/exports.js" in page
    state = manager_client.get(reverse("export-job-state", args=[job.pk])).json()
    assert state["status"] == "done" and state["progress"] == 1.0
    download = manager_client.get(state["download_url"])
    assert download["Content-Disposition"].startswith('attachment; filename="responses-long-')
    assert load_workbook(io.BytesIO(b"".join(download.streaming_content))).sheetnames == ["answers"]


def test_a_small_xlsx_export_downloads_at_once(manager_client, survey_data):
    response = manager_client.post(reverse("export-new"), {"kind": "customers", "file_format": "xlsx"})

    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook["customers"].iter_rows(values_only=True))
    assert rows[0][:2] == ("external_id", "name") and len(rows) == 4
    assert ("'=SMB", "no") in {(row[0], row[-1]) for row in rows[1:]}  # quoted text, a readable flag


def test_one_row_per_response_without_a_survey_is_a_form_error(manager_client):
    response = manager_client.post(reverse("export-new"), {"kind": "responses_wide", "file_format": "csv"})

    assert response.status_code == 400
    assert "needs a survey" in response.content.decode()


def test_the_form_takes_the_dashboard_filters_it_came_with(manager_client, survey_data):
    page = manager_client.get(reverse("export-new"), {"period": "last_30", "segment": "smb"}).content.decode()

    assert '<option value="smb" selected>' in page


def test_a_manager_sees_only_their_own_jobs(manager_client, survey_data, exports_root):
    other = ExportJob.objects.create(kind="customers", file_format="csv")

    assert manager_client.get(reverse("export-job", args=[other.pk])).status_code == 404
    assert manager_client.get(reverse("export-download", args=[other.pk])).status_code == 404


# --- API -----------------------------------------------------------------------------------------


def test_the_api_starts_an_export_and_serves_its_file(
    make_key, survey_data, exports_root, django_capture_on_commit_callbacks
):
    api = client_with(make_key("exports:read")[1])
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(
            "/api/v1/exports/", {"kind": "responses_wide", "survey": survey_data["a"].id, "segment": "smb"}
        )

    assert created.status_code == 202 and created.json()["status"] == "queued"
    polled = api.get(f"/api/v1/exports/{created.json()['id']}/").json()
    assert (polled["status"], polled["rows_done"], polled["rows_total"]) == ("done", 2, 2)
    download = api.get(polled["download_url"])
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3 and {row[6] for row in rows[1:]} == {"smb"}
    assert api.get("/api/v1/exports/").json()["results"][0]["id"] == created.json()["id"]
    assert (
        AuditEvent.objects.filter(action=AuditAction.EXPORT, actor_label__startswith="API key").count() == 2
    )


def test_the_api_says_what_is_wrong_and_when_a_file_is_not_ready(make_key, exports_root):
    api = client_with(make_key("exports:read")[1])

    refused = api.post("/api/v1/exports/", {"kind": "responses_wide"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "survey"
    assert (
        api.post("/api/v1/exports/", {"kind": "everything"}, format="json").json()["errors"][0]["field"]
        == "kind"
    )
    job = api.post("/api/v1/exports/", {"kind": "customers"}, format="json").json()
    not_ready = api.get(f"/api/v1/exports/{job['id']}/download/")
    assert not_ready.status_code == 409 and not_ready.json()["errors"][0]["code"] == "not_ready"
    ExportJob.objects.filter(pk=job["id"]).update(status=ExportStatus.EXPIRED)
    assert api.get(f"/api/v1/exports/{job['id']}/download/").status_code == 410
    other = client_with(make_key("exports:read", name="Other CRM")[1])
    assert other.get(f"/api/v1/exports/{job['id']}/").status_code == 404
