"""The export: everything held about one customer, JSON-serialisable, nobody else's data, never a
survey link, in a bounded number of queries, audited."""

import json

import pytest

from audit.models import AuditEvent
from privacy.services import EXPORT_FORMAT, customer_export

from .world import CASE_NOTE, COMMENT, EMAIL, EXTERNAL_ID, NAME, NOTE, PHONE, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def keys_of(value) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {key for item in value.values() for key in keys_of(item)}
    if isinstance(value, list):
        return {key for item in value for key in keys_of(item)}
    return set()


def test_the_export_holds_every_kind_of_data_about_the_customer(world):
    document = json.loads(json.dumps(customer_export(world.customer)))  # serialisable as it is

    assert document["format"] == EXPORT_FORMAT
    profile = document["customer"]
    assert (profile["name"], profile["email"], profile["phone"], profile["external_id"]) == (
        NAME,
        EMAIL,
        PHONE,
        EXTERNAL_ID,
    )
    assert profile["attributes"] == {"loyalty_card": "LC-99812", "nickname": "Zee"}
    assert [i["notes"] for i in document["interactions"]] == [NOTE] * 3
    assert document["interactions"][0]["touchpoint"]["name"] == "Delivery"
    assert len(document["journeys"]) == 1
    assert len(document["invitations"]) == 5
    bounced = next(i for i in document["invitations"] if i["status"] == "bounced")
    assert [e["event"] for e in bounced["email_events"]] == ["sent", "bounced"]
    oldest = document["responses"][0]
    assert COMMENT in [a["text"] for a in oldest["answers"]]
    assert {a["type"] for a in oldest["answers"]} == {"nps", "csat", "text", "expectation_experience"}
    assert all(a["question"] for a in oldest["answers"])
    (case,) = document["follow_ups"]
    assert (case["notes"], case["response_id"]) == (CASE_NOTE, oldest["id"])
    assert document["email_suppressions"] == [
        {"email": EMAIL, "reason": "bounced", "created_at": document["email_suppressions"][0]["created_at"]}
    ]
    assert sorted(m["event_type"] for m in document["webhook_messages"]) == [
        "invitation.bounced",
        "response.created",
    ]


def test_the_export_never_holds_a_survey_link_or_anybody_else(world):
    document = customer_export(world.customer)

    assert not keys_of(document) & {"token", "token_hash", "token_nonce", "agent", "assignee"}
    text = json.dumps(document)
    for invitation in world.customer.invitations.all():
        assert invitation.token_nonce not in text and invitation.token_hash not in text
    assert world.bystander.name not in text and "Bert's comment" not in text


def test_the_export_takes_a_bounded_number_of_queries_and_is_audited(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(16):
        customer_export(world.customer)

    event = AuditEvent.objects.get(action="customer_export")
    assert (event.actor, event.target) == (None, f"customer:{world.customer.pk}")
    assert event.details == {
        "interactions": 3,
        "journeys": 1,
        "invitations": 5,
        "responses": 3,
        "follow_ups": 1,
        "email_suppressions": 1,
        "webhook_messages": 2,
    }
