"""/customers/: explicit fields, PUT upserts, PATCH, DELETE, filters, opt-out and metric freshness."""

import pytest

from analytics.models import StaleMark
from tests.factories import CustomerFactory, InteractionFactory, InvitationFactory, ResponseFactory
from touchpoints.models import Customer, Interaction

from .conftest import assert_error

pytestmark = pytest.mark.django_db


def test_create_returns_201_with_the_stored_customer(api):
    response = api.post("/api/v1/customers/", {"external_id": "C-1", "name": "Ada", "segment": "smb"})
    assert response.status_code == 201
    body = response.json()
    assert body["external_id"] == "C-1" and body["segment"] == "smb" and body["value_tier"] == "standard"
    assert set(body) == {
        "external_id",
        "name",
        "email",
        "phone",
        "locale",
        "segment",
        "value_tier",
        "email_opt_out",
        "email_opt_out_at",
        "attributes",
        "created_at",
        "updated_at",
    }


def test_read_only_fields_in_input_are_ignored(api):
    body = api.post(
        "/api/v1/customers/",
        {
            "external_id": "C-1",
            "name": "Ada",
            "id": 999,
            "created_at": "2000-01-01T00:00:00Z",
            "email_opt_out_at": "2000-01-01T00:00:00Z",
        },
    ).json()
    stored = Customer.objects.get(external_id="C-1")
    assert stored.id != 999 and stored.created_at.year > 2000 and stored.email_opt_out_at is None
    assert body["email_opt_out_at"] is None


def test_create_with_an_existing_external_id_is_400_unique(api):
    CustomerFactory(external_id="C-1")
    assert_error(
        api.post("/api/v1/customers/", {"external_id": "C-1", "name": "A"}), 400, "unique", "external_id"
    )


def test_attributes_must_be_an_object(api):
    assert_error(
        api.post("/api/v1/customers/", {"external_id": "C-1", "name": "A", "attributes": [1]}),
        400,
        field="attributes",
    )


def test_put_creates_a_missing_customer_with_201(api):
    response = api.put("/api/v1/customers/C-9/", {"name": "Nine"})
    assert response.status_code == 201 and Customer.objects.get(external_id="C-9").name == "Nine"


def test_put_replaces_every_field_of_an_existing_customer(api):
    CustomerFactory(external_id="C-1", name="Old", email="old@example.com", segment="smb")
    response = api.put("/api/v1/customers/C-1/", {"name": "New"})
    assert response.status_code == 200
    stored = Customer.objects.get(external_id="C-1")
    assert (stored.name, stored.email, stored.segment) == ("New", "", "")


def test_put_cannot_change_the_external_id(api):
    CustomerFactory(external_id="C-1")
    api.put("/api/v1/customers/C-1/", {"name": "N", "external_id": "C-2"})
    assert Customer.objects.filter(external_id="C-1").exists() and not Customer.objects.filter(
        external_id="C-2"
    )


def test_patch_changes_only_what_is_sent(api):
    CustomerFactory(external_id="C-1", name="Ada", segment="smb")
    body = api.patch("/api/v1/customers/C-1/", {"segment": "enterprise"}).json()
    assert (body["name"], body["segment"]) == ("Ada", "enterprise")


def test_patch_of_a_missing_customer_is_404(api):
    assert_error(api.patch("/api/v1/customers/NOPE/", {"segment": "x"}), 404, "not_found")


def test_a_segment_change_marks_the_customers_figures_stale(api):
    customer = CustomerFactory(external_id="C-1", segment="smb")
    InteractionFactory(customer=customer)
    StaleMark.objects.all().delete()
    api.patch("/api/v1/customers/C-1/", {"name": "Renamed"})
    assert not StaleMark.objects.exists()
    api.patch("/api/v1/customers/C-1/", {"segment": "enterprise"})
    assert StaleMark.objects.exists()


def test_an_opt_out_is_recorded_and_false_does_not_clear_it(api):
    CustomerFactory(external_id="C-1")
    assert api.patch("/api/v1/customers/C-1/", {"email_opt_out": True}).json()["email_opt_out"] is True
    body = api.put("/api/v1/customers/C-1/", {"name": "A", "email_opt_out": False}).json()
    assert body["email_opt_out"] is True and body["email_opt_out_at"] is not None


def test_delete_removes_the_customer_with_their_rows_and_marks_figures_stale(api):
    customer = CustomerFactory(external_id="C-1")
    InteractionFactory(customer=customer)
    ResponseFactory(invitation=InvitationFactory(customer=customer))
    StaleMark.objects.all().delete()
    assert api.delete("/api/v1/customers/C-1/").status_code == 204
    assert not Customer.objects.filter(external_id="C-1").exists() and not Interaction.objects.exists()
    assert StaleMark.objects.exists()
    assert_error(api.get("/api/v1/customers/C-1/"), 404)


def test_list_filters(api):
    CustomerFactory(external_id="A", segment="smb", value_tier="gold", email="a@example.com")
    CustomerFactory(external_id="B", segment="consumer")
    ids = lambda q: [c["external_id"] for c in api.get(f"/api/v1/customers/?{q}").json()["results"]]  # noqa: E731
    assert ids("segment=smb") == ["A"]
    assert ids("value_tier=gold") == ["A"]
    assert ids("email=A@EXAMPLE.COM") == ["A"]
    assert sorted(ids("updated_since=2000-01-01T00:00:00Z")) == ["A", "B"]


def test_external_ids_with_dots_and_spaces_work_in_the_path(api):
    CustomerFactory(external_id="acme.com:42 x")
    assert api.get("/api/v1/customers/acme.com:42%20x/").json()["external_id"] == "acme.com:42 x"
