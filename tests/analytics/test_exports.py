"""Downloads: every dashboard's data as CSV and XLSX, safe against formula injection."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from analytics.exports import ExportTable, csv_cell, csv_response, safe_text, xlsx_bytes, xlsx_cell
from analytics.services import metrics_rebuild
from surveys.models import Question
from tests.factories import AnswerFactory, QuestionFactory, ResponseFactory, SurveyFactory

DANGEROUS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://evil")']


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_a_spreadsheet_would_run_gets_a_leading_quote(text):
    assert safe_text(text) == "'" + text
    assert csv_cell(text) == "'" + text
    assert xlsx_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Late parcel", "", " =1", "1-2", "包裹晚了", "'quoted"])
def test_other_text_is_left_alone(text):
    assert safe_text(text) == text


def test_numbers_stay_numbers_even_when_negative():
    assert csv_cell(-8.95) == -8.95 and xlsx_cell(-8.95) == -8.95
    assert csv_cell(0) == 0 and csv_cell(None) == "" and xlsx_cell(None) is None
    assert csv_cell(True) == "yes" and xlsx_cell(False) == "no"


def test_dates_and_aware_times_are_written_in_the_platform_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    moment = datetime(2025, 3, 1, 20, 30, 15, 999, tzinfo=UTC)
    assert csv_cell(moment) == "2025-03-02 04:30:15"
    assert xlsx_cell(moment) == datetime(2025, 3, 2, 4, 30, 15)
    assert csv_cell(date(2025, 3, 1)) == "2025-03-01"


TABLE = ExportTable(
    "comments",
    "Comments",
    ("when", "NPS (0-10)", "comment"),
    [(date(2025, 3, 1), -5.5, '=HYPERLINK("http://evil")'), (date(2025, 3, 2), 9, "包裹晚了\x0b")],
)


def test_a_csv_download_is_one_table_with_its_header():
    response = csv_response(TABLE, filename="cem-comments.csv")
    text = response.content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cem-comments.csv"'
    assert text.startswith("\ufeff")  # spreadsheets then read UTF-8 (简体中文) right
    assert rows == [
        ["when", "NPS (0-10)", "comment"],
        ["2025-03-01", "-5.5", '\'=HYPERLINK("http://evil")'],
        ["2025-03-02", "9", "包裹晚了\x0b"],
    ]


def test_an_xlsx_download_has_a_sheet_per_table_and_no_formula():
    workbook = load_workbook(io.BytesIO(xlsx_bytes([TABLE, TABLE], about=[("Period", "Mar 2025")])))
    assert workbook.sheetnames == ["About", "comments", "comments 2"]
    sheet = workbook["comments"]
    rows = list(sheet.iter_rows(values_only=True))

    assert rows[0] == ("when", "NPS (0-10)", "comment")
    assert rows[1][1] == -5.5
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=3).data_type == "s"  # text, not a formula
    assert rows[2][2] == "包裹晚了"  # a character XML cannot hold is dropped, not a crash
    assert list(workbook["About"].iter_rows(values_only=True)) == [("Period", "Mar 2025")]


# --- The download views --------------------------------------------------------------------------


@pytest.fixture
def answered(db):
    """One response today with a comment that tries to be a formula."""
    survey = SurveyFactory()
    response = ResponseFactory(invitation__survey=survey, submitted_at=timezone.now() - timedelta(hours=1))
    AnswerFactory(response=response, question=QuestionFactory(survey=survey, type=Question.Type.NPS), score=2)
    AnswerFactory(
        response=response,
        question=QuestionFactory(survey=survey, type=Question.Type.TEXT),
        text='=HYPERLINK("http://evil.example","click")',
    )
    metrics_rebuild()
    return response


def export_url(slug: str, fmt: str) -> str:
    return reverse("dashboard-export", kwargs={"slug": slug, "fmt": fmt})


def test_the_comments_download_quotes_a_formula(manager_client, answered):
    response = manager_client.get(export_url("comments", "csv"))
    rows = list(csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff"))))
    assert response.status_code == 200
    assert rows[0][-1] == "comment" and rows[1][-1] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[1][7] == "2.0"  # the NPS answer of the same response, a number

    workbook = load_workbook(io.BytesIO(manager_client.get(export_url("comments", "xlsx")).content))
    cell = workbook["comments"].cell(row=2, column=10)
    assert (cell.value, cell.data_type) == ('\'=HYPERLINK("http://evil.example","click")', "s")


@pytest.mark.parametrize(
    ("slug", "sheets"),
    [
        ("overview", ["About", "summary", "nps_trend"]),
        ("touchpoints", ["About", "touchpoints", "heatmap"]),
        ("journeys", ["About", "steps"]),
        ("drivers", ["About", "drivers"]),
        ("comments", ["About", "comments"]),
    ],
)
def test_every_dashboard_downloads_as_a_workbook(manager_client, answered, slug, sheets):
    response = manager_client.get(export_url(slug, "xlsx"), {"period": "last_30"})
    workbook = load_workbook(io.BytesIO(response.content))
    today = timezone.localdate()

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="cem-{slug}-{today - timedelta(days=29)}-to-{today}.xlsx"'
    )
    assert workbook.sheetnames == sheets
    about = dict(workbook["About"].iter_rows(values_only=True))
    assert about["Period"].endswith("(30 days)")


def test_the_overview_summary_is_in_the_download(manager_client, answered):
    response = manager_client.get(export_url("overview", "csv"), {"table": "summary"})
    rows = {
        row[0]: row[1:] for row in csv.reader(io.StringIO(response.content.decode().removeprefix("\ufeff")))
    }
    assert rows["NPS (points)"] == ["-100.0", ""]
    assert rows["Detractors"] == ["1", "0"]


def test_the_download_names_the_filters_it_used(manager_client, answered):
    survey = answered.survey
    response = manager_client.get(export_url("overview", "xlsx"), {"survey": survey.id, "stage": "pre_sale"})
    about = dict(load_workbook(io.BytesIO(response.content))["About"].iter_rows(values_only=True))
    assert (about["Dashboard"], about["Survey"], about["Stage"]) == ("Overview", survey.name, "Pre-sale")


def test_an_unknown_csv_table_is_400_naming_the_tables(manager_client, answered):
    response = manager_client.get(export_url("touchpoints", "csv"), {"table": "nope"})
    assert response.status_code == 400
    assert response.content.decode() == "Unknown table 'nope': this download has touchpoints, heatmap."
