"""Which rollup table a selector reads: the fine one, or its touchpoint-level twin.

A twin holds the same sums as its fine table without the channel, segment and
value-tier columns (``analytics.models.rollups``), so it answers any question
that neither filters nor groups by those columns, from far fewer rows: its
size follows the surveys and touchpoints in use, not the number of responses.
Both give identical figures; the tests hold them side by side.
"""

from collections.abc import Iterable

from django.db import models

from analytics.models import FINE_ONLY_COLUMNS, ROLLUP_TWINS

from .filters import MetricFilters


def rollup_model(
    fine: type[models.Model], filters: MetricFilters, *, by: Iterable[str] = ()
) -> type[models.Model]:
    """The smallest table that answers ``filters`` grouped ``by`` these columns: ``fine``'s twin
    unless a fine-only column (channel, segment, value tier) is filtered on or grouped by."""
    twin = ROLLUP_TWINS.get(fine)
    if twin is None:
        return fine
    if any(getattr(filters, column) is not None for column in FINE_ONLY_COLUMNS):
        return fine
    if set(by) & set(FINE_ONLY_COLUMNS):
        return fine
    return twin
