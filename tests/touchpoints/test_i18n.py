"""The ledger's messages in the reader's language: API validation errors follow Accept-Language and
keep their codes; the CSV reasons and the command's report are translated; files are read as written."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from api.keys import api_key_create
from tests.factories import CustomerFactory, TouchpointFactory
from touchpoints.csv import csv_import

pytestmark = pytest.mark.django_db

HEADER = "customer_external_id,touchpoint_code,occurred_at,channel,outcome\n"
OUTCOMES = "resolved, pending, escalated, purchased, not_purchased, informed, other"


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in Chinese activates Chinese for the thread (LocaleMiddleware): give the tests that
    follow the language they had."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def api():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_key_create(name='CRM')[1]}")
    return client


@pytest.fixture
def delivery():
    return TouchpointFactory(code="delivery", name="Delivery")


def errors(response) -> list[dict]:
    return response.json()["errors"]


@pytest.mark.parametrize(
    ("language", "message"),
    [("zh-hans", "请确保该值小于或等于 10。"), ("en", "Ensure this value is less than or equal to 10.")],
)
def test_an_api_validation_message_is_in_the_requested_language_with_the_same_code(
    api, delivery, language, message
):
    CustomerFactory(external_id="C-1")
    item = {"customer": "C-1", "touchpoint": "delivery", "experience_score": 11}

    single = api.post("/api/v1/interactions/", item, format="json", HTTP_ACCEPT_LANGUAGE=language)
    bulk = api.post(
        "/api/v1/interactions/bulk/", {"items": [item]}, format="json", HTTP_ACCEPT_LANGUAGE=language
    )

    assert single.status_code == 400
    assert errors(single) == [{"field": "experience_score", "code": "max_value", "message": message}]
    assert bulk.json()["results"][0]["errors"] == [
        {"field": "experience_score", "code": "max_value", "message": message}
    ]


def test_an_unknown_reference_is_named_in_chinese_with_its_code(api):
    CustomerFactory(external_id="C-1")

    response = api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"customer": "C-1", "touchpoint": "nowhere"}]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    assert response.json()["results"][0]["errors"] == [
        {"field": "touchpoint", "code": "does_not_exist", "message": "没有代码为「nowhere」的触点。"}
    ]


def test_a_file_is_read_with_english_labels_whatever_the_language(delivery):
    CustomerFactory(external_id="C-1")
    text = HEADER + "C-1,delivery,2024-05-01,In store,门店\n"

    with translation.override("zh-hans"):
        report = csv_import(kind="interactions", stream=io.StringIO(text))

    # "In store" is read in English; "门店" is a channel's label, not an outcome's.
    assert [(error.field, error.reason) for error in report.errors] == [
        ("outcome", f"「门店」不是以下值之一：{OUTCOMES}。")
    ]


def test_a_chinese_label_is_read_in_a_chinese_session(delivery):
    CustomerFactory(external_id="C-1")
    text = HEADER + "C-1,delivery,2024-05-01,门店,已解决\n"

    with translation.override("zh-hans"):
        report = csv_import(kind="interactions", stream=io.StringIO(text))

    assert (report.created, report.errors) == (1, [])


def test_the_command_reports_in_the_active_language(tmp_path, delivery):
    CustomerFactory(external_id="C-1")
    source = tmp_path / "interactions.csv"
    source.write_text(
        "customer_external_id,touchpoint_code,occurred_at\nC-1,delivery,2024-05-01\n", encoding="utf-8"
    )
    out = io.StringIO()

    with translation.override("zh-hans"):
        call_command("import_csv", "interactions", str(source), stdout=out)

    assert "已读取 1 行：创建 1，更新 0，拒绝 0。" in out.getvalue()
