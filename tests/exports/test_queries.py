"""The raw exports' rows: the dashboards' cut, every question type in the wide layout, safe cells,
files the import reads back; CSV straight from ``COPY`` (streamed from a thread, or inline within a
transaction) and XLSX from typed rows."""

import csv
import io
import threading

import pytest
from django.db.models import Sum
from django.utils import timezone
from openpyxl import load_workbook

from analytics.models import ResponseRollup
from analytics.selectors import MetricFilters
from exports.selectors import queries
from exports.selectors.estimates import rows_expected
from exports.services import writers
from infra.copy import csv_chunks
from tests.factories import CustomerFactory, InteractionFactory, TouchpointFactory
from touchpoints.csv import csv_import

pytestmark = pytest.mark.django_db


def csv_rows(query) -> list[list[str]]:
    text = b"".join(writers.csv_stream(query)).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_wide_layout_has_a_column_per_question_and_two_per_pair(survey_data):
    header, *rows = csv_rows(queries.responses_wide(MetricFilters(survey_id=survey_data["a"].id)))

    assert header[-5:] == [
        "q1_nps",
        "q2_expectation_experience_expected",
        "q2_expectation_experience_experienced",
        "q3_multi_choice",
        "q4_text",
    ]
    by_id = {int(row[0]): dict(zip(header, row, strict=True)) for row in rows}
    first, second, third, fourth = (by_id[r.id] for r in survey_data["responses"])
    assert (first["q1_nps"], first["q2_expectation_experience_expected"]) == ("10", "5")
    assert first["q3_multi_choice"] == "price; speed"
    assert first["q4_text"] == "'=cmd|' /C calc'!A0"  # a formula reaches the spreadsheet as text
    assert fourth["q4_text"] == "'-5 % off"
    assert (third["q2_expectation_experience_experienced"], third["q4_text"]) == ("", "")
    assert (third["touchpoint_code"], third["stage"], third["channel"]) == ("store", "mid_sale", "in_store")
    assert third["customer_external_id"] == "'=SMB"
    assert second["submitted_at"] == timezone.localtime(survey_data["responses"][1].submitted_at).strftime(
        "%Y-%m-%d %H:%M:%S"
    )


def test_one_row_per_response_needs_a_survey():
    with pytest.raises(queries.ExportUnavailable):
        queries.responses_wide(MetricFilters())


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"touchpoint": "delivery"},
        {"stage": "mid_sale"},
        {"channel": "phone"},
        {"segment": "smb"},
        {"value_tier": "gold"},
        {"survey": "b"},
        {"days": 0},
    ],
)
def test_an_export_holds_exactly_the_responses_the_dashboards_count(survey_data, filters):
    values = {}
    if "touchpoint" in filters:
        values["touchpoint_id"] = survey_data[filters["touchpoint"]].id
    if "survey" in filters:
        values["survey_id"] = survey_data[filters["survey"]].id
    if "days" in filters:
        today = timezone.localdate()
        values.update(start=today, end=today)
    for name in ("stage", "channel", "segment", "value_tier"):
        if name in filters:
            values[name] = filters[name]
    metric_filters = MetricFilters(**values)
    counted = ResponseRollup.objects.filter(metric_filters.for_responses()).aggregate(n=Sum("responses"))["n"]

    _, *rows = csv_rows(queries.responses_long(metric_filters))

    assert len({row[0] for row in rows}) == counted
    assert rows_expected("responses_wide", metric_filters, None) == counted


def test_the_long_layout_has_a_row_per_answer_with_the_question(survey_data):
    header, *rows = csv_rows(queries.responses_long(MetricFilters(survey_id=survey_data["a"].id)))

    assert len(rows) == 4 + 3 + 2 + 3  # NPS, pairs, choices, texts
    pair = next(
        dict(zip(header, row, strict=True)) for row in rows if row[header.index("question")] == "Wait"
    )
    assert (pair["question_type"], pair["question_number"]) == ("expectation_experience", "2")
    assert {pair["score"], pair["expected"]} <= {"4", "5", "7", "10"}


def test_an_export_of_customers_and_interactions_imports_back_unchanged():
    customer = CustomerFactory(external_id="C-1", name="=Grace", phone="+442079460000", value_tier="gold")
    InteractionFactory(
        customer=customer,
        touchpoint=TouchpointFactory(code="delivery"),
        external_id="CALL-1",
        notes="-5 % off",
        experience_score=3,
    )
    before = [csv_rows(queries.customers(MetricFilters())), csv_rows(queries.interactions(MetricFilters()))]

    for kind, rows in zip(("customers", "interactions"), before, strict=True):
        out = io.StringIO()
        csv.writer(out).writerows(rows)
        out.seek(0)
        report = csv_import(kind=kind, stream=out)
        assert (report.updated, report.refused) == (1, 0)

    after = [csv_rows(queries.customers(MetricFilters())), csv_rows(queries.interactions(MetricFilters()))]
    assert after == before
    assert before[0][1][:2] == ["C-1", "'=Grace"] and before[1][1][8] == "'-5 % off"
    customer.refresh_from_db()
    assert (customer.name, customer.phone) == ("=Grace", "+442079460000")


def test_export_neutralises_cells_a_spreadsheet_would_run_as_formulas():
    CustomerFactory(
        external_id="=HYPERLINK(1)", name="+cmd|' /C calc'!A0", email="", phone="-2+3", segment="@SUM(1)"
    )
    CustomerFactory(external_id="C-2", name="\tTabbed", segment="\rReturn")

    header, *rows = csv_rows(queries.customers(MetricFilters()))

    assert header[:2] == ["external_id", "name"]
    cells = [cell for row in rows for cell in row]
    assert "'=HYPERLINK(1)" in cells and "'+cmd|' /C calc'!A0" in cells and "'-2+3" in cells
    assert "'@SUM(1)" in cells and "'\tTabbed" in cells and "'\rReturn" in cells
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)


def test_interactions_are_cut_like_the_interaction_rollups():
    phone = TouchpointFactory(code="phone", channel="phone", stage="pre_sale")
    InteractionFactory(touchpoint=phone, customer=CustomerFactory(segment="smb"))
    InteractionFactory(touchpoint=phone, customer=CustomerFactory(segment="consumer"))
    InteractionFactory()

    _, *rows = csv_rows(queries.interactions(MetricFilters(stage="pre_sale", segment="smb")))

    assert [row[1] for row in rows] == ["phone"]


def test_xlsx_holds_typed_values_and_goes_on_in_a_second_sheet(survey_data, tmp_path, monkeypatch):
    monkeypatch.setattr(writers, "XLSX_SHEET_ROWS", 3)
    path = tmp_path / "out.xlsx"
    seen = []

    rows = writers.xlsx_write(
        queries.responses_wide(MetricFilters(survey_id=survey_data["a"].id)),
        path,
        title="responses",
        progress=seen.append,
    )

    workbook = load_workbook(path, read_only=True)
    assert rows == 4 and seen[-1] == 4
    assert workbook.sheetnames == ["responses", "responses (2)"]
    first = list(workbook["responses"].iter_rows(values_only=True))
    second = list(workbook["responses (2)"].iter_rows(values_only=True))
    assert first[0] == second[0] and len(first) == 4 and len(second) == 2
    values = dict(zip(first[0], first[1], strict=True))
    assert values["q1_nps"] == 10 and isinstance(
        values["submitted_at"], type(timezone.now().replace(tzinfo=None))
    )
    assert values["q4_text"] == "'=cmd|' /C calc'!A0"


@pytest.mark.django_db(transaction=True)
def test_a_stream_outside_a_transaction_reads_on_a_thread_of_its_own(survey_data):
    query = queries.responses_long(MetricFilters())
    threads = threading.active_count()
    chunks = csv_chunks(query)

    text = b"".join(chunks).decode()

    assert len(text.splitlines()) == 14  # every answer: 12 of survey A, 2 of survey B
    assert threading.active_count() == threads


@pytest.mark.django_db(transaction=True)
def test_a_download_closed_early_stops_its_query(survey_data, monkeypatch):
    from infra import copy

    monkeypatch.setattr(copy, "CHUNK_BYTES", 16)
    monkeypatch.setattr(copy, "QUEUE_CHUNKS", 1)
    threads = threading.active_count()
    chunks = csv_chunks(queries.responses_long(MetricFilters()))

    assert next(chunks)
    chunks.close()  # the client went away

    assert threading.active_count() == threads


@pytest.mark.django_db(transaction=True)
def test_a_failing_query_raises_in_the_consumer():
    from infra.copy import Column, ExportQuery

    query = ExportQuery([Column("x", "1 / 0", "number")], "")

    with pytest.raises(Exception, match="division by zero"):
        b"".join(csv_chunks(query))
