"""Customers by external id: create, update, replace (PUT upserts), delete, and bulk upsert.

Two rules every path here keeps:

* An opt-out is the customer's: the API can record ``email_opt_out: true``
  but ``false`` never clears a stored opt-out (a CRM's stale copy must not
  resubscribe anyone); the customer's own link or an admin can.
* The rollups group by the customer's *current* segment and value tier, so a
  change of either marks that customer's interactions, responses, journeys
  and invitations stale in the same transaction.
"""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from touchpoints import hooks
from touchpoints.models import Customer, ValueTier

from .items import Field, ItemResult, clean_item, error, flag_duplicates

FIELDS: dict[str, Field] = {
    "external_id": Field("text", required=True, max_length=100, blank=False),
    "name": Field("text", max_length=200, blank=False),
    "email": Field("email", max_length=254),
    "phone": Field("phone", max_length=50),
    # The languages surveys are written in (settings.LANGUAGES), as the single calls accept.
    "locale": Field("choice", blank=False, choices=frozenset(code for code, _name in settings.LANGUAGES)),
    "segment": Field("text", max_length=50),
    "value_tier": Field("choice", choices=frozenset(ValueTier.values), blank=False),
    "email_opt_out": Field("boolean"),
    "attributes": Field("object"),
}
WRITABLE = tuple(name for name in FIELDS if name != "external_id")
_FIELD_ORDER = {name: position for position, name in enumerate(FIELDS)}
_METRIC_DIMENSIONS = ("segment", "value_tier")


def customers_mark_stale(*, customer_ids: Collection[int]) -> None:
    """Every figure of these customers moves slice (their segment or value tier changed, or they go)."""
    if customer_ids:
        hooks.customers_changed(customer_ids=list(customer_ids))


def _opt_out(customer: Customer, data: dict, now: datetime) -> None:
    """Apply ``email_opt_out`` from input: true records an opt-out (keeping the first time)."""
    if data.get("email_opt_out") and not customer.email_opt_out:
        customer.email_opt_out, customer.email_opt_out_at = True, now


def _dimensions_changed(before: tuple, customer: Customer) -> bool:
    return before != tuple(getattr(customer, name) for name in _METRIC_DIMENSIONS)


@transaction.atomic
def customer_create(*, data: dict[str, Any], now: datetime | None = None) -> Customer:
    """A new customer from validated ``data`` (``external_id`` and ``name`` at least)."""
    customer = Customer(**{name: value for name, value in data.items() if name != "email_opt_out"})
    _opt_out(customer, data, now or timezone.now())
    customer.full_clean()
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, customer: Customer, data: dict[str, Any], now: datetime | None = None) -> Customer:
    """Change the fields in ``data`` (a partial update); the external id stays."""
    customer = Customer.objects.select_for_update().get(id=customer.id)
    before = tuple(getattr(customer, name) for name in _METRIC_DIMENSIONS)
    for name, value in data.items():
        if name in WRITABLE and name != "email_opt_out":
            setattr(customer, name, value)
    _opt_out(customer, data, now or timezone.now())
    # A stored phone that predates E.164 (migration 0004 left what it could not read) stays as it
    # is until the phone itself is written: changing a name must not fail on it.
    customer.full_clean(exclude=None if "phone" in data else ["phone"])
    customer.save()
    if _dimensions_changed(before, customer):
        customers_mark_stale(customer_ids=[customer.id])
    return customer


@transaction.atomic
def customer_put(
    *, external_id: str, data: dict[str, Any], now: datetime | None = None
) -> tuple[Customer, bool]:
    """Create or fully replace the customer ``external_id`` (fields left out get their defaults,
    except a recorded opt-out). Returns the customer and whether it was created."""
    existing = Customer.objects.select_for_update().filter(external_id=external_id).first()
    if existing is None:
        return customer_create(data={**data, "external_id": external_id}, now=now), True
    defaults = {name: Customer._meta.get_field(name).get_default() for name in WRITABLE}
    full = {**defaults, **{name: value for name, value in data.items() if name in WRITABLE}}
    return customer_update(customer=existing, data=full, now=now), False


@transaction.atomic
def customer_delete(*, customer: Customer) -> None:
    """Delete the customer with their interactions, journeys, invitations, responses and cases; the
    figures they were part of are marked stale first (the rows must exist to be found)."""
    customers_mark_stale(customer_ids=[customer.id])
    # A response protects its invitation; both go with the customer, the responses first.
    hooks.customers_deleting(customer_ids=[customer.id])
    customer.delete()


def _existing(external_ids: Collection[str]) -> dict[str, dict]:
    rows = Customer.objects.filter(external_id__any=external_ids).values(
        "external_id", "id", "segment", "value_tier", "email_opt_out", "email_opt_out_at"
    )
    return {row["external_id"]: row for row in rows}


@transaction.atomic
def customers_upsert(*, items: Sequence[Any], now: datetime | None = None) -> list[ItemResult]:
    """Create or update up to 1,000 customers by ``external_id``; one result per item, in order.

    An item's fields left out keep their stored value on update (their default
    on create, where ``name`` is required). Bad items are reported and skipped;
    the good ones are written with one ``INSERT … ON CONFLICT (external_id) DO
    UPDATE`` per distinct set of fields sent (usually one).
    """
    now = now or timezone.now()
    results: dict[int, ItemResult] = {}
    cleaned: dict[int, dict] = {}
    partial: dict[int, dict] = {}
    for index, item in enumerate(items):
        data, errors = clean_item(item, FIELDS)
        if errors:
            external_id = item.get("external_id") if isinstance(item, dict) else None
            results[index] = ItemResult(index, "error", external_id=_as_text(external_id), errors=errors)
            partial[index] = data
        else:
            cleaned[index] = data
    flag_duplicates(cleaned, results, "external_id")
    named = (*cleaned.values(), *partial.values())
    existing = _existing([data["external_id"] for data in named if "external_id" in data])
    _name_required(partial, results, existing)
    groups: dict[tuple[str, ...], list[tuple[int, Customer]]] = {}
    changed_ids: list[int] = []
    for index, data in cleaned.items():
        stored = existing.get(data["external_id"])
        if stored is None and "name" not in data:
            results[index] = ItemResult(
                index,
                "error",
                data["external_id"],
                errors=[error("name", "required", gettext("This field is required."))],
            )
            continue
        customer = Customer(**{name: value for name, value in data.items() if name != "email_opt_out"})
        fields = sorted(name for name in data if name in WRITABLE)
        if "email_opt_out" in data:
            fields.append("email_opt_out_at")
            if stored and stored["email_opt_out"]:  # a stored opt-out stays, with its first time
                customer.email_opt_out, customer.email_opt_out_at = True, stored["email_opt_out_at"]
            else:
                _opt_out(customer, data, now)
        if stored and any(name in data and data[name] != stored[name] for name in _METRIC_DIMENSIONS):
            changed_ids.append(stored["id"])
        groups.setdefault(tuple(fields), []).append((index, customer))
        results[index] = ItemResult(index, "updated" if stored else "created", data["external_id"])
    for fields, members in groups.items():
        Customer.objects.bulk_create(
            [customer for _, customer in members],
            update_conflicts=True,
            unique_fields=["external_id"],
            update_fields=[*fields, "updated_at"],
        )
    customers_mark_stale(customer_ids=changed_ids)
    return [results[index] for index in range(len(items))]


def _name_required(partial: dict[int, dict], results: dict[int, ItemResult], existing: dict) -> None:
    """An item already in error that would create a customer without a name says so too: every
    error of an item at once, as the single call reports them."""
    for index, data in partial.items():
        errors = results[index].errors
        creates = "external_id" in data and data["external_id"] not in existing
        if creates and "name" not in data and not any(problem["field"] == "name" for problem in errors):
            errors.append(error("name", "required", gettext("This field is required.")))
            errors.sort(key=lambda problem: _FIELD_ORDER.get(problem["field"], -1))


def _as_text(value: Any) -> str | None:
    return value if isinstance(value, str) else None
