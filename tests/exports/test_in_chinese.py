"""The export page, a job's page and the state its script polls, in Chinese: the script shows only
words the server sends, so they must arrive translated."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from exports.models import ExportJob, ExportKind, ExportStatus
from exports.services.jobs import STOPPED_ERROR
from tests.followups.chinese import ZH, english_left, language_restored  # noqa: F401 - autouse

pytestmark = pytest.mark.django_db

SCRIPT = Path(settings.BASE_DIR) / "static" / "js" / "exports.js"
# Selectors, fetch options and state codes: none of them is read by people.
SCRIPT_STRINGS = {
    "use strict",
    "[data-export-job]",
    "[data-export-progress]",
    "[data-export-status]",
    "[data-export-rows]",
    "[data-export-download]",
    "[data-export-error]",
    "same-origin",
    "application/json",
    "done",
    "failed",
    "expired",
}


@pytest.fixture
def job(manager):
    return ExportJob.objects.create(
        kind=ExportKind.RESPONSES_LONG,
        file_format="csv",
        requested_by=manager,
        rows_total=12345,
        rows_done=1200,
    )


def test_the_export_page_reads_in_chinese(manager_client, job):
    response = manager_client.get(reverse("export-new"), HTTP_ACCEPT_LANGUAGE=ZH)

    html = response.content.decode()
    assert "原始数据导出" in html and "答卷，每个回答一行" in html and "排队中" in html
    assert english_left(html) == []


def test_a_job_page_and_its_polled_state_read_in_chinese(manager_client, job):
    page = manager_client.get(reverse("export-job", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=ZH).content.decode()
    state = manager_client.get(reverse("export-job-state", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=ZH).json()

    assert (state["status"], state["status_label"]) == ("queued", "排队中")
    assert state["rows_text"] == "已写入 1200 行，共约 12345 行"  # zh-hans numbers have no separator
    assert state["rows_text"] in page
    assert english_left(page) == []


def test_a_failed_job_says_why_in_the_readers_language(manager_client, job):
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=STOPPED_ERROR)

    english = manager_client.get(reverse("export-job-state", args=[job.pk]), HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = manager_client.get(reverse("export-job-state", args=[job.pk]), HTTP_ACCEPT_LANGUAGE=ZH).json()

    assert english["rows_text"] == "1,200 of about 12,345 rows"
    assert english["error"] == "The export stopped three times without finishing."
    assert (chinese["status_label"], chinese["error"]) == ("失败", "导出已中断三次，未能完成。")


def test_the_script_holds_no_words_of_its_own():
    code = "\n".join(line for line in SCRIPT.read_text().splitlines() if not line.lstrip().startswith("//"))

    assert "'" not in code and "`" not in code  # its only strings are double-quoted
    assert set(re.findall(r'"([^"]*)"', code)) <= SCRIPT_STRINGS
