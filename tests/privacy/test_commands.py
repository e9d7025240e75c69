"""``export_customer`` and ``erase_customer``: a customer named by id or external id, clear errors
for anything else, confirmation before an erasure."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEvent
from privacy.services import CustomerReferenceError, customer_by_reference
from tests.factories import CustomerFactory
from touchpoints.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer():
    return CustomerFactory(name="Ada Private", external_id="CRM-ADA")


def export(*arguments) -> dict:
    out = io.StringIO()
    call_command("export_customer", *arguments, stdout=out)
    return json.loads(out.getvalue())


def test_export_by_id_or_external_id_prints_the_json_and_is_audited(customer):
    by_id = export(str(customer.pk))
    by_external_id = export("CRM-ADA")
    explicit = export(f"id:{customer.pk}"), export("external:CRM-ADA")

    for document in (by_id, by_external_id, *explicit):
        assert document["customer"]["name"] == "Ada Private"
    events = AuditEvent.objects.filter(action="customer_export")
    assert events.count() == 4 and {e.actor for e in events} == {None}


def test_export_writes_a_file_when_asked(customer, tmp_path):
    target = tmp_path / "ada.json"
    call_command(
        "export_customer", "CRM-ADA", "--output", str(target), stdout=io.StringIO(), stderr=io.StringIO()
    )
    assert json.loads(target.read_text(encoding="utf-8"))["customer"]["external_id"] == "CRM-ADA"
    with pytest.raises(CommandError, match="No such folder"):
        call_command("export_customer", "CRM-ADA", "--output", str(tmp_path / "nowhere" / "a.json"))


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Give a customer id"),
        ("   ", "Give a customer id"),
        ("CRM-NOBODY", "No customer has the id or external id"),
        ("999999", "No customer has the id or external id"),
        ("99999999999999999999999", "No customer has the id or external id"),
        ("id:abc", "is not a customer id"),
        ("id:-3", "is not a customer id"),
        ("id:0", "is not a customer id"),
        ("id:٣", "is not a customer id"),  # a digit, but not an ASCII one
        ("id:424242", "No customer has the id 424242"),
        ("external:", "An external id has 1 to 100 characters"),
        ("external:" + "x" * 101, "An external id has 1 to 100 characters"),
        ("CRM\x00ADA", "NUL"),
    ],
)
def test_a_reference_naming_no_customer_is_a_clear_error(customer, reference, message):
    with pytest.raises(CustomerReferenceError, match=message):
        customer_by_reference(reference)
    with pytest.raises(CommandError, match=message):
        call_command("export_customer", reference, stdout=io.StringIO())
    assert not AuditEvent.objects.exists()


def test_a_number_that_is_one_customers_id_and_anothers_external_id_is_ambiguous(customer):
    other = CustomerFactory(external_id=str(customer.pk))

    with pytest.raises(CommandError, match="say which with id:"):
        call_command("erase_customer", str(customer.pk), "--no-input", stdout=io.StringIO())

    assert customer_by_reference(f"id:{customer.pk}") == customer
    assert customer_by_reference(f"external:{customer.pk}") == other
    assert Customer.objects.filter(name="Erased customer").count() == 0


def test_erase_asks_for_the_id_and_stops_without_it(customer, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda: "CRM-ADA")  # the external id, not the id asked for

    with pytest.raises(CommandError, match="Not confirmed"):
        call_command("erase_customer", "CRM-ADA", stdout=io.StringIO())

    assert Customer.objects.get(pk=customer.pk).name == "Ada Private"


def test_erase_with_confirmation_or_no_input_erases_and_reports(customer, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda: str(customer.pk))
    out = io.StringIO()

    call_command("erase_customer", "CRM-ADA", stdout=out)
    call_command("erase_customer", f"id:{customer.pk}", "--no-input", stdout=out)

    assert Customer.objects.get(pk=customer.pk).name == "Erased customer"
    assert f"Erased: customer {customer.pk}" in out.getvalue()
    assert "already erased" in out.getvalue()
    assert AuditEvent.objects.filter(action="erasure", target=f"customer:{customer.pk}").count() == 2
