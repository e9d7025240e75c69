"""Who may do what in the workspace, from every side: agents search, see the 360, log contacts and
work cases; only managers import, export and assign; no role sees nothing; no sign-in, the login."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp, FollowUpReason
from tests.factories import CustomerFactory, InteractionFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

SECRET = "Private Person"


@pytest.fixture
def world(agent):
    customer = CustomerFactory(name=SECRET, external_id="CRM-1")
    interaction = InteractionFactory(customer=customer, experience_score=1, notes="secret note")
    now = timezone.now()

    def open_case(assignee=None, **fields):
        return FollowUp.objects.create(
            reason=FollowUpReason.FLOOR_BREACH,
            customer=customer,
            interaction=fields.pop("interaction", None) or InteractionFactory(customer=customer),
            score=1,
            assignee=assignee,
            opened_at=now,
            due_at=now + timedelta(days=2),
        )

    return {
        "customer": customer,
        "touchpoint": TouchpointFactory(),
        "queue_case": open_case(interaction=interaction),
        "agents_case": open_case(assignee=agent),
    }


def request_for(name, world):
    """(method, url, data) of each workspace endpoint, with input that succeeds for whoever may."""
    customer, queue_case, agents_case = world["customer"], world["queue_case"], world["agents_case"]
    return {
        "search": ("get", reverse("customer-search"), {"q": "Private"}),
        "search-results": ("get", reverse("customer-search-results"), {"q": "Private"}),
        "customer": ("get", reverse("customer-detail", args=[customer.id]), {}),
        "log": (
            "post",
            reverse("customer-interaction-create", args=[customer.id]),
            {"touchpoint": world["touchpoint"].id},
        ),
        "cases": ("get", reverse("follow-up-list"), {}),
        "case": ("get", reverse("follow-up-detail", args=[queue_case.id]), {}),
        "take": ("post", reverse("follow-up-take", args=[queue_case.id]), {}),
        "work": (
            "post",
            reverse("follow-up-update", args=[agents_case.id]),
            {"status": "in_progress", "note": "Calling"},
        ),
        "assign": ("post", reverse("follow-up-assign", args=[queue_case.id]), {"assignee": ""}),
        "import-page": ("get", reverse("csv-import"), {}),
        "import": ("post", reverse("csv-import"), {"kind": "customers"}),
        "export-customers": ("get", reverse("csv-export-customers"), {}),
        "export-interactions": ("get", reverse("csv-export-interactions"), {}),
        "surveys": ("get", reverse("survey-builder-list"), {}),
    }[name]


# What each role gets: a status code, 403 for refused.
MATRIX = {
    #                      agent  manager
    "search": (200, 200),
    "search-results": (200, 200),
    "customer": (200, 200),
    "log": (302, 302),
    "cases": (200, 200),
    "case": (200, 200),
    "take": (302, 302),
    "work": (302, 302),
    "assign": (403, 302),
    "import-page": (403, 200),
    "import": (403, 200),
    "export-customers": (403, 200),
    "export-interactions": (403, 200),
    "surveys": (403, 200),
}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def call(client, name, world):
    method, url, data = request_for(name, world)
    return getattr(client, method)(url, data)


@pytest.mark.parametrize("name", MATRIX)
def test_agent(agent_client, world, name):
    assert call(agent_client, name, world).status_code == MATRIX[name][0]


@pytest.mark.parametrize("name", MATRIX)
def test_manager(manager_client, world, name):
    assert call(manager_client, name, world).status_code == MATRIX[name][1]


@pytest.mark.parametrize("name", MATRIX)
def test_user_without_a_role_gets_403_and_no_data(outsider_client, world, name):
    response = call(outsider_client, name, world)

    assert response.status_code == 403
    assert SECRET.encode() not in response.content and b"secret note" not in response.content


@pytest.mark.parametrize("name", MATRIX)
def test_anonymous_visitor_is_sent_to_sign_in(client, world, name):
    response = call(client, name, world)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_refused_writes_change_nothing(outsider, agent, world):
    for name in ("log", "take", "work"):
        call(signed_in(outsider), name, world)
    call(signed_in(agent), "assign", world)

    world["queue_case"].refresh_from_db()
    world["agents_case"].refresh_from_db()
    assert world["queue_case"].assignee is None and world["agents_case"].status == "open"
    assert world["customer"].interactions.count() == 2


def test_an_agent_cannot_see_or_work_a_colleagues_case(agent_client, world, manager):
    world["queue_case"].assignee = manager
    world["queue_case"].save()

    for method, url in (
        ("get", reverse("follow-up-detail", args=[world["queue_case"].id])),
        ("post", reverse("follow-up-update", args=[world["queue_case"].id])),
    ):
        assert getattr(agent_client, method)(url).status_code == 404
    # Taking it back to the list, with a message, and the colleague keeps it.
    assert agent_client.post(reverse("follow-up-take", args=[world["queue_case"].id])).status_code == 302
    world["queue_case"].refresh_from_db()
    assert world["queue_case"].assignee == manager


def test_navigation_offers_customers_and_follow_ups_to_both_roles(agent, manager):
    for user in (agent, manager):
        html = signed_in(user).get(reverse("home")).content.decode()
        assert f'href="{reverse("customer-search")}"' in html
        assert f'href="{reverse("follow-up-list")}"' in html


def test_only_managers_see_the_import_link(agent, manager):
    assert b"Import / export CSV" not in signed_in(agent).get(reverse("customer-search")).content
    assert b"Import / export CSV" in signed_in(manager).get(reverse("customer-search")).content
