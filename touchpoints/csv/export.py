"""Customers and interactions as CSV rows, in the columns the import reads back.

Rows are streamed from a server-side cursor (``iterator``), so an export of millions of rows
holds one chunk in memory. Every cell goes through ``cells.safe`` (no formula injection).
"""

from collections.abc import Iterator

from touchpoints.models import Customer, Interaction

from . import customers, interactions
from .cells import safe

CHUNK = 2000

CUSTOMER_FIELDS = (
    "external_id",
    "name",
    "email",
    "phone",
    "locale",
    "segment",
    "value_tier",
    "email_opt_out",
)
INTERACTION_FIELDS = (
    "customer__external_id",
    "touchpoint__code",
    "occurred_at",
    "external_id",
    "channel",
    "agent__username",
    "category",
    "outcome",
    "notes",
    "experience_score",
    "expected_value",
    "actual_value",
)
assert len(CUSTOMER_FIELDS) == len(customers.COLUMNS)
assert len(INTERACTION_FIELDS) == len(interactions.COLUMNS)


def customers_export_rows() -> Iterator[list[str]]:
    """The header, then one row per customer in id order."""
    yield list(customers.COLUMNS)
    rows = Customer.objects.order_by("id").values_list(*CUSTOMER_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        yield [safe(value) for value in row]


def interactions_export_rows() -> Iterator[list[str]]:
    """The header, then one row per interaction in id order (the customer by external id, the
    touchpoint by code, the agent by username, the time in UTC)."""
    yield list(interactions.COLUMNS)
    rows = Interaction.objects.order_by("id").values_list(*INTERACTION_FIELDS)
    for row in rows.iterator(chunk_size=CHUNK):
        yield [safe(value) for value in row]
