"""Bulk upserts: up to 1,000 items, one result per item in order, bad items never sink the others,
set-based writes, and a re-sent call creates nothing new."""

from datetime import timedelta

import pytest
from django.utils import timezone

from analytics.models import StaleKind, StaleMark
from surveys.models import Invitation, SurveyRule
from tests.factories import (
    CustomerFactory,
    InteractionFactory,
    JourneyFactory,
    SurveyFactory,
    TouchpointFactory,
)
from touchpoints.models import Customer, Interaction, Stage

from .conftest import assert_error

pytestmark = pytest.mark.django_db

BAD_EVERY = 100  # items 7, 107, … are bad: 10 of 1,000


def _interactions(n: int, *, bad_every: int | None = None, prefix: str = "EXT") -> list[dict]:
    items = []
    for i in range(n):
        item = {
            "external_id": f"{prefix}-{i:05d}",
            "customer": f"C-{i % 20}",
            "touchpoint": "delivery",
            "occurred_at": "2025-03-02T10:00:00Z",
            "experience_score": i % 11,
        }
        if bad_every and i % bad_every == 7:
            item["experience_score"] = 11  # outside 0–10
        items.append(item)
    return items


@pytest.fixture
def catalogue():
    touchpoint = TouchpointFactory(code="delivery")
    customers = [CustomerFactory(external_id=f"C-{i}") for i in range(20)]
    return touchpoint, customers


def test_thousand_with_ten_bad_stores_990_and_reports_the_10_by_index(api, catalogue):
    response = api.post("/api/v1/interactions/bulk/", {"items": _interactions(1000, bad_every=BAD_EVERY)})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 1000
    assert [r["index"] for r in body["results"]] == list(range(1000))
    failed = [r for r in body["results"] if r["status"] == "error"]
    assert [r["index"] for r in failed] == [i for i in range(1000) if i % BAD_EVERY == 7]
    assert all(r["errors"][0]["field"] == "experience_score" and r["id"] is None for r in failed)
    assert body["summary"] == {"created": 990, "updated": 0, "failed": 10}
    assert Interaction.objects.count() == 990
    stored = dict(Interaction.objects.values_list("external_id", "id"))
    for result in body["results"]:
        if result["status"] == "created":
            assert stored[result["external_id"]] == result["id"]


def test_sending_the_same_thousand_again_creates_nothing_new(api, catalogue):
    items = _interactions(1000, bad_every=BAD_EVERY)
    first = api.post("/api/v1/interactions/bulk/", {"items": items}).json()
    again = api.post("/api/v1/interactions/bulk/", {"items": items}).json()
    assert Interaction.objects.count() == 990
    assert again["summary"] == {"created": 0, "updated": 990, "failed": 10}
    assert [r["id"] for r in again["results"]] == [r["id"] for r in first["results"]]


def test_bulk_of_a_thousand_takes_a_bounded_number_of_queries(api, catalogue, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        response = api.post("/api/v1/interactions/bulk/", {"items": _interactions(1000)})
    assert response.json()["summary"]["created"] == 1000


def test_resending_a_thousand_updates_with_a_bounded_number_of_queries(
    api, catalogue, django_assert_max_num_queries
):
    items = _interactions(1000)
    api.post("/api/v1/interactions/bulk/", {"items": items})
    with django_assert_max_num_queries(40):
        assert api.post("/api/v1/interactions/bulk/", {"items": items}).json()["summary"]["updated"] == 1000


def test_items_without_external_id_are_always_created(api, catalogue):
    item = {"customer": "C-1", "touchpoint": "delivery"}
    api.post("/api/v1/interactions/bulk/", {"items": [item, item]})
    body = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()
    assert body["results"][0]["status"] == "created" and body["results"][0]["external_id"] is None
    assert Interaction.objects.count() == 3


def test_an_external_id_sent_twice_in_one_call_keeps_the_first(api, catalogue):
    items = [
        {"external_id": "X", "customer": "C-1", "touchpoint": "delivery", "category": "first"},
        {"external_id": "X", "customer": "C-2", "touchpoint": "delivery", "category": "second"},
    ]
    results = api.post("/api/v1/interactions/bulk/", {"items": items}).json()["results"]
    assert results[0]["status"] == "created"
    assert results[1]["status"] == "error" and results[1]["errors"][0]["code"] == "duplicate"
    assert Interaction.objects.get(external_id="X").category == "first"


def test_unknown_customer_touchpoint_and_foreign_journey_are_item_errors(api, catalogue):
    journey = JourneyFactory(customer=catalogue[1][2])
    items = [
        {"customer": "NOPE", "touchpoint": "delivery"},
        {"customer": "C-1", "touchpoint": "nope"},
        {"customer": "C-1", "touchpoint": "delivery", "journey": journey.id},
        {"customer": "C-2", "touchpoint": "delivery", "journey": journey.id},
    ]
    results = api.post("/api/v1/interactions/bulk/", {"items": items}).json()["results"]
    assert [(r["status"], r.get("errors", [{}])[0].get("field")) for r in results] == [
        ("error", "customer"),
        ("error", "touchpoint"),
        ("error", "journey"),
        ("created", None),
    ]


@pytest.mark.parametrize(
    ("item", "field", "code"),
    [
        ("not an object", None, "invalid"),
        ({"touchpoint": "delivery"}, "customer", "required"),
        ({"customer": "C-1", "touchpoint": "delivery", "channel": "pigeon"}, "channel", "invalid_choice"),
        ({"customer": "C-1", "touchpoint": "delivery", "occurred_at": "soon"}, "occurred_at", "invalid"),
        (
            {"customer": "C-1", "touchpoint": "delivery", "occurred_at": "0001-01-01T00:00:00+05:00"},
            "occurred_at",
            "overflow",
        ),
        (
            {"customer": "C-1", "touchpoint": "delivery", "notes": "a\x00b"},
            "notes",
            "null_characters_not_allowed",
        ),
        ({"customer": "C-1", "touchpoint": "delivery", "expected_value": 0}, "expected_value", "min_value"),
        ({"customer": "C-1", "touchpoint": "delivery", "actual_value": -1}, "actual_value", "min_value"),
        (
            {"customer": "C-1", "touchpoint": "delivery", "experience_score": "NaN"},
            "experience_score",
            "invalid",
        ),
        (
            {"customer": "C-1", "touchpoint": "delivery", "experience_score": True},
            "experience_score",
            "invalid",
        ),
        (
            {"customer": "C-1", "touchpoint": "delivery", "external_id": "x" * 101},
            "external_id",
            "max_length",
        ),
        ({"customer": "C-1", "touchpoint": "delivery", "journey": "7"}, "journey", "invalid"),
    ],
)
def test_invalid_items_are_reported_with_field_and_code(api, catalogue, item, field, code):
    result = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"][0]
    assert result["status"] == "error"
    assert {"field": field, "code": code} == {k: result["errors"][0][k] for k in ("field", "code")}
    assert not Interaction.objects.exists()


@pytest.mark.parametrize("body", [{"items": []}, {"items": "x"}, {}, [1], {"items": [{}] * 1001}])
def test_a_call_that_is_not_1_to_1000_items_is_400(api, catalogue, body):
    assert_error(api.post("/api/v1/interactions/bulk/", body, format="json"), 400, field="items")


def test_ids_and_timestamps_in_items_are_ignored(api, catalogue):
    item = {
        "customer": "C-1",
        "touchpoint": "delivery",
        "id": 999,
        "source": "agent",
        "created_at": "2000-01-01T00:00Z",
    }
    result = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"][0]
    stored = Interaction.objects.get()
    assert result["id"] == stored.id != 999
    assert stored.source == "api" and stored.created_at.year > 2000


def test_fields_left_out_on_update_keep_their_stored_value(api, catalogue):
    api.post(
        "/api/v1/interactions/bulk/",
        {
            "items": [
                {
                    "external_id": "X",
                    "customer": "C-1",
                    "touchpoint": "delivery",
                    "notes": "kept",
                    "experience_score": 3,
                }
            ]
        },
    )
    api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"external_id": "X", "customer": "C-1", "touchpoint": "delivery", "experience_score": 9}]},
    )
    stored = Interaction.objects.get(external_id="X")
    assert (stored.notes, stored.experience_score) == ("kept", 9)


def test_the_batch_marks_its_new_interactions_for_the_rollups(api, catalogue):
    api.post("/api/v1/interactions/bulk/", {"items": _interactions(5)})
    marked = set(StaleMark.objects.filter(kind=StaleKind.INTERACTION_ROW).values_list("row_id", flat=True))
    assert marked == set(Interaction.objects.values_list("id", flat=True)) and len(marked) == 5


def test_moving_an_interaction_to_another_day_marks_the_old_day_too(api, catalogue):
    item = {
        "external_id": "X",
        "customer": "C-1",
        "touchpoint": "delivery",
        "occurred_at": "2025-01-10T12:00:00Z",
    }
    api.post("/api/v1/interactions/bulk/", {"items": [item]})
    StaleMark.objects.all().delete()
    api.post("/api/v1/interactions/bulk/", {"items": [{**item, "occurred_at": "2025-02-20T12:00:00Z"}]})
    days = {
        str(day)
        for day in StaleMark.objects.filter(kind=StaleKind.INTERACTION_DAY).values_list("day", flat=True)
    }
    assert {"2025-01-10", "2025-02-20"} <= days


def test_the_batch_applies_the_survey_rules_once_per_interaction(api, catalogue):
    touchpoint, _ = catalogue
    rule = SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=touchpoint, delay_hours=0)
    now = timezone.now().isoformat()
    items = [
        {"external_id": f"R{i}", "customer": f"C-{i}", "touchpoint": "delivery", "occurred_at": now}
        for i in range(3)
    ]
    api.post("/api/v1/interactions/bulk/", {"items": items})
    api.post("/api/v1/interactions/bulk/", {"items": items})
    assert Invitation.objects.filter(rule=rule).count() == 3


def test_a_batch_invites_at_watched_touchpoints_and_stages_only(api, catalogue):
    watched, _ = catalogue
    TouchpointFactory(code="counter", stage=Stage.PRE_SALE)  # watched by the stage rule
    unwatched = TouchpointFactory(code="quiet", stage=Stage.POST_SALE)
    watched.stage = Stage.POST_SALE
    watched.save(update_fields=["stage"])
    at_touchpoint = SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=watched, delay_hours=0)
    at_stage = SurveyRule.objects.create(survey=SurveyFactory(), stage=Stage.PRE_SALE, delay_hours=0)
    now = timezone.now().isoformat()
    items = [
        {"external_id": f"W{i}", "customer": f"C-{i}", "touchpoint": code, "occurred_at": now}
        for i, code in enumerate(["delivery", "counter", "quiet", "delivery"])
    ]
    assert api.post("/api/v1/interactions/bulk/", {"items": items}).json()["summary"]["created"] == 4
    invited = sorted(Invitation.objects.values_list("rule_id", "interaction__touchpoint__code"))
    assert invited == sorted(
        [(at_touchpoint.id, "delivery"), (at_touchpoint.id, "delivery"), (at_stage.id, "counter")]
    )
    assert not Invitation.objects.filter(interaction__touchpoint=unwatched).exists()


def test_old_interactions_invite_nobody(api, catalogue):
    touchpoint, _ = catalogue
    SurveyRule.objects.create(survey=SurveyFactory(), touchpoint=touchpoint, delay_hours=0)
    old = (timezone.now() - timedelta(days=30)).isoformat()
    api.post(
        "/api/v1/interactions/bulk/",
        {"items": [{"customer": "C-1", "touchpoint": "delivery", "occurred_at": old}]},
    )
    assert not Invitation.objects.exists()


def test_bulk_and_single_endpoint_refuse_the_same_values(api, catalogue):
    for field, value in [
        ("experience_score", 10.5),
        ("expected_value", -2),
        ("channel", "fax"),
        ("outcome", "won"),
    ]:
        item = {"customer": "C-1", "touchpoint": "delivery", field: value}
        single = api.post("/api/v1/interactions/", item)
        bulk = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"][0]
        assert single.status_code == 400 and bulk["status"] == "error", field
        assert single.json()["errors"][0]["field"] == bulk["errors"][0]["field"] == field


# --- customers ---------------------------------------------------------------------------------


def _customers(n: int, *, bad_every: int | None = None) -> list[dict]:
    items = []
    for i in range(n):
        item = {
            "external_id": f"CRM-{i:05d}",
            "name": f"Customer {i}",
            "email": f"c{i}@example.com",
            "segment": "smb",
        }
        if bad_every and i % bad_every == 7:
            item["email"] = "not-an-email"
        items.append(item)
    return items


def test_customers_thousand_with_ten_bad_stores_990_and_again_creates_nothing(api):
    items = _customers(1000, bad_every=BAD_EVERY)
    body = api.post("/api/v1/customers/bulk/", {"items": items}).json()
    assert body["summary"] == {"created": 990, "updated": 0, "failed": 10}
    assert [r["index"] for r in body["results"] if r["status"] == "error"] == [
        i for i in range(1000) if i % 100 == 7
    ]
    again = api.post("/api/v1/customers/bulk/", {"items": items}).json()
    assert again["summary"] == {"created": 0, "updated": 990, "failed": 10}
    assert Customer.objects.count() == 990


def test_customers_bulk_takes_a_bounded_number_of_queries(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        assert (
            api.post("/api/v1/customers/bulk/", {"items": _customers(1000)}).json()["summary"]["created"]
            == 1000
        )


def test_customers_bulk_keeps_fields_left_out_and_needs_a_name_to_create(api):
    CustomerFactory(external_id="K", name="Kept", email="k@example.com", segment="smb")
    results = api.post(
        "/api/v1/customers/bulk/",
        {"items": [{"external_id": "K", "segment": "enterprise"}, {"external_id": "NEW"}]},
    ).json()["results"]
    assert results[0]["status"] == "updated"
    assert results[1]["errors"] == [
        {"field": "name", "code": "required", "message": "This field is required."}
    ]
    kept = Customer.objects.get(external_id="K")
    assert (kept.name, kept.email, kept.segment) == ("Kept", "k@example.com", "enterprise")


def test_customers_bulk_segment_change_marks_their_figures_stale(api):
    customer = CustomerFactory(external_id="K", segment="smb")
    InteractionFactory(customer=customer)
    StaleMark.objects.all().delete()
    api.post("/api/v1/customers/bulk/", {"items": [{"external_id": "K", "segment": "smb"}]})
    assert not StaleMark.objects.exists()
    api.post("/api/v1/customers/bulk/", {"items": [{"external_id": "K", "segment": "enterprise"}]})
    assert StaleMark.objects.filter(kind=StaleKind.INTERACTION_DAY).exists()


def test_customers_bulk_records_an_opt_out_but_never_clears_one(api):
    api.post("/api/v1/customers/bulk/", {"items": [{"external_id": "K", "name": "K", "email_opt_out": True}]})
    first = Customer.objects.get(external_id="K")
    assert first.email_opt_out and first.email_opt_out_at is not None
    api.post("/api/v1/customers/bulk/", {"items": [{"external_id": "K", "email_opt_out": False}]})
    again = Customer.objects.get(external_id="K")
    assert again.email_opt_out and again.email_opt_out_at == first.email_opt_out_at


# --- every error of an item, in the single and the bulk call alike ------------------------------------


def _fields(errors: list[dict]) -> list[tuple]:
    return [(error["field"], error["code"]) for error in errors]


def test_a_bulk_customer_with_several_errors_reports_them_all_as_the_single_call(api):
    item = {"external_id": "NEW", "email": "not-an-email", "locale": "xx"}  # new, and no name
    (result,) = api.post("/api/v1/customers/bulk/", {"items": [item]}).json()["results"]
    single = assert_error(api.post("/api/v1/customers/", item), 400)
    assert _fields(result["errors"]) == [
        ("name", "required"),
        ("email", "invalid"),
        ("locale", "invalid_choice"),
    ]
    assert result["errors"] == single
    assert not Customer.objects.exists()


def test_a_bulk_interaction_with_several_errors_reports_them_all_as_the_single_call(api, catalogue):
    foreign = JourneyFactory(customer=catalogue[1][2])
    for item, expected in [
        (
            {"customer": "NOPE", "touchpoint": "nope", "experience_score": 11},
            [
                ("customer", "does_not_exist"),
                ("touchpoint", "does_not_exist"),
                ("experience_score", "max_value"),
            ],
        ),
        (
            {"customer": "C-1", "touchpoint": "delivery", "journey": foreign.id, "channel": "fax"},
            [("channel", "invalid_choice"), ("journey", "does_not_exist")],
        ),
        (
            {"customer": "C-1", "touchpoint": "delivery", "journey": 2**40, "outcome": "won"},
            [("outcome", "invalid_choice"), ("journey", "does_not_exist")],
        ),
    ]:
        (result,) = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"]
        single = assert_error(api.post("/api/v1/interactions/", item), 400)
        assert _fields(result["errors"]) == expected, item
        assert sorted(_fields(single)) == sorted(expected), item
        assert sorted(single, key=str) == sorted(result["errors"], key=str), item
    assert not Interaction.objects.exists()


def test_unknown_references_read_the_same_in_the_single_and_the_bulk_call(api, catalogue):
    foreign = JourneyFactory(customer=catalogue[1][2])
    for item in [
        {"customer": "NOPE", "touchpoint": "delivery"},
        {"customer": "C-1", "touchpoint": "nope"},
        {"customer": "C-1", "touchpoint": "delivery", "journey": foreign.id},
    ]:
        (result,) = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"]
        assert assert_error(api.post("/api/v1/interactions/", item), 400) == result["errors"]
    (result,) = api.post(
        "/api/v1/interactions/bulk/", {"items": [{"customer": "NOPE", "touchpoint": "delivery"}]}
    ).json()["results"]
    assert result["errors"] == [
        {"field": "customer", "code": "does_not_exist", "message": "No customer with external_id 'NOPE'."}
    ]


def test_a_journey_id_is_a_json_integer_in_the_single_call_as_in_bulk(api, catalogue):
    journey = JourneyFactory(customer=catalogue[1][1])
    item = {"customer": "C-1", "touchpoint": "delivery", "journey": str(journey.id)}
    (result,) = api.post("/api/v1/interactions/bulk/", {"items": [item]}).json()["results"]
    assert (
        assert_error(api.post("/api/v1/interactions/", item), 400, "invalid", "journey") == result["errors"]
    )
