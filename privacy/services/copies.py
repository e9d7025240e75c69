"""Copies of a customer's data held outside their own rows: the webhook outbox (each message's
signed JSON body names the customer by external id, a bounce also by address) and the answers
kept for ``Idempotency-Key`` replays (24 h).

Both are found by the customer's identifiers as they appear in the stored JSON: a quoted JSON
string, so ``"C-1"`` does not match ``"C-10"``. This scans those tables; they are read only by
an export or an erasure, which are rare.
"""

import json

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

from api.models import IdempotencyRecord
from webhooks.models import WebhookMessage


def _json_strings(value: str) -> set[str]:
    """``value`` as a JSON string, in both spellings a stored body may use for non-ASCII text."""
    return {json.dumps(value, ensure_ascii=False), json.dumps(value, ensure_ascii=True)}


def webhook_messages_about(*, external_id: str, email: str) -> QuerySet[WebhookMessage]:
    """Outbox messages whose payload names this customer (by external id, or by address)."""
    condition = Q(pk__in=[])
    for text in _json_strings(external_id):
        condition |= Q(body__contains=f'"customer_external_id":{text}')
    if email:
        for text in _json_strings(email):
            condition |= Q(body__contains=f'"email":{text}')
    return WebhookMessage.objects.filter(condition)


def idempotency_records_about(*, values: list[str]) -> QuerySet[IdempotencyRecord]:
    """Stored API answers that contain any of ``values`` (the external id, the address, …)."""
    condition = Q(pk__in=[])
    for value in values:
        if value:
            for text in _json_strings(value):
                condition |= Q(body_text__contains=text)
    return IdempotencyRecord.objects.annotate(body_text=Cast("body", TextField())).filter(condition)
