"""Which rollup table a selector reads: the fine one, or the smallest coarser copy that answers.

A coarser copy holds the same sums as its fine table over fewer columns
(``analytics.models.rollups``), so it answers any question that neither
filters nor groups by a column it lacks, from far fewer rows: its size
follows the surveys, touchpoints and segments in use, not the number of
responses. Both give identical figures; the tests hold them side by side.
"""

from collections.abc import Iterable

from django.db import models

from analytics.models import coarse_models_of, twin_columns

from .filters import MetricFilters

# The filter set's fields that narrow rollup rows by a column of the same name.
_FILTER_COLUMNS = (
    "survey_id",
    "touchpoint_id",
    "stage",
    "channel",
    "segment",
    "value_tier",
    "journey_map_id",
)


def rollup_model(
    fine: type[models.Model], filters: MetricFilters, *, by: Iterable[str] = ()
) -> type[models.Model]:
    """The smallest table that answers ``filters`` grouped ``by`` these columns: a coarser copy of
    ``fine`` that has every column filtered on (of those ``fine`` has) and grouped by, else ``fine``."""
    columns = {field.attname for field in fine._meta.concrete_fields}
    needed = {name for name in _FILTER_COLUMNS if name in columns and getattr(filters, name) is not None}
    needed |= set(by)
    for coarse in coarse_models_of(fine):
        if needed <= set(twin_columns(coarse)[0]):
            return coarse
    return fine
