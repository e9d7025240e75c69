"""Every coarser copy and the fine rollup it sums, and the columns that match one to the other."""

from functools import cache

from django.db import models

from analytics.models.funnel import (
    JourneyStatusMapRollup,
    JourneyStatusRollup,
    JourneyStepMapRollup,
    JourneyStepRollup,
    MomentStatusMapRollup,
    MomentStatusRollup,
)
from analytics.models.journeys import JourneyRollup, MomentOfTruthRollup

from .coarse import (
    DriverSegmentRollup,
    DriverTouchpointRollup,
    InteractionTouchpointRollup,
    InvitationTouchpointRollup,
    ResponseTouchpointRollup,
)
from .copies import (
    DriverChannelRollup,
    DriverSurveySegmentRollup,
    DriverTierRollup,
    InteractionChannelRollup,
    InteractionSegmentRollup,
    InteractionTierRollup,
    InvitationChannelRollup,
    InvitationSegmentRollup,
    InvitationTierRollup,
    JourneyMapRollup,
    MomentMapRollup,
    ResponseChannelRollup,
    ResponseSegmentRollup,
    ResponseTierRollup,
)
from .interactions import InteractionRollup
from .invitations import InvitationRollup
from .responses import DriverRollup, ResponseRollup

# Every coarser copy and the fine rollup it sums.
# Among copies with as many key columns, the one listed first is chosen.
COARSE_ROLLUPS: dict[type[models.Model], type[models.Model]] = {
    ResponseTouchpointRollup: ResponseRollup,
    ResponseChannelRollup: ResponseRollup,
    ResponseSegmentRollup: ResponseRollup,
    ResponseTierRollup: ResponseRollup,
    DriverSegmentRollup: DriverRollup,
    DriverTouchpointRollup: DriverRollup,
    DriverChannelRollup: DriverRollup,
    DriverSurveySegmentRollup: DriverRollup,
    DriverTierRollup: DriverRollup,
    InvitationTouchpointRollup: InvitationRollup,
    InvitationChannelRollup: InvitationRollup,
    InvitationSegmentRollup: InvitationRollup,
    InvitationTierRollup: InvitationRollup,
    InteractionTouchpointRollup: InteractionRollup,
    InteractionChannelRollup: InteractionRollup,
    InteractionSegmentRollup: InteractionRollup,
    InteractionTierRollup: InteractionRollup,
    JourneyMapRollup: JourneyRollup,
    MomentMapRollup: MomentOfTruthRollup,
    JourneyStepMapRollup: JourneyStepRollup,
    JourneyStatusMapRollup: JourneyStatusRollup,
    MomentStatusMapRollup: MomentStatusRollup,
}


def _referenced(expression) -> set[str]:
    if isinstance(expression, models.F):
        return {expression.name}
    return {name for part in expression.get_source_expressions() for name in _referenced(part)}


def _key_names(model: type[models.Model]) -> set[str]:
    """The fields named by the model's unique key (plain fields or inside ``Coalesce``)."""
    names: set[str] = set()
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            names.update(constraint.fields)
            for expression in constraint.expressions:
                names.update(_referenced(expression))
    return names


@cache
def twin_columns(coarse: type[models.Model]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The key columns (those of its unique key) and the summed columns of a rollup model
    (attribute names), in field order."""
    key_names = _key_names(coarse)
    keys, sums = [], []
    for field in coarse._meta.concrete_fields:
        if field.primary_key:
            continue
        (keys if field.name in key_names else sums).append(field.attname)
    return tuple(keys), tuple(sums)


@cache
def coarse_models_of(fine: type[models.Model]) -> tuple[type[models.Model], ...]:
    """The coarser copies of ``fine``, fewest key columns (smallest) first."""
    copies = [coarse for coarse, source in COARSE_ROLLUPS.items() if source is fine]
    return tuple(sorted(copies, key=lambda coarse: len(twin_columns(coarse)[0])))
