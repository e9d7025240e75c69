"""Hostile input through every write of API v1: never a 500; a refusal is a 4xx in the one error
shape and stores nothing; what is accepted is stored exactly (text as sent, trimmed).

Each field of each write gets the core of the corpus (``nasty.py``) in turn, the rest of the body
valid, so a value that passes validation goes all the way to the database; each write also gets
every core value in all its fields at once and the whole corpus in all its text fields at once;
each bulk call gets the whole corpus, an item per value. Bodies that are not JSON objects, ids in
paths, headers and query filters get their own sweeps.
"""

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest

from followups.models import FollowUp
from journeys.models import Journey
from surveys.models import Invitation
from touchpoints.models import Customer, Interaction, Touchpoint
from webhooks.models import WebhookEndpoint

from . import nasty
from .conftest import api_client, assert_api_error, db_state, send_json

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def fresh(prefix: str) -> str:
    return f"{prefix}-{next(_serial)}"


@dataclass(frozen=True)
class Write:
    """One write call: how to build a valid request, and the record a success stored.

    ``fields`` maps each input field (a dotted path for a key inside a JSON object) to how an
    accepted value is read back: ``text`` is stored as sent, trimmed; ``id`` likewise, blank
    being no id (None); ``exact`` as sent; ``note`` is appended to the case's notes; ``number``
    and ``other`` are not compared (numbers are normalised, choices and references have a
    handful of valid values)."""

    method: str
    path: Callable
    body: Callable
    record: Callable
    fields: dict[str, str]


CUSTOMER_FIELDS = {
    "external_id": "text",
    "name": "text",
    "email": "other",
    "phone": "other",  # stored in E.164, not as sent
    "locale": "other",
    "segment": "text",
    "value_tier": "other",
    "email_opt_out": "other",
    "attributes": "exact",
    "attributes.note": "exact",
}
CUSTOMER_UPDATE_FIELDS = {name: kind for name, kind in CUSTOMER_FIELDS.items() if name != "external_id"}


def customer_body(w) -> dict:
    return {
        "external_id": fresh("N"),
        "name": "Grace Hopper",
        "email": "grace@example.com",
        "phone": "+44 20 7946 0000",
        "locale": "en",
        "segment": "enterprise",
        "value_tier": "gold",
        "email_opt_out": False,
        "attributes": {"note": "vip"},
    }


def customer_update_body(w) -> dict:
    return {key: value for key, value in customer_body(w).items() if key != "external_id"}


def interaction_body(w) -> dict:
    return {
        "external_id": fresh("CALL"),
        "customer": "C-1",
        "touchpoint": "delivery",
        "channel": "phone",
        "occurred_at": "2025-03-02T14:05:00Z",
        "category": "late delivery",
        "outcome": "resolved",
        "notes": "Parcel rerouted.",
        "experience_score": 6.5,
        "expected_value": 2,
        "actual_value": 3,
        "journey": w.journey.id,
    }


INTERACTION_FIELDS = {
    "external_id": "id",
    "customer": "other",
    "touchpoint": "other",
    "channel": "other",
    "occurred_at": "other",
    "category": "text",
    "outcome": "other",
    "notes": "text",
    "experience_score": "number",
    "expected_value": "number",
    "actual_value": "number",
    "journey": "number",
}
# An interaction naming its journey by the connected system's id (not together with ``journey``).
JOURNEY_REF_FIELDS = {"journey_external_id": "text"}
INTERACTION_BY_REF_FIELDS = {name: kind for name, kind in INTERACTION_FIELDS.items() if name != "journey"}
INTERACTION_BY_REF_FIELDS |= JOURNEY_REF_FIELDS


def interaction_by_ref_body(w) -> dict:
    body = {key: value for key, value in interaction_body(w).items() if key != "journey"}
    return body | {"journey_external_id": fresh("ORDER")}


def journey_body(w) -> dict:
    return {
        "external_id": fresh("ORDER"),
        "customer": "C-1",
        "journey_map": w.journey_map.id,
        "started_at": "2025-03-02T14:05:00Z",
    }


JOURNEY_FIELDS = {"external_id": "text", "customer": "other", "journey_map": "other", "started_at": "other"}


TOUCHPOINT_FIELDS = {
    "code": "other",
    "name": "text",
    "stage": "other",
    "channel": "other",
    "description": "text",
    "floor_score": "number",
    "measure_name": "text",
    "measure_unit": "text",
    "measure_direction": "other",
    "active": "other",
}
TOUCHPOINT_UPDATE_FIELDS = {
    name: kind for name, kind in TOUCHPOINT_FIELDS.items() if name not in ("code", "stage", "channel")
}


def touchpoint_body(w) -> dict:
    return {
        "code": fresh("tp"),
        "name": "Returns desk",
        "stage": "post_sale",
        "channel": "in_store",
        "description": "Where parcels come back.",
        "floor_score": 4,
        "measure_name": "Waiting time",
        "measure_unit": "minutes",
        "measure_direction": "lower_is_better",
        "active": True,
    }


def touchpoint_update_body(w) -> dict:
    body = touchpoint_body(w)
    for fixed in ("code", "stage", "channel"):
        del body[fixed]
    return body


WRITES: dict[str, Write] = {
    "POST /customers/": Write(
        "post",
        lambda w: "/api/v1/customers/",
        customer_body,
        lambda w, body, answer: Customer.objects.get(external_id=answer["external_id"]),
        CUSTOMER_FIELDS,
    ),
    "PUT /customers/{new}/": Write(
        "put",
        lambda w: f"/api/v1/customers/{fresh('PUT')}/",
        customer_update_body,
        lambda w, body, answer: Customer.objects.get(external_id=answer["external_id"]),
        CUSTOMER_UPDATE_FIELDS,
    ),
    "PUT /customers/C-1/": Write(
        "put",
        lambda w: "/api/v1/customers/C-1/",
        customer_update_body,
        lambda w, body, answer: Customer.objects.get(external_id="C-1"),
        CUSTOMER_UPDATE_FIELDS,
    ),
    "PATCH /customers/C-1/": Write(
        "patch",
        lambda w: "/api/v1/customers/C-1/",
        customer_update_body,
        lambda w, body, answer: Customer.objects.get(external_id="C-1"),
        CUSTOMER_UPDATE_FIELDS,
    ),
    "POST /touchpoints/": Write(
        "post",
        lambda w: "/api/v1/touchpoints/",
        touchpoint_body,
        lambda w, body, answer: Touchpoint.objects.get(code=answer["code"]),
        TOUCHPOINT_FIELDS,
    ),
    "PATCH /touchpoints/delivery/": Write(
        "patch",
        lambda w: "/api/v1/touchpoints/delivery/",
        touchpoint_update_body,
        lambda w, body, answer: Touchpoint.objects.get(code="delivery"),
        TOUCHPOINT_UPDATE_FIELDS,
    ),
    "POST /interactions/": Write(
        "post",
        lambda w: "/api/v1/interactions/",
        interaction_body,
        lambda w, body, answer: Interaction.objects.get(id=answer["id"]),
        INTERACTION_FIELDS,
    ),
    "POST /interactions/ (journey_external_id)": Write(
        "post",
        lambda w: "/api/v1/interactions/",
        interaction_by_ref_body,
        lambda w, body, answer: Interaction.objects.get(id=answer["id"]),
        JOURNEY_REF_FIELDS,
    ),
    "POST /journeys/": Write(
        "post",
        lambda w: "/api/v1/journeys/",
        journey_body,
        lambda w, body, answer: Journey.objects.get(id=answer["id"]),
        JOURNEY_FIELDS,
    ),
    "PATCH /journeys/{id}/": Write(
        "patch",
        lambda w: f"/api/v1/journeys/{w.journey.id}/",
        lambda w: {"status": "completed", "ended_at": "2030-01-01T09:00:00Z"},
        lambda w, body, answer: Journey.objects.get(id=answer["id"]),
        {"status": "other", "ended_at": "other"},
    ),
    "POST /journeys/{id}/interactions/": Write(
        "post",
        lambda w: f"/api/v1/journeys/{w.journey.id}/interactions/",
        lambda w: {"interactions": [w.interaction.id]},
        lambda w, body, answer: Journey.objects.get(id=answer["id"]),
        {"interactions": "other", "interactions.0": "other"},
    ),
    "POST /surveys/{id}/invitations/": Write(
        "post",
        lambda w: f"/api/v1/surveys/{w.survey.id}/invitations/",
        lambda w: {"customer": "C-1", "interaction": w.interaction.id, "send_after": "2030-01-01T09:00:00Z"},
        lambda w, body, answer: Invitation.objects.get(id=answer["id"]),
        {"customer": "other", "interaction": "number", "send_after": "other"},
    ),
    "PATCH /follow-ups/{id}/": Write(
        "patch",
        lambda w: f"/api/v1/follow-ups/{w.agents_case.id}/",
        lambda w: {"status": "in_progress", "outcome": "", "note": "Called back."},
        lambda w, body, answer: FollowUp.objects.get(id=answer["id"]),
        {"status": "other", "outcome": "text", "note": "note"},
    ),
    "POST /webhooks/": Write(
        "post",
        lambda w: "/api/v1/webhooks/",
        lambda w: {
            "url": "https://crm.example.com/hooks/cem",
            "events": ["response.detractor"],
            "description": "CRM task",
        },
        lambda w, body, answer: WebhookEndpoint.objects.get(id=answer["id"]),
        {"url": "other", "events": "other", "events.0": "other", "description": "text"},
    ),
}

BULKS = {
    "POST /customers/bulk/": (
        "/api/v1/customers/bulk/",
        customer_body,
        lambda result: Customer.objects.get(external_id=result["external_id"]),
        CUSTOMER_FIELDS,
    ),
    "POST /interactions/bulk/": (
        "/api/v1/interactions/bulk/",
        interaction_body,
        lambda result: Interaction.objects.get(id=result["id"]),
        INTERACTION_FIELDS,
    ),
    "POST /interactions/bulk/ (journey_external_id)": (
        "/api/v1/interactions/bulk/",
        interaction_by_ref_body,
        lambda result: Interaction.objects.get(id=result["id"]),
        INTERACTION_BY_REF_FIELDS,
    ),
}


def values_for(kind: str) -> dict[str, object]:
    """A text field gets the core of the corpus; a number field the numbers at the edges, a few
    texts and the wrong types (the other core strings are no numbers: the all-at-once sweep sends
    them)."""
    if kind != "number":
        return nasty.core_values()
    values = {name: nasty.STRINGS[name] for name in ("empty", "nan", "long-number", "float-exp")}
    values |= {name: nasty.WRONG_TYPES[name] for name in nasty.CORE_WRONG_TYPES}
    return values | {f"number:{name}": value for name, value in nasty.NUMBERS.items()}


def put_path(body: dict, path: str, value) -> dict:
    """``body`` with the value at the dotted ``path`` (a list index is a number)."""
    *parents, last = path.split(".")
    target = body
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target[part]
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return body


# Input fields stored under another name.
STORED_AS = {"note": "notes", "journey_external_id": "journey_ref"}


def get_path(record, path: str):
    first, *rest = path.split(".")
    value = getattr(record, STORED_AS.get(first, first))
    for part in rest:
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


def _same_number(stored, sent) -> bool:
    """jsonb keeps a number's decimal digits, not its JSON spelling: 1.5e308 comes back as an
    integer of 309 digits, the same number; the same holds inside lists and objects."""
    numbers = (int, float)
    if isinstance(sent, list) and isinstance(stored, list):
        return len(sent) == len(stored) and all(
            a == b or _same_number(a, b) for a, b in zip(stored, sent, strict=True)
        )
    if isinstance(sent, dict) and isinstance(stored, dict):
        return sent.keys() == stored.keys() and all(
            stored[k] == sent[k] or _same_number(stored[k], sent[k]) for k in sent
        )
    if not isinstance(stored, numbers) or not isinstance(sent, numbers) or isinstance(sent, bool):
        return False
    return float(stored) == float(sent)


def stored_as_sent(kind: str, sent, stored) -> str | None:
    """Why an accepted value was not stored as sent, or None."""
    if not isinstance(sent, str) and kind != "exact":
        return None
    if kind == "text" and stored != sent.strip():
        return f"stored {stored!r:.80}"
    if kind == "id" and stored != (sent.strip() or None):
        return f"stored {stored!r:.80}"
    if kind == "exact" and stored != sent and not _same_number(stored, sent):
        return f"stored {stored!r:.80}"
    if kind == "note" and sent.strip() and not stored.endswith(sent.strip()):
        return f"notes end {stored[-80:]!r}"
    return None


def is_error_entry(entry: dict) -> bool:
    """One error of a bulk item, in the shape of the call errors: field, code and message."""
    return set(entry) == {"field", "code", "message"} and bool(entry["code"]) and bool(entry["message"])


def describe(name: str, response) -> str:
    return f"{name}: {response.status_code} {response.content[:160]!r}"


def check_write(spec: Write, world, body: dict, response, before, fields: list[str]) -> list[str]:
    """What is wrong with the answer to one write of ``body`` (whose ``fields`` are nasty)."""
    if response.status_code >= 500:
        return [f"{response.status_code} {response.content[:160]!r}"]
    if response.status_code >= 400:
        assert_api_error(response)
        return [] if db_state() == before else [f"refused with {response.status_code} but rows changed"]
    record = spec.record(world, body, response.json())
    problems = []
    for field in fields:
        mismatch = stored_as_sent(spec.fields[field], get_path_of(body, field), get_path(record, field))
        if mismatch:
            problems.append(f"{field} accepted, {mismatch}")
    return problems


def get_path_of(body: dict, path: str):
    value = body
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


# Writes whose fields the per-field sweep covers through another write with the same serializer
# (PUT validates as PATCH); the all-at-once and whole-corpus sweeps still reach them.
SAME_FIELDS_AS = {
    "PUT /customers/C-1/": "PATCH /customers/C-1/",
    "PUT /customers/{new}/": "PATCH /customers/C-1/",
}


# Fields whose accepted values are compared get the corpus one by one; choices, references,
# dates and flags (whose few valid values no nasty one is) get it all at once, below.
COMPARED = ("text", "id", "exact", "note", "number")


@pytest.mark.parametrize(
    ("write", "field"),
    [
        (write, field)
        for write, spec in WRITES.items()
        if write not in SAME_FIELDS_AS
        for field, kind in spec.fields.items()
        if kind in COMPARED
    ],
)
def test_every_field_refuses_cleanly_or_stores_exactly(api, world, write, field):
    spec = WRITES[write]
    problems = []
    for name, value in values_for(spec.fields[field]).items():
        body = put_path(spec.body(world), field, value)
        before = db_state()
        response = send_json(api, spec.method, spec.path(world), body)
        problems += [
            f"{name}: {problem}" for problem in check_write(spec, world, body, response, before, [field])
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("write", WRITES)
def test_every_field_at_once_refuses_cleanly_or_stores_exactly(api, world, write):
    spec = WRITES[write]
    fields = [field for field in spec.fields if "." not in field]
    problems = []
    for name, value in nasty.core_values().items():
        body = spec.body(world)
        for field in fields:
            put_path(body, field, value)
        before = db_state()
        response = send_json(api, spec.method, spec.path(world), body)
        problems += [
            f"{name}: {problem}" for problem in check_write(spec, world, body, response, before, fields)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("write", WRITES)
def test_the_whole_corpus_in_every_text_field_at_once(api, world, write):
    spec = WRITES[write]
    text_fields = [field for field, kind in spec.fields.items() if kind in ("text", "id", "note")]
    problems = []
    for name, value in {**nasty.STRINGS, **nasty.JSON_ONLY_STRINGS}.items():
        body = spec.body(world)
        for field in text_fields:
            put_path(body, field, value)
        before = db_state()
        response = send_json(api, spec.method, spec.path(world), body)
        problems += [
            f"{name}: {problem}" for problem in check_write(spec, world, body, response, before, text_fields)
        ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("bulk", "field"), [(bulk, field) for bulk, spec in BULKS.items() for field in spec[3]]
)
def test_nasty_bulk_items_never_sink_the_call_or_their_neighbours(api, world, bulk, field):
    """One call per field: an item per value of the whole corpus, then a good item. Each gets its
    result, in order; a refused item is an error entry and no row; the good one is created."""
    path, make_item, record, fields = BULKS[bulk]
    model = Customer if "customers" in path else Interaction
    values = {**nasty.STRINGS, **nasty.WRONG_TYPES, **{f"number:{k}": v for k, v in nasty.NUMBERS.items()}}
    items = [put_path(make_item(world), field, value) for value in values.values()]
    rows = model.objects.count()
    response = send_json(api, "post", path, {"items": [*items, make_item(world)]})
    assert response.status_code == 200, response.content[:300]
    *results, good = response.json()["results"]
    assert good["status"] == "created", good
    assert [result["index"] for result in results] == list(range(len(values)))
    created = [result["status"] for result in (*results, good)].count("created")
    assert model.objects.count() == rows + created
    problems = []
    for (name, value), result in zip(values.items(), results, strict=True):
        if result["status"] == "error":
            assert all(is_error_entry(entry) for entry in result["errors"]), result
        else:
            mismatch = stored_as_sent(fields[field], value, get_path(record(result), field))
            if mismatch:
                problems.append(f"{name}: accepted, {mismatch}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("bulk", BULKS)
def test_a_bulk_item_nasty_in_every_field_is_an_error_entry(api, world, bulk):
    path, make_item, _record, fields = BULKS[bulk]
    model = Customer if "customers" in path else Interaction
    problems = []
    for name, value in nasty.core_values().items():
        if name in nasty.JSON_ONLY_STRINGS:
            continue
        item = make_item(world)
        for field in fields:
            if "." not in field:
                item[field] = value
        rows = model.objects.count()
        response = send_json(api, "post", path, {"items": [item, make_item(world)]})
        if response.status_code == 413:  # ten fields of 100,000 characters: over the body limit
            assert_api_error(response)
            continue
        if response.status_code != 200:
            problems.append(describe(name, response))
            continue
        bad, good = response.json()["results"]
        if bad["status"] != "error" or not bad["errors"] or good["status"] != "created":
            problems.append(f"{name}: {bad['status']}, neighbour {good['status']}")
        if model.objects.count() != rows + 1:
            problems.append(f"{name}: {model.objects.count() - rows} rows added")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("bulk", BULKS)
def test_a_lone_surrogate_in_a_bulk_item_refuses_the_body_as_malformed(api, world, bulk):
    """Not Unicode text: the body as a whole is refused, as malformed JSON would be."""
    path, make_item, _record, _fields = BULKS[bulk]
    before = db_state()
    bad = make_item(world) | {"notes" if "interactions" in path else "name": "\ud800"}
    errors = assert_api_error(send_json(api, "post", path, {"items": [bad, make_item(world)]}))
    assert [error["code"] for error in errors] == ["parse_error"]
    assert db_state() == before


def _call_of(write: str, world) -> tuple[str, str]:
    if write in WRITES:
        return WRITES[write].method, WRITES[write].path(world)
    return "post", BULKS[write][0]


# Bodies a write may accept: the last of duplicate keys wins (as in every JSON parser), an
# unknown key is ignored, and a PATCH of nothing changes nothing.
HARMLESS_BODIES = {"duplicate-keys", "escaped-nul-key"}


@pytest.mark.parametrize("write", [*WRITES, *BULKS])
def test_bodies_that_are_not_a_json_object_are_refused(api, world, write):
    method, path = _call_of(write, world)
    bodies = {
        **nasty.RAW_BODIES,
        **{f"json {name}": json.dumps(value) for name, value in nasty.WRONG_TYPES.items()},
        "json string": json.dumps(nasty.STRINGS["html-script"]),
    }
    problems = []
    for name, text in bodies.items():
        before = db_state()
        response = send_json(api, method, path, text)
        if response.status_code >= 500:
            problems.append(describe(name, response))
        elif response.status_code >= 400:
            assert_api_error(response)
            if db_state() != before:
                problems.append(f"{name}: refused but rows changed")
        elif name not in HARMLESS_BODIES and not (method == "patch" and text in ("", "{}", '{"a": 1}')):
            problems.append(f"{name}: accepted with {response.status_code}")
    assert not problems, "\n".join(problems)


def test_lone_surrogates_are_a_parse_error_anywhere_in_the_body(api, world):
    before = db_state()
    for body in (
        {"external_id": "N-1", "name": "\ud800"},
        {"external_id": "N-1", "name": "x", "ignored-\udfff": 1},
        {"items": [{"external_id": "N-1", "name": "x", "attributes": {"a": ["\ud800"]}}]},
    ):
        path = "/api/v1/customers/bulk/" if "items" in body else "/api/v1/customers/"
        errors = assert_api_error(send_json(api, "post", path, body, HTTP_IDEMPOTENCY_KEY="key-1"))
        assert [error["code"] for error in errors] == ["parse_error"]
    assert db_state() == before


def test_a_surrogate_pair_escape_is_one_character_and_is_stored(api, world):
    response = send_json(
        api, "post", "/api/v1/customers/", '{"external_id": "N-2", "name": "Ada \\ud83d\\ude00"}'
    )
    assert response.status_code == 201
    assert Customer.objects.get(external_id="N-2").name == "Ada 😀"


@pytest.mark.parametrize("depth", [65, 900, 5000])
def test_deeply_nested_json_is_a_parse_error(api, world, depth):
    attributes = '{"a":' * depth + "1" + "}" * depth
    body = f'{{"external_id": "N-3", "name": "x", "attributes": {attributes}}}'
    errors = assert_api_error(send_json(api, "post", "/api/v1/customers/", body, HTTP_IDEMPOTENCY_KEY="k"))
    assert errors[0]["code"] == "parse_error"
    assert not Customer.objects.filter(external_id="N-3").exists()


def test_nesting_within_the_limit_is_stored_exactly(api, world):
    attributes = {"a": {"b": {"c": [1, {"d": ["e"]}]}}}
    body = {"external_id": "N-4", "name": "x", "attributes": attributes}
    assert send_json(api, "post", "/api/v1/customers/", body).status_code == 201
    assert Customer.objects.get(external_id="N-4").attributes == attributes


# --- paths, headers, query filters ---------------------------------------------------------------


def path_and_query_values() -> dict[str, str]:
    """What a URL carries: the core strings and numbers at the edges, as text."""
    values = {name: nasty.STRINGS[name] for name in nasty.CORE_STRINGS}
    return values | {f"number:{name}": str(nasty.NUMBERS[name]) for name in nasty.URL_NUMBERS}


PATH_CALLS = [
    ("get", "/api/v1/customers/{}/"),
    ("put", "/api/v1/customers/{}/"),
    ("patch", "/api/v1/customers/{}/"),
    ("delete", "/api/v1/customers/{}/"),
    ("get", "/api/v1/touchpoints/{}/"),
    ("patch", "/api/v1/touchpoints/{}/"),
    ("get", "/api/v1/journeys/{}/"),
    ("patch", "/api/v1/journeys/{}/"),
    ("post", "/api/v1/journeys/{}/interactions/"),
    ("get", "/api/v1/journey-maps/{}/"),
    ("get", "/api/v1/surveys/{}/"),
    ("post", "/api/v1/surveys/{}/invitations/"),
    ("get", "/api/v1/follow-ups/{}/"),
    ("patch", "/api/v1/follow-ups/{}/"),
    ("get", "/api/v1/webhooks/{}/"),
    ("delete", "/api/v1/webhooks/{}/"),
]


@pytest.mark.parametrize(("method", "template"), PATH_CALLS)
def test_nasty_ids_in_the_path_are_4xx_or_stored_exactly(api, world, method, template):
    problems = []
    for name, value in path_and_query_values().items():
        if not value.strip():
            continue
        before = db_state()
        path = template.format(quote(value, safe=""))
        response = send_json(api, method, path, {"name": "Put by path", "customer": "C-1"})
        if response.status_code >= 500:
            problems.append(describe(name, response))
        elif response.status_code >= 400:
            assert_api_error(response)
            if db_state() != before:
                problems.append(f"{name}: refused but rows changed")
        elif method == "put":  # PUT upserts: the id in the path becomes the customer's, exactly
            if not Customer.objects.filter(external_id=value.strip()).exists():
                problems.append(f"{name}: {response.status_code} but no customer {value!r:.40}")
        elif method != "get":
            problems.append(f"{name}: {method} answered {response.status_code}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("raw", ["%ED%A0%80", "%FF%FE", "%C0%AF", "%00"])
def test_undecodable_bytes_in_paths_and_filters_are_no_server_error(api, world, raw):
    """Percent-escapes that are no UTF-8 (a lone surrogate's bytes, overlong forms) reach Django
    as replacement characters; an id or a filter made of them is refused or matches nothing."""
    for path in (
        f"/api/v1/customers/{raw}/",
        f"/api/v1/customers/?segment={raw}",
        f"/api/v1/interactions/?customer=a{raw}b",
        f"/api/v1/metrics/nps/?segment={raw}",
    ):
        response = api.get(path)
        assert response.status_code < 500, (path, response.content[:200])
        if response.status_code >= 400:
            assert_api_error(response)


def test_nasty_idempotency_keys_are_refused_or_honoured(api, world):
    problems = []
    for name, value in nasty.STRINGS.items():
        before = Customer.objects.count()
        body = {"external_id": fresh("IDEM"), "name": "x"}
        first = send_json(api, "post", "/api/v1/customers/", body, HTTP_IDEMPOTENCY_KEY=value)
        again = send_json(api, "post", "/api/v1/customers/", body, HTTP_IDEMPOTENCY_KEY=value)
        if first.status_code >= 500 or again.status_code >= 500:
            problems.append(describe(name, first if first.status_code >= 500 else again))
        elif first.status_code >= 400:
            assert_api_error(first)
            assert Customer.objects.count() == before
        elif (again.status_code, again.get("Idempotent-Replayed")) != (201, "true"):
            problems.append(f"{name}: accepted but not replayed: {again.status_code}")
    assert not problems, "\n".join(problems)


def test_nasty_authorization_headers_are_401(world):
    problems = []
    for name, value in {**nasty.STRINGS, "nul-prefix": "cem_\x00\x00\x00\x00\x00\x00\x00\x00_secret"}.items():
        for header in (f"Bearer {value}", value, f"Bearer cem_{value}_secret"):
            client = api_client(None)
            # As a WSGI server hands it over: the header's UTF-8 bytes, read as Latin-1.
            client.credentials(HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
            response = client.get("/api/v1/customers/")
            if response.status_code != 401:
                problems.append(describe(f"{name} as {header[:20]!r}", response))
            else:
                assert_api_error(response)
    assert not problems, "\n".join(problems)


# Each list call's filters: free text that reaches a query gets each value on its own (a refused
# neighbour would hide a crash behind its 400); choices, dates, ids and flags all at once.
FILTERS = {
    "/api/v1/customers/": (["segment", "email", "cursor"], ["value_tier", "updated_since"]),
    "/api/v1/touchpoints/": (["cursor"], ["stage", "channel", "active"]),
    "/api/v1/interactions/": (
        ["customer", "touchpoint", "external_id"],
        ["stage", "channel", "source", "journey", "occurred_after", "occurred_before"],
    ),
    "/api/v1/journeys/": (["customer", "external_id"], ["status", "origin", "journey_map", "started_after"]),
    "/api/v1/surveys/": (["touchpoint"], ["status", "kind"]),
    "/api/v1/responses/": (["customer"], ["survey", "since"]),
    "/api/v1/metrics/nps/": (
        ["touchpoint", "segment"],
        ["start", "end", "survey", "stage", "channel", "interval"],
    ),
    "/api/v1/metrics/expectation/": (["touchpoint"], ["start", "interval"]),
    "/api/v1/metrics/peak-end/": (["segment"], ["journey_map", "start"]),
    "/api/v1/metrics/drivers/": ([], ["survey", "end", "value_tier"]),
    "/api/v1/metrics/journeys/": (["journey_map", "segment"], ["journey_map", "start", "interval"]),
    "/api/v1/follow-ups/": (["customer"], ["status", "reason", "overdue", "opened_since"]),
    "/api/v1/webhooks/": ([], ["active"]),
}


@pytest.mark.parametrize("path", FILTERS)
def test_nasty_query_filters_are_400_or_a_page(api, world, path):
    alone, together = FILTERS[path]
    problems = []
    for group in [[name] for name in alone] + [together]:
        for name, value in path_and_query_values().items():
            response = api.get(f"{path}?{urlencode(dict.fromkeys(group, value))}")
            if response.status_code >= 500:
                problems.append(describe(f"{','.join(group)}={name}", response))
            elif response.status_code >= 400:
                assert_api_error(response)
    assert not problems, "\n".join(problems)


def test_numbers_jsonb_respells_count_as_stored_as_sent_at_any_depth():
    assert _same_number(18179570989740070, 1.817957098974007e16)
    assert _same_number([18179570989740070], [1.817957098974007e16])
    assert _same_number({"a": [int(1.5e308)]}, {"a": [1.5e308]})
    assert not _same_number([1, 2], [1, 3])
    assert not _same_number({"a": 1}, {"b": 1})
