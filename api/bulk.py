"""The envelope of bulk calls: ``{"items": [...]}`` in, one result per item and a summary out."""

from collections import Counter
from collections.abc import Sequence

from django.utils.translation import gettext
from rest_framework import exceptions

MAX_ITEMS = 1000


def bulk_items(request, *, limit: int = MAX_ITEMS) -> list:
    """The request's ``items``: a list of 1 to ``limit`` entries (each is checked by the service)."""
    data = request.data
    items = data.get("items") if isinstance(data, dict) else None
    if not isinstance(items, list) or not 1 <= len(items) <= limit:
        message = gettext("Send a JSON object with 'items': a list of 1 to %(limit)s objects.")
        raise exceptions.ValidationError({"items": [message % {"limit": limit}]})
    return items


def bulk_answer(results: Sequence, *, with_id: bool) -> dict:
    """``{"results": [...], "summary": {"created", "updated", "failed"}}``."""
    statuses = Counter(result.status for result in results)
    return {
        "results": [result.as_dict(with_id=with_id) for result in results],
        "summary": {
            "created": statuses["created"],
            "updated": statuses["updated"],
            "failed": statuses["error"],
        },
    }
