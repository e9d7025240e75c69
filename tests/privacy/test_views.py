"""The customer page's download and erasure: CX managers only, confirm then POST, audited, and no
input makes the server answer 500."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from privacy.services import EXPORT_FORMAT
from privacy.services.placeholders import anonymous_customers
from tests.factories import CustomerFactory, InteractionFactory
from touchpoints.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    customer = CustomerFactory(name="Ada Private", email="ada@example.org", external_id="CRM-ADA")
    InteractionFactory(customer=customer, notes="Ada asked about her order")
    return customer


def export_url(customer_id) -> str:
    return reverse("customer-export", args=[customer_id])


def erase_url(customer_id) -> str:
    return reverse("customer-erase", args=[customer_id])


def test_a_manager_downloads_everything_held_as_a_json_file_and_it_is_audited(
    manager_client, manager, customer
):
    response = manager_client.get(export_url(customer.pk))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith(f'attachment; filename="customer-{customer.pk}-')
    assert "no-store" in response["Cache-Control"]
    document = json.loads(response.content)
    assert document["format"] == EXPORT_FORMAT
    assert (document["customer"]["name"], document["interactions"][0]["notes"]) == (
        "Ada Private",
        "Ada asked about her order",
    )
    event = AuditEvent.objects.get(action="customer_export")
    assert (event.actor, event.target, event.details["interactions"]) == (
        manager,
        f"customer:{customer.pk}",
        1,
    )


@pytest.mark.parametrize("page", [export_url, erase_url])
def test_agents_are_refused_and_nothing_is_recorded(agent_client, page, customer):
    assert agent_client.get(page(customer.pk)).status_code == 403
    assert agent_client.post(erase_url(customer.pk), {"confirm": "CRM-ADA"}).status_code == 403
    assert Customer.objects.get(pk=customer.pk).name == "Ada Private"
    assert not AuditEvent.objects.filter(action__in=["customer_export", "erasure"]).exists()


def test_an_outsider_is_refused_and_a_visitor_sent_to_sign_in(outsider_client, client, customer):
    assert outsider_client.get(export_url(customer.pk)).status_code == 403
    outsider_client.logout()
    response = client.post(erase_url(customer.pk), {"confirm": "CRM-ADA"})
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("path", ["/customers/999999/data.json", "/customers/99999999999999999999/erase/"])
def test_an_unknown_customer_is_a_404(manager_client, path):
    assert manager_client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path", ["/customers/abc/data.json", "/customers/-1/erase/", "/customers/1%00/erase/"]
)
def test_a_malformed_id_is_a_404(manager_client, path):
    assert manager_client.get(path).status_code == 404


def test_the_customer_page_offers_download_and_erasure_to_managers_only(manager, agent, customer):
    page = reverse("customer-detail", args=[customer.pk])
    managers, agents = Client(), Client()
    managers.force_login(manager)
    agents.force_login(agent)

    managers_page, agents_page = managers.get(page).content.decode(), agents.get(page).content.decode()

    assert export_url(customer.pk) in managers_page and erase_url(customer.pk) in managers_page
    assert export_url(customer.pk) not in agents_page and erase_url(customer.pk) not in agents_page


def test_erasure_asks_first_and_a_wrong_confirmation_erases_nothing(manager_client, customer):
    page = manager_client.get(erase_url(customer.pk))
    assert page.status_code == 200 and "cannot be undone" in page.content.decode()

    for typed in ("", "crm-ada", "CRM-ADA\x00", "x" * 500):
        response = manager_client.post(erase_url(customer.pk), {"confirm": typed})
        assert response.status_code == 400

    assert Customer.objects.get(pk=customer.pk).name == "Ada Private"
    assert not AuditEvent.objects.filter(action="erasure").exists()


def test_a_confirmed_erasure_erases_and_returns_to_the_customer(manager_client, manager, customer):
    response = manager_client.post(erase_url(customer.pk), {"confirm": " CRM-ADA "})

    assert response.status_code == 302
    assert response["Location"] == reverse("customer-detail", args=[customer.pk])
    erased = Customer.objects.get(pk=customer.pk)
    assert (erased.name, erased.email, erased.external_id) == ("Erased customer", "", f"erased-{customer.pk}")
    assert AuditEvent.objects.get(action="erasure").actor == manager
    page = manager_client.get(response["Location"]).content.decode()
    assert "was erased" in page and "Ada" not in page


def test_get_changes_nothing_and_other_methods_are_refused(manager_client, customer):
    manager_client.get(erase_url(customer.pk))
    assert Customer.objects.get(pk=customer.pk).name == "Ada Private"
    assert manager_client.put(erase_url(customer.pk)).status_code == 405
    assert manager_client.post(export_url(customer.pk)).status_code == 405


def test_the_anonymous_respondents_placeholder_is_refused_politely(manager_client, db):
    placeholder = anonymous_customers(slices={("", "standard")})[("", "standard")]

    page = manager_client.get(erase_url(placeholder)).content.decode()
    response = manager_client.post(erase_url(placeholder), {"confirm": "anonymous:standard:"})

    assert "no one to erase" in page
    assert response.status_code == 400
    assert Customer.objects.get(pk=placeholder).name == "Anonymous respondents"
