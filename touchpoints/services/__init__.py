"""Writes that come in through integrations: customers and interactions upserted by external id, one
or a thousand at a time, and the touchpoint catalogue. Set-based: a batch is validated in Python,
its foreign keys resolved with one query each, and written with a few statements, never a query
per row; and the agent-facing write of one contact (``log.interaction_log``)."""

from .catalogue import touchpoint_create, touchpoint_update
from .customers import customer_create, customer_delete, customer_put, customer_update, customers_upsert
from .interactions import InteractionRow, interactions_upsert, interactions_write
from .items import MAX_BULK_ITEMS, ItemResult
from .log import interaction_log, interactions_journey_set, interactions_journeys_assign

__all__ = [
    "MAX_BULK_ITEMS",
    "InteractionRow",
    "ItemResult",
    "customer_create",
    "customer_delete",
    "customer_put",
    "customer_update",
    "customers_upsert",
    "interaction_log",
    "interactions_journey_set",
    "interactions_journeys_assign",
    "interactions_upsert",
    "interactions_write",
    "touchpoint_create",
    "touchpoint_update",
]
