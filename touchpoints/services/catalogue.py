"""The touchpoint catalogue: create a touchpoint, change one.

A touchpoint's floor and its measure's direction enter the figures of every
interaction logged at it (floor breaches, measure ratios), so changing either
marks those figures stale: one grouped query finds one interaction per
(day, journey), which is all ``metrics_mark_stale`` needs to find the days and
journeys, not every interaction.
"""

from typing import Any

from django.db import transaction
from django.db.models import Min

from infra.days import day_of
from touchpoints import hooks
from touchpoints.models import Interaction, Touchpoint

# Fields whose change alters the figures of the touchpoint's interactions.
_FIGURE_FIELDS = ("floor_score", "measure_direction")
UPDATABLE = (
    "name",
    "description",
    "floor_score",
    "measure_name",
    "measure_unit",
    "measure_direction",
    "active",
)


@transaction.atomic
def touchpoint_create(*, data: dict[str, Any]) -> Touchpoint:
    touchpoint = Touchpoint(**data)
    touchpoint.full_clean()
    touchpoint.save()
    return touchpoint


@transaction.atomic
def touchpoint_update(*, touchpoint: Touchpoint, data: dict[str, Any]) -> Touchpoint:
    """Change the descriptive fields, the floor, the measure or ``active``; code, stage and channel
    stay (moving a touchpoint to another stage rewrites history: do it in the admin, then
    ``rebuild_metrics``)."""
    touchpoint = Touchpoint.objects.select_for_update().get(id=touchpoint.id)
    before = tuple(getattr(touchpoint, name) for name in _FIGURE_FIELDS)
    for name, value in data.items():
        if name in UPDATABLE:
            setattr(touchpoint, name, value)
    touchpoint.full_clean()
    touchpoint.save()
    if before != tuple(getattr(touchpoint, name) for name in _FIGURE_FIELDS):
        one_per_day_and_journey = (
            Interaction.objects.filter(touchpoint=touchpoint)
            .annotate(bucket_day=day_of("occurred_at"))
            .values("bucket_day", "journey_id")
            .annotate(first=Min("id"))
            .order_by()
            .values_list("first", flat=True)
        )
        hooks.interactions_changed(interaction_ids=list(one_per_day_and_journey))
    return touchpoint
