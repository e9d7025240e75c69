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


# --- phone numbers: stored in E.164 (PHONE_DEFAULT_REGION for a national number) -------------------


@pytest.fixture
def gb(settings):
    settings.PHONE_DEFAULT_REGION = "GB"


def test_a_phone_is_stored_in_e164_by_create_put_and_patch(api, gb):
    created = api.post("/api/v1/customers/", {"external_id": "C-1", "name": "Ada", "phone": "07700 900496"})
    assert created.status_code == 201 and created.json()["phone"] == "+447700900496"
    put = api.put("/api/v1/customers/C-2/", {"name": "Alan", "phone": "+44 (0)20 7946 0000"})
    assert put.status_code == 201 and put.json()["phone"] == "+442079460000"
    patched = api.patch("/api/v1/customers/C-1/", {"phone": "+86 138 0013 8000"})
    assert patched.status_code == 200 and patched.json()["phone"] == "+8613800138000"
    assert dict(Customer.objects.values_list("external_id", "phone")) == {
        "C-1": "+8613800138000",
        "C-2": "+442079460000",
    }


@pytest.mark.parametrize("phone", ["ask reception", "12345", "+44 7700 900496 ext 2", "+999 1234 5678"])
def test_an_invalid_phone_is_400_naming_phone_in_single_and_bulk_calls(api, gb, phone):
    item = {"external_id": "C-1", "name": "Ada", "phone": phone}
    assert_error(api.post("/api/v1/customers/", item), 400, "invalid", "phone")
    assert_error(api.put("/api/v1/customers/C-1/", item), 400, "invalid", "phone")
    (result,) = api.post("/api/v1/customers/bulk/", {"items": [item]}).json()["results"]
    assert result["status"] == "error"
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("phone", "invalid")]
    assert not Customer.objects.exists()


def test_bulk_stores_phones_in_e164(api, gb):
    items = [
        {"external_id": "C-1", "name": "Ada", "phone": "07700 900496"},
        {"external_id": "C-2", "name": "Alan", "phone": ""},
    ]
    body = api.post("/api/v1/customers/bulk/", {"items": items}).json()
    assert body["summary"] == {"created": 2, "updated": 0, "failed": 0}
    assert dict(Customer.objects.values_list("external_id", "phone")) == {"C-1": "+447700900496", "C-2": ""}


def test_a_stored_phone_that_predates_e164_does_not_block_other_changes(api, gb):
    CustomerFactory(external_id="C-1", phone="call reception")  # left by the migration as it was
    response = api.patch("/api/v1/customers/C-1/", {"name": "Renamed"})
    assert response.status_code == 200 and response.json()["phone"] == "call reception"
    assert_error(api.patch("/api/v1/customers/C-1/", {"phone": "call reception"}), 400, "invalid", "phone")


# --- locale: one of the platform's languages (settings.LANGUAGES) ------------------------------------


@pytest.mark.parametrize("locale", ["xx", "EN", "zh", "", 7])
def test_a_locale_that_is_no_platform_language_is_400_naming_locale_in_single_and_bulk(api, locale):
    item = {"external_id": "C-1", "name": "Ada", "locale": locale}
    single = assert_error(api.post("/api/v1/customers/", item), 400, field="locale")
    assert_error(api.put("/api/v1/customers/C-1/", item), 400, field="locale")
    (result,) = api.post("/api/v1/customers/bulk/", {"items": [item]}).json()["results"]
    assert result["status"] == "error" and result["errors"] == single
    CustomerFactory(external_id="C-2")
    assert_error(api.patch("/api/v1/customers/C-2/", {"locale": locale}), 400, field="locale")
    assert list(Customer.objects.values_list("locale", flat=True)) == ["en"]


def test_every_platform_language_is_a_locale(api, settings):
    for code, _name in settings.LANGUAGES:
        assert api.put("/api/v1/customers/C-1/", {"name": "Ada", "locale": code}).json()["locale"] == code
        items = [{"external_id": "C-2", "name": "Alan", "locale": code}]
        assert api.post("/api/v1/customers/bulk/", {"items": items}).json()["summary"]["failed"] == 0


@pytest.mark.parametrize("value", [0, 1, "true", "yes"])
def test_email_opt_out_is_a_json_boolean_only(api, value):
    CustomerFactory(external_id="C-1")
    assert_error(
        api.patch("/api/v1/customers/C-1/", {"email_opt_out": value}), 400, "invalid", "email_opt_out"
    )
    assert_error(
        api.put("/api/v1/customers/C-1/", {"name": "A", "email_opt_out": value}),
        400,
        "invalid",
        "email_opt_out",
    )
    assert not Customer.objects.get().email_opt_out


def test_an_empty_updated_since_is_400_not_ignored(api):
    assert_error(api.get("/api/v1/customers/?updated_since="), 400, "blank", "updated_since")
