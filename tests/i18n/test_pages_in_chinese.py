"""Every staff page, in Chinese, shows no English but data, codes and names kept in Latin letters.

The Chinese demo company is seeded (its data is Chinese; its surveys also carry English texts,
which count as data), a CX manager who chose zh-hans opens each page the navigation leads to,
the detail pages behind them and every admin list, and each page's visible words are scanned
(tests/i18n/english.py). The failure lists each page with the texts still in English.
"""

import io

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from access.languages import set_user_language
from access.roles import AGENT, MANAGER, ROLES
from followups.models import FollowUp
from journeys.models import JourneyMap
from surveys.models import Question, Survey
from tests.factories import UserFactory
from tests.i18n.english import data_words, english_in_page
from touchpoints.models import Customer, Touchpoint

pytestmark = pytest.mark.django_db

OWN_APPS = ("access", "audit", "webhooks", "touchpoints", "journeys", "surveys", "followups", "analytics")


@pytest.fixture
def chinese_demo(settings):
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    arguments = ["--customers", "60", "--seed", "7", "--language", "zh-hans"]
    call_command("seed_demo", *arguments, stdout=io.StringIO())


def _staff(role: str, username: str, *, superuser: bool = False) -> Client:
    user = UserFactory(username=username, is_staff=superuser, is_superuser=superuser)
    user.groups.add(Group.objects.get(name=role))
    set_user_language(user, "zh-hans")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the user's choice, not the browser, must win
    client.force_login(user)
    return client


def _staff_pages() -> list[str]:
    customer = Customer.objects.filter(interactions__isnull=False).order_by("pk").first()
    survey = Survey.objects.order_by("pk").first()
    question = Question.objects.filter(survey=survey).order_by("order", "pk").first()
    follow_up = FollowUp.objects.order_by("pk").first()
    touchpoint = Touchpoint.objects.order_by("pk").first()
    journey_map = JourneyMap.objects.order_by("pk").first()
    return [
        reverse("home"),
        reverse("customer-search"),
        reverse("customer-search-results") + "?q=" + customer.name[:1],
        reverse("customer-detail", args=[customer.pk]),
        reverse("customer-erase", args=[customer.pk]),
        reverse("csv-import"),
        reverse("follow-up-list"),
        reverse("follow-up-detail", args=[follow_up.pk]),
        reverse("survey-builder-list"),
        reverse("survey-builder-create"),
        reverse("survey-builder-detail", args=[survey.pk]),
        reverse("survey-builder-edit", args=[survey.pk]),
        reverse("survey-builder-question-create", args=[survey.pk]),
        reverse("survey-builder-question-edit", args=[survey.pk, question.pk]),
        reverse("survey-builder-question-delete", args=[survey.pk, question.pk]),
        reverse("dashboard-overview"),
        reverse("dashboard-touchpoints"),
        reverse("dashboard-touchpoint-detail", args=[touchpoint.pk]),
        reverse("dashboard-journeys"),
        reverse("dashboard-journeys") + f"?journey_map={journey_map.pk}",
        reverse("journey-map-list"),
        reverse("journey-map-create"),
        reverse("journey-map-edit", args=[journey_map.pk]),
        reverse("dashboard-drivers") + "?period=last_365",
        reverse("dashboard-comments"),
        reverse("audit-log"),
        reverse("export-new"),
    ]


def _admin_pages() -> list[str]:
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        if model._meta.app_label in OWN_APPS:
            pages.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    return pages


def _english_left(client: Client, pages: list[str], words: frozenset[str]) -> dict[str, list[str]]:
    left = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Content-Language"] == "zh-hans", url
        found = english_in_page(response.content.decode(), words)
        if found:
            left[url] = found
    return left


def _report(left: dict[str, list[str]]) -> str:
    return "English left on pages in zh-hans:\n" + "\n".join(
        f"  {url}:\n" + "\n".join(f"      {text!r}" for text in texts[:12]) for url, texts in left.items()
    )


def test_every_staff_page_of_a_manager_is_chinese(chinese_demo):
    manager = _staff(MANAGER, "zh-manager")
    words = data_words()
    left = _english_left(manager, _staff_pages(), words)
    assert not left, _report(left)


def test_every_admin_list_is_chinese(chinese_demo):
    root = _staff(MANAGER, "zh-root", superuser=True)
    words = data_words()
    left = _english_left(root, _admin_pages(), words)
    assert not left, _report(left)


def test_the_agent_pages_are_chinese(chinese_demo):
    agent = _staff(AGENT, "zh-agent")
    customer = Customer.objects.filter(interactions__isnull=False).order_by("pk").first()
    pages = [reverse("home"), reverse("customer-search"), reverse("customer-detail", args=[customer.pk])]
    left = _english_left(agent, [*pages, reverse("follow-up-list")], data_words())
    assert not left, _report(left)


@pytest.mark.parametrize("status_url", ["/no-such-page/", "/dashboards/"])
def test_error_pages_are_chinese(status_url, chinese_demo):
    agent = _staff(AGENT, "zh-agent-errors")  # /dashboards/ is for managers: 403
    response = agent.get(status_url)
    assert response.status_code in (403, 404)
    left = english_in_page(response.content.decode(), data_words())
    assert not left, left
