"""What the customer's survey page costs in SQL, pinned so a regression fails, and the caches behind
it: the questions and the blank page kept per survey version, renewed by every edit."""

import re
from uuid import uuid4

import pytest
from django.db import connection
from django.template import engines
from django.template.loaders.cached import Loader as CachedLoader
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.models import StaleMark
from surveys.models import Answer, Invitation, Question, Response, Survey
from surveys.selectors import public as public_selectors
from surveys.services.builder import (
    question_create,
    question_delete,
    question_move,
    question_update,
    survey_update,
)
from surveys.tokens import token_for
from surveys.views import public as public_views
from tests.factories import InvitationFactory, QuestionFactory, SurveyFactory
from webhooks.models import WebhookEndpoint, WebhookMessage

pytestmark = pytest.mark.django_db

QType = Question.Type

# What the page may cost once this process knows the survey: the invitation with its survey and
# customer, and the "opened" mark on the first opening.
FIRST_OPENING_QUERIES = 2
# A submission: the invitation, BEGIN, the claim (UPDATE), the response, its answers (one INSERT),
# the stale marks (one INSERT), the webhook subscriptions, COMMIT; one INSERT more of the outbox
# messages when somebody subscribes.
SUBMISSION_QUERIES = 8
SUBMISSION_QUERIES_WITH_SUBSCRIPTIONS = 9


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """A cache of this test's own: failure counts must not leak from one test into another."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid4())}
    }


@pytest.fixture(autouse=True)
def _cold_process():
    """Each test starts as a process that has not met any survey yet."""
    public_selectors._questions_of.cache_clear()
    public_views._blank_survey_page.cache_clear()


def link(invitation: Invitation) -> str:
    return reverse("survey-answer", args=[token_for(invitation.token_nonce)])


def survey_of_every_type(copies: int) -> Survey:
    """A live survey in English with ``copies`` questions of every type, all required but the text
    ones."""
    survey = SurveyFactory(languages=["en"], titles={"en": "Tell us how we did"})
    choices = [{"value": "phone", "labels": {"en": "Phone"}}, {"value": "store", "labels": {"en": "Store"}}]
    kinds = [
        {"type": QType.NPS},
        {"type": QType.CSAT},
        {"type": QType.CES},
        {"type": QType.RATING, "scale_min": 1, "scale_max": 4},
        {"type": QType.EXPECTATION_EXPERIENCE, "scale_min": 1, "scale_max": 10},
        {"type": QType.SINGLE_CHOICE, "choices": choices},
        {"type": QType.MULTI_CHOICE, "choices": choices},
        {"type": QType.TEXT, "required": False},
    ]
    for copy in range(copies):
        for place, kind in enumerate(kinds, start=1):
            QuestionFactory(
                survey=survey, order=copy * len(kinds) + place, texts={"en": f"Q{place}.{copy}"}, **kind
            )
    return survey


def answers(survey: Survey, *, nps: str = "9") -> dict:
    """A valid answer to every question of ``survey``."""
    data = {"lang": "en"}
    for question in survey.questions.all():
        name = f"q{question.id}"
        if question.type == QType.NPS:
            data[name] = nps
        elif question.type == QType.EXPECTATION_EXPERIENCE:
            data[name], data[f"{name}-expected"] = "6", "8"
        elif question.type in (QType.SINGLE_CHOICE, QType.MULTI_CHOICE):
            data[name] = "store"
        elif question.type == QType.TEXT:
            data[name] = "Quick and friendly."
        else:
            data[name] = "3"
    return data


def invitation_to(survey: Survey) -> Invitation:
    return InvitationFactory(
        survey=survey, status=Invitation.Status.SENT, sent_at=timezone.now(), language="en"
    )


def sql_of(client, method: str, *args) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = getattr(client, method)(*args)
    assert response.status_code == (200 if method == "get" else 302), response.content[:500]
    return [query["sql"] for query in queries.captured_queries]


def inserts_into(statements: list[str], model) -> int:
    table = model._meta.db_table
    return sum(1 for sql in statements if re.search(rf'INSERT INTO "?{table}"?', sql))


# --- GET --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("copies", [1, 3])
def test_a_first_opening_costs_two_queries_however_many_questions(client, copies):
    survey = survey_of_every_type(copies)
    client.get(link(invitation_to(survey)))  # this process now knows the survey
    invitation = invitation_to(survey)
    statements = sql_of(client, "get", link(invitation))
    assert len(statements) <= FIRST_OPENING_QUERIES, statements
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.OPENED and invitation.opened_at is not None


def test_opening_the_link_again_costs_one_query_and_writes_nothing(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    client.get(link(invitation))
    statements = sql_of(client, "get", link(invitation))
    assert len(statements) == 1 and statements[0].startswith("SELECT"), statements


def test_a_process_reads_the_questions_of_a_survey_version_once(client):
    survey = survey_of_every_type(1)
    cold = sql_of(client, "get", link(invitation_to(survey)))
    warm = sql_of(client, "get", link(invitation_to(survey)))
    assert len(cold) == FIRST_OPENING_QUERIES + 1 and len(warm) == FIRST_OPENING_QUERIES
    assert any('FROM "surveys_question"' in sql for sql in cold)
    assert not any('FROM "surveys_question"' in sql for sql in warm)


def test_the_kept_page_is_the_page_rendered_afresh_with_this_links_form_action(client):
    survey = survey_of_every_type(2)
    client.get(link(invitation_to(survey)))
    invitation = invitation_to(survey)
    kept = client.get(link(invitation)).content.decode()
    public_selectors._questions_of.cache_clear()
    public_views._blank_survey_page.cache_clear()
    fresh = client.get(link(invitation)).content.decode()
    assert kept == fresh
    assert f'action="{link(invitation)}"' in kept
    assert public_views._STAND_IN_TOKEN not in kept


def test_the_survey_page_templates_come_from_the_cached_loader():
    loaders = engines["django"].engine.template_loaders
    assert [type(loader) for loader in loaders] == [CachedLoader]


# --- POST -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("copies", [1, 3])
def test_a_submission_costs_a_fixed_handful_of_queries_however_many_questions(client, copies):
    survey = survey_of_every_type(copies)
    client.get(link(invitation_to(survey)))
    invitation = invitation_to(survey)
    client.get(link(invitation))
    statements = sql_of(client, "post", link(invitation), answers(survey))
    assert len(statements) <= SUBMISSION_QUERIES, statements
    assert inserts_into(statements, Answer) == 1 and inserts_into(statements, StaleMark) == 1
    assert Answer.objects.filter(response__invitation=invitation).count() == 8 * copies
    assert StaleMark.objects.count() == 2  # the response's row, and its invitation's sending day


def test_a_submission_with_webhook_subscriptions_writes_the_outbox_in_one_insert(client):
    for url in ("https://crm.example.com/a", "https://crm.example.com/b"):
        WebhookEndpoint.objects.create(
            url=url, events=["response.created", "response.detractor"], secret="whsec_test"
        )
    survey = survey_of_every_type(2)
    client.get(link(invitation_to(survey)))
    invitation = invitation_to(survey)
    statements = sql_of(client, "post", link(invitation), answers(survey, nps="3"))
    assert len(statements) <= SUBMISSION_QUERIES_WITH_SUBSCRIPTIONS, statements
    assert inserts_into(statements, WebhookMessage) == 1
    events = sorted(WebhookMessage.objects.values_list("event_type", flat=True))
    assert events == ["response.created"] * 2 + ["response.detractor"] * 2


def test_an_invalid_submission_writes_nothing_and_leaves_the_invitation_open(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    invalid = answers(survey) | {f"q{survey.questions.get(type=QType.NPS).id}": "11"}
    assert client.post(link(invitation), invalid).status_code == 400
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.SENT and invitation.responded_at is None
    assert not Response.objects.exists() and not StaleMark.objects.exists()
    assert client.post(link(invitation), answers(survey)).status_code == 302


def test_a_response_stored_without_the_claim_still_refuses_a_second_one(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    Response.objects.create(
        invitation=invitation, survey=survey, customer=invitation.customer, submitted_at=invitation.created_at
    )
    assert client.post(link(invitation), answers(survey)).status_code == 409
    assert Response.objects.count() == 1


# --- edits reach the page at once -----------------------------------------------------------------


def question_fields(question: Question, **changes) -> dict:
    fields = {
        "type": question.type,
        "texts": question.texts,
        "required": question.required,
        "choices": question.choices,
        "scale_min": question.scale_min,
        "scale_max": question.scale_max,
        "scale_labels": question.scale_labels,
        "direction": question.direction,
        "driver": question.driver,
    }
    return fields | changes


def test_a_question_edited_in_the_builder_shows_on_the_next_page(client):
    survey = survey_of_every_type(1)
    client.get(link(invitation_to(survey)))  # page and questions kept
    nps = survey.questions.get(type=QType.NPS)
    question_update(question=nps, **question_fields(nps, texts={"en": "Would you recommend us?"}))
    page = client.get(link(invitation_to(survey))).content.decode()
    assert "Would you recommend us?" in page and "Q1.0" not in page


def test_a_question_added_in_the_builder_is_asked_and_required_at_once(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    client.get(link(invitation))
    added = question_create(survey=survey, type=QType.CSAT, texts={"en": "And the delivery?"})
    assert "And the delivery?" in client.get(link(invitation)).content.decode()
    without = answers(survey)
    del without[f"q{added.id}"]
    assert client.post(link(invitation), without).status_code == 400
    assert client.post(link(invitation), answers(survey)).status_code == 302


def test_a_question_deleted_in_the_builder_is_gone_from_the_page_and_the_form(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    client.get(link(invitation))
    rating = survey.questions.get(type=QType.RATING)
    posted = answers(survey)
    question_delete(question=rating)
    assert "Q4.0" not in client.get(link(invitation)).content.decode()
    assert client.post(link(invitation), posted).status_code == 400  # the old form: outdated
    assert client.post(link(invitation), answers(survey)).status_code == 302


def test_a_question_moved_in_the_builder_moves_on_the_page(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    page = client.get(link(invitation)).content.decode()
    assert page.index("Q1.0") < page.index("Q2.0")
    question_move(question=survey.questions.get(type=QType.CSAT), up=True)
    page = client.get(link(invitation)).content.decode()
    assert page.index("Q2.0") < page.index("Q1.0")


def test_a_survey_edited_in_the_builder_shows_its_new_title_at_once(client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    client.get(link(invitation))
    survey_update(
        survey=survey, name=survey.name, kind=survey.kind, languages=["en"], titles={"en": "How was it?"}
    )
    assert "How was it?" in client.get(link(invitation)).content.decode()


def _form_data(form) -> dict:
    """What a browser would post back for ``form`` unchanged (values as the widgets show them)."""
    return {bound.html_name: bound.value() for bound in form if bound.value() not in (None, False)}


def test_a_question_edited_in_the_admin_shows_on_the_next_page(admin_client, client):
    survey = survey_of_every_type(1)
    invitation = invitation_to(survey)
    client.get(link(invitation))
    url = reverse("admin:surveys_survey_change", args=[survey.pk])
    page = admin_client.get(url)
    data = _form_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data |= _form_data(formset.management_form)
        for form in formset.forms:
            data |= _form_data(form)
    nps = survey.questions.get(type=QType.NPS)
    field = next(name for name in data if name.endswith("-id") and str(data[name]) == str(nps.pk))
    data[field.removesuffix("-id") + "-texts"] = '{"en": "Edited in the admin"}'
    assert admin_client.post(url, data).status_code == 302
    assert "Edited in the admin" in client.get(link(invitation)).content.decode()
