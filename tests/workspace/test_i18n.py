"""The workspace pages in Simplified Chinese: an agent (and a manager, for the CSV import) reads no
English word of the interface; customers' data, codes and product names stay as they are."""

import html as html_lib
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from analytics.services import metrics_mark_stale, metrics_refresh_stale
from followups.models import FollowUp, FollowUpReason, FollowUpStatus
from surveys.models import Invitation, Question
from tests.factories import (
    AnswerFactory,
    CustomerFactory,
    InteractionFactory,
    InvitationFactory,
    JourneyFactory,
    QuestionFactory,
    ResponseFactory,
    SurveyFactory,
    TouchpointFactory,
    UserFactory,
)
from touchpoints.models import Channel, Stage

pytestmark = pytest.mark.django_db

NOW = timezone.now()
# Product names, abbreviations, key names and formats that are the same in every language.
# "English" is the header's language switcher naming English in English, as every switcher does.
KEPT = {"CEM", "NPS", "CSV", "UTF", "API", "JSON", "ID", "CRM", "MB", "ISO", "true", "false", "English"}
KEPT_PHRASES = ("manage.py import_csv", "--errors FILE")
_VISIBLE_ATTRIBUTE = re.compile(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"')
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


def english_words(page: str, data: tuple[str, ...] = ()) -> list[str]:
    """The Latin words a person reads on ``page`` (its title and body), besides ``data`` (the
    customers' and the user's own text), code (``<code>``, ``<kbd>``, identifiers such as
    ``external_id``), emails and the words of ``KEPT``."""
    if "<body" in page:
        title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
        page = title + page[page.index("<body") :]
    page = re.sub(r"<(script|code|kbd|datalist)\b.*?</\1>", " ", page, flags=re.S)
    attributes = " ".join(_VISIBLE_ATTRIBUTE.findall(page))
    text = html_lib.unescape(re.sub(r"<[^>]+>", " ", page) + " " + html_lib.unescape(attributes))
    for phrase in (*data, *KEPT_PHRASES):
        text = text.replace(phrase, " ")
    text = re.sub(r"\S+@\S+", " ", text)  # emails
    text = re.sub(r"\b\w+_\w+\b", " ", text)  # identifiers: codes, column names
    return [word for word in _WORD.findall(text) if word not in KEPT]


@pytest.fixture(autouse=True)
def _language_restored():
    """A request in Chinese activates Chinese for the thread (LocaleMiddleware): give the tests that
    follow the language they had."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def zh(client):
    """A client whose browser asks for Simplified Chinese."""

    def signed_in(user) -> Client:
        chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        chinese.force_login(user)
        return chinese

    return signed_in


@pytest.fixture
def customer():
    """A customer with a full history: contacts, a survey answered, a journey, an open case."""
    customer = CustomerFactory(
        external_id="C-1", name="王芳", email="wang@example.com", segment="", value_tier="gold"
    )
    delivery = TouchpointFactory(
        code="delivery",
        name="配送",
        stage=Stage.POST_SALE,
        channel=Channel.PHONE,
        measure_name="配送时间",
        measure_unit="天",
        measure_direction="lower_is_better",
    )
    showroom = TouchpointFactory(code="showroom", name="展厅", stage=Stage.PRE_SALE, channel=Channel.IN_STORE)
    journey = JourneyFactory(
        customer=customer, journey_map__name="购买沙发", started_at=NOW - timedelta(days=10)
    )
    agent = UserFactory(username="li", first_name="李", last_name="")
    InteractionFactory(
        customer=customer,
        touchpoint=showroom,
        journey=journey,
        agent=agent,
        outcome="informed",
        category="咨询",
        experience_score=9,
        occurred_at=NOW - timedelta(days=9),
    )
    InteractionFactory(
        customer=customer,
        touchpoint=delivery,
        journey=journey,
        source="api",
        agent=None,
        outcome="escalated",
        notes="包裹延误",
        experience_score=2,
        expected_value=2,
        actual_value=5,
        occurred_at=NOW - timedelta(days=2),
    )
    survey = SurveyFactory(name="配送满意度")
    response = ResponseFactory(
        invitation=InvitationFactory(survey=survey, customer=customer, status=Invitation.Status.RESPONDED),
        submitted_at=NOW - timedelta(days=1),
    )
    AnswerFactory(response=response, question=QuestionFactory(survey=survey, order=1), score=3)
    comment = QuestionFactory(survey=survey, order=2, type=Question.Type.TEXT, required=False)
    AnswerFactory(response=response, question=comment, text="太慢了")
    FollowUp.objects.create(
        reason=FollowUpReason.DETRACTOR,
        customer=customer,
        response=response,
        score=3,
        status=FollowUpStatus.OPEN,
        opened_at=NOW - timedelta(days=1),
        due_at=NOW - timedelta(hours=1),
    )
    metrics_mark_stale(journey_ids=[journey.id])
    metrics_refresh_stale()
    return customer


DATA = ("C-1",)


def data_of(user) -> tuple[str, ...]:
    """What the page shows of the customer and of the signed-in user (their name in the top bar)."""
    return (*DATA, user.first_name, user.get_username())


def test_home_reads_in_chinese(zh, agent, customer):
    page = zh(agent).get(reverse("home")).content.decode()

    assert "最新互动" in page
    assert english_words(page, data_of(agent)) == []


def test_search_results_read_in_chinese(zh, agent, customer):
    client = zh(agent)
    found = client.get(reverse("customer-search"), {"q": "王芳"}).content.decode()
    too_short = client.get(reverse("customer-search-results"), {"q": "王"}).content.decode()
    nothing = client.get(reverse("customer-search-results"), {"q": "无此人"}).content.decode()

    assert "王芳" in found and "黄金" in found
    assert english_words(found, data_of(agent)) == []
    assert english_words(too_short) == [] and english_words(nothing) == []


def test_customer_detail_reads_in_chinese(zh, agent, customer):
    page = zh(agent).get(reverse("customer-detail", args=[customer.id])).content.decode()

    assert "峰终得分" in page and "关键时刻" in page and "贬损者" in page
    assert english_words(page, data_of(agent)) == []


def test_a_refused_log_reads_in_chinese(zh, agent, customer):
    url = reverse("customer-interaction-create", args=[customer.id])

    page = zh(agent).post(url, {"experience_score": "11"}).content.decode()

    assert "请选择此次互动发生的触点。" in page and "体验按 0–10 计分。" in page
    assert english_words(page, data_of(agent)) == []


def test_csv_import_page_and_report_read_in_chinese(zh, manager):
    client = zh(manager)
    empty = client.get(reverse("csv-import")).content.decode()
    upload = SimpleUploadedFile(
        "customers.csv", "external_id,name,email\nC-1,王芳,wang@example.com\nC-2,,\n".encode()
    )
    report = client.post(reverse("csv-import"), {"kind": "customers", "file": upload}).content.decode()

    assert english_words(empty, data_of(manager)) == []
    assert "<strong>1</strong> 条已创建" in report
    assert english_words(report, data_of(manager)) == []
