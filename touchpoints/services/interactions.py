"""Interactions in bulk, upserted by ``external_id``.

Items without an ``external_id`` are always created: nothing identifies them,
so sending one twice stores it twice. Give every item an id from the source
system to make a re-sent batch create nothing new.

The external id's uniqueness is a *partial* index (only ids present are
unique), which ``INSERT … ON CONFLICT (external_id)`` cannot name without its
predicate; so the batch reads which ids exist (one query), inserts the new
rows with one statement and updates the others with one statement per set of
fields sent (``UNNEST`` arrays on PostgreSQL, ``bulk_create``/``bulk_update``
elsewhere). A concurrent writer inserting the same id between the read and the
insert makes the insert fail; the batch then runs again from the read, once.
"""

from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from touchpoints import hooks
from touchpoints.models import (
    Channel,
    Customer,
    Interaction,
    InteractionOutcome,
    InteractionSource,
    Touchpoint,
)

from .items import (
    FOREIGN_JOURNEY,
    JOURNEY_TWICE,
    UNKNOWN_CUSTOMER,
    UNKNOWN_JOURNEY,
    UNKNOWN_TOUCHPOINT,
    Field,
    ItemResult,
    clean_item,
    error,
    flag_duplicates,
)
from .sql import insert_returning_ids, update_by_id

FIELDS: dict[str, Field] = {
    "external_id": Field("text", max_length=100, nullable=True),
    "customer": Field("text", required=True, max_length=100, blank=False),
    "touchpoint": Field("text", required=True, max_length=50, blank=False),
    "channel": Field("choice", choices=frozenset(Channel.values), blank=False),
    "occurred_at": Field("datetime"),
    "category": Field("text", max_length=100),
    "outcome": Field("choice", choices=frozenset(InteractionOutcome.values)),
    "notes": Field("text"),
    "experience_score": Field("number", nullable=True, min_value=0, max_value=10),
    "expected_value": Field("number", nullable=True, above=0),
    "actual_value": Field("number", nullable=True, min_value=0),
    "journey": Field("integer", nullable=True, min_value=1, max_value=2**63 - 1),
    "journey_external_id": Field("text", max_length=100),
}
_FIELD_ORDER = {name: position for position, name in enumerate(FIELDS)}
# Columns an item may set; the rest (id, source, created_at, agent) are never written from input.
_COLUMNS = {name: name for name in FIELDS} | {"customer": "customer_id", "touchpoint": "touchpoint_id"}
_COLUMNS["journey"] = "journey_id"
_COLUMNS["journey_external_id"] = "journey_ref"
UPDATE_BATCH = 250


@dataclass(frozen=True, slots=True)
class _CustomerRef:
    id: int
    external_id: str
    locale: str

    def instance(self) -> Customer:
        return Customer(id=self.id, external_id=self.external_id, locale=self.locale)


def _resolve(
    cleaned: dict[int, dict], results: dict[int, ItemResult], partial: dict[int, dict]
) -> tuple[dict, dict]:
    """Customers by external id and touchpoints by code (one query each); journeys named by id must
    exist and belong to the item's customer, those named by external id must not be another
    customer's (one query each, only when some item names one). Items naming none of them become
    errors; so do the references of items already in error (``partial``: what of them is valid), so
    that an item's every error is reported at once, as the single call does."""
    # The journey is read through the interaction's own foreign key: journeys sit above the ledger.
    Journey = Interaction._meta.get_field("journey").related_model
    named = [*cleaned.values(), *partial.values()]

    # Plain rows, not instances: a thousand Customer() cost more than the query.
    customers = {
        external_id: _CustomerRef(id=pk, external_id=external_id, locale=locale)
        for external_id, pk, locale in Customer.objects.filter(
            external_id__any={d["customer"] for d in named if "customer" in d}
        ).values_list("external_id", "id", "locale")
    }
    touchpoints = {
        t.code: t
        for t in Touchpoint.objects.filter(code__in={d["touchpoint"] for d in named if "touchpoint" in d})
    }
    journey_ids = {d["journey"] for d in named if d.get("journey") is not None}
    journeys = (
        dict(Journey.objects.filter(id__in=journey_ids).values_list("id", "customer_id"))
        if journey_ids
        else {}
    )
    refs = {d["journey_external_id"] for d in named if d.get("journey_external_id")}
    journey_owners = (
        dict(Journey.objects.filter(external_id__in=refs).values_list("external_id", "customer_id"))
        if refs
        else {}
    )
    known = (customers, touchpoints, journeys, journey_owners)
    for index, data in partial.items():
        errors = results[index].errors
        errors.extend(_reference_problems(data, *known))
        errors.sort(key=lambda problem: _FIELD_ORDER.get(problem["field"], -1))
    for index, data in list(cleaned.items()):
        problems = _reference_problems(data, *known)
        if problems:
            results[index] = ItemResult(index, "error", data.get("external_id"), errors=problems)
            del cleaned[index]
    return customers, touchpoints


def _reference_problems(
    data: dict, customers: dict, touchpoints: dict, journeys: dict, journey_owners: dict
) -> list[dict]:
    """The errors of the references an item names (those that were valid values)."""
    problems = []
    customer = customers.get(data.get("customer"))
    if "customer" in data and customer is None:
        problems.append(error("customer", "does_not_exist", UNKNOWN_CUSTOMER.format(value=data["customer"])))
    if "touchpoint" in data and data["touchpoint"] not in touchpoints:
        problems.append(
            error("touchpoint", "does_not_exist", UNKNOWN_TOUCHPOINT.format(value=data["touchpoint"]))
        )
    journey = data.get("journey")
    # As the single call: a journey that does not exist, or one of another (known) customer.
    if journey is not None and (
        journey not in journeys or (customer is not None and journeys[journey] != customer.id)
    ):
        problems.append(error("journey", "does_not_exist", UNKNOWN_JOURNEY.format(value=journey)))
    problems += _journey_ref_problems(data, customer, journey_owners)
    return problems


def _journey_ref_problems(data: dict, customer: _CustomerRef | None, journey_owners: dict) -> list[dict]:
    """A journey named by external id: not together with one named by id, and not another (known)
    customer's; one that does not exist yet is created when the interaction is stored."""
    ref = data.get("journey_external_id")
    if not ref:
        return []
    if data.get("journey") is not None:
        return [error("journey_external_id", "exclusive", str(JOURNEY_TWICE))]
    owner = journey_owners.get(ref)
    if customer is not None and owner is not None and owner != customer.id:
        return [error("journey_external_id", "other_customer", FOREIGN_JOURNEY.format(value=ref))]
    return []


# Columns of a new row, in the order sent to the database; the rest take their column default.
_INSERT_COLUMNS = (
    "external_id",
    "customer_id",
    "touchpoint_id",
    "channel",
    "occurred_at",
    "category",
    "outcome",
    "notes",
    "experience_score",
    "expected_value",
    "actual_value",
    "journey_id",
    "journey_ref",
    "agent_id",
    "source",
    "created_at",
)
_DEFAULTS = {"category": "", "outcome": "", "notes": "", "experience_score": None, "expected_value": None}
_DEFAULTS |= {"actual_value": None, "journey_id": None, "agent_id": None, "external_id": None}
_DEFAULTS["journey_ref"] = ""


@dataclass(slots=True)
class InteractionRow:
    """One interaction to store: ``values`` by column (``customer_id``, ``touchpoint_id`` and
    ``occurred_at`` always; on an update, only the columns given are written); ``id`` and
    ``created`` are set by ``interactions_write``. ``index`` is the caller's (item or CSV row)."""

    index: int
    values: dict[str, Any]
    id: int | None = None
    created: bool = True


def _rows(cleaned: dict[int, dict], customers: dict, touchpoints: dict) -> list[InteractionRow]:
    rows = []
    for index, data in cleaned.items():
        values = {_COLUMNS[name]: value for name, value in data.items()}
        values["customer_id"] = customers[data["customer"]].id
        values["touchpoint_id"] = touchpoints[data["touchpoint"]].id
        rows.append(InteractionRow(index, values))
    return rows


def _insert(rows: list[InteractionRow], touchpoints_by_id: dict, source: str, now: datetime) -> None:
    """Insert the new rows (defaults filled in) and set their ids."""
    for row in rows:
        row.values = {
            **_DEFAULTS,
            "channel": touchpoints_by_id[row.values["touchpoint_id"]].channel,
            "occurred_at": now,
            **row.values,
            "source": source,
            "created_at": now,
        }
    tuples = [tuple(row.values[column] for column in _INSERT_COLUMNS) for row in rows]
    ids = insert_returning_ids(Interaction, _INSERT_COLUMNS, tuples)
    if ids is None:
        objects = [Interaction(**row.values) for row in rows]
        Interaction.objects.bulk_create(objects)
        ids = [obj.id for obj in objects]
    for row, interaction_id in zip(rows, ids, strict=True):
        row.id = interaction_id


def _update(rows: list[InteractionRow]) -> None:
    """Update the existing rows: the columns each item sent (customer and touchpoint always)."""
    groups: dict[tuple[str, ...], list[InteractionRow]] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row.values)), []).append(row)
    for columns, members in groups.items():
        tuples = [(row.id, *(row.values[column] for column in columns)) for row in members]
        if not update_by_id(Interaction, columns, tuples):
            objects = [Interaction(id=row.id, **row.values) for row in members]
            Interaction.objects.bulk_update(objects, list(columns), batch_size=UPDATE_BATCH)


def _store(rows: list[InteractionRow], touchpoints_by_id: dict, source: str, now: datetime) -> None:
    external_ids = [row.values["external_id"] for row in rows if row.values.get("external_id")]
    existing = dict(
        Interaction.objects.filter(external_id__any=external_ids).values_list("external_id", "id")
    )
    for row in rows:
        row.id = existing.get(row.values.get("external_id"))
        row.created = row.id is None
    updated = [row for row in rows if not row.created]
    if updated:  # their present days and journeys, before the rows move away from them
        hooks.interactions_changed(interaction_ids=[row.id for row in updated])
    _insert([row for row in rows if row.created], touchpoints_by_id, source, now)
    _update(updated)


@transaction.atomic
def interactions_write(
    *,
    rows: list[InteractionRow],
    touchpoints: Iterable[Touchpoint],
    customer_of: Callable[[int], Customer],
    source: str,
    now: datetime,
) -> list[InteractionRow]:
    """Store resolved rows set-based, then call the ledger's hooks once: the one write behind both the
    API's bulk call and the CSV import.

    Rows whose ``external_id`` exists update that interaction (its old day and journey are marked
    stale first), the others are inserted with the column defaults, the touchpoint's channel and
    ``now`` as the time when not given. A concurrent writer taking an external id between the read
    and the insert makes the insert fail: the rows are stored again from the read, once, and a second
    failure is raised. ``touchpoints``: those the rows name; ``customer_of``: a customer id → an
    instance (built only for the interactions the survey rules watch).
    """
    touchpoints_by_id = {touchpoint.id: touchpoint for touchpoint in touchpoints}
    given = [row.values for row in rows]
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                _store(rows, touchpoints_by_id, source, now)
                break
        except IntegrityError:
            if attempt == 2:
                raise
            for row, values in zip(rows, given, strict=True):
                row.values = dict(values)
    hooks.interactions_added(interaction_ids=[row.id for row in rows if row.created])
    hooks.interactions_changed(interaction_ids=[row.id for row in rows if not row.created])

    def materialise(watched, since):
        return _recent(rows, customer_of, touchpoints_by_id, since=since, watched=watched)

    logged = hooks.LoggedInteractions(touchpoints=touchpoints_by_id.values(), materialise=materialise)
    hooks.interactions_logged(interactions=logged, now=now)
    return rows


@transaction.atomic
def interactions_upsert(
    *, items: Sequence[Any], source: str = InteractionSource.API, now: datetime | None = None
) -> list[ItemResult]:
    """Create or update up to 1,000 interactions; one result per item, in order.

    Bad items (invalid fields, an unknown customer or touchpoint, an external
    id sent twice) are reported and skipped; the rest are written together.
    As ``interaction_log`` does for one, the batch then calls the ledger's hooks
    (metrics marked stale, survey rules applied), once, in the same transaction.
    """
    now = now or timezone.now()
    results: dict[int, ItemResult] = {}
    cleaned: dict[int, dict] = {}
    partial: dict[int, dict] = {}
    for index, item in enumerate(items):
        data, errors = clean_item(item, FIELDS)
        if data.get("external_id") == "":
            data["external_id"] = None
        if errors:
            external_id = item.get("external_id") if isinstance(item, dict) else None
            results[index] = ItemResult(
                index, "error", external_id if isinstance(external_id, str) else None, errors=errors
            )
            partial[index] = data
        else:
            cleaned[index] = data
    flag_duplicates(cleaned, results, "external_id")
    customers, touchpoints = _resolve(cleaned, results, partial)
    refs = {customer.id: customer for customer in customers.values()}
    rows = interactions_write(
        rows=_rows(cleaned, customers, touchpoints),
        touchpoints=touchpoints.values(),
        customer_of=lambda customer_id: refs[customer_id].instance(),
        source=source,
        now=now,
    )
    for row in rows:
        external_id = row.values.get("external_id")
        results[row.index] = ItemResult(
            row.index, "created" if row.created else "updated", external_id, row.id
        )
    return [results[index] for index in range(len(items))]


def _recent(
    rows: list[InteractionRow],
    customer_of: Callable[[int], Customer],
    touchpoints_by_id: dict,
    *,
    since: datetime,
    watched: Collection[int],
) -> list[Interaction]:
    """The interactions the survey rules may act on (at a ``watched`` touchpoint, none before
    ``since``), as model instances: new rows built from what is in hand, updated rows read back
    whole (one query)."""
    instances: dict[int, Customer] = {}

    def customer(customer_id: int) -> Customer:
        if customer_id not in instances:
            instances[customer_id] = customer_of(customer_id)
        return instances[customer_id]

    recent = [
        Interaction(
            customer=customer(row.values["customer_id"]),
            touchpoint=touchpoints_by_id[row.values["touchpoint_id"]],
            **{
                column: value
                for column, value in row.values.items()
                if column not in ("customer_id", "touchpoint_id")
            },
            id=row.id,
        )
        for row in rows
        if row.created and row.values["occurred_at"] >= since and row.values["touchpoint_id"] in watched
    ]
    updated_ids = [row.id for row in rows if not row.created and row.values["touchpoint_id"] in watched]
    if updated_ids:
        recent += Interaction.objects.filter(id__any=updated_ids, occurred_at__gte=since).select_related(
            "touchpoint", "customer"
        )
    return recent
