"""Rollup tables the dashboards and the metrics API read, and the bookkeeping that keeps them fresh.

Every rollup row holds additive counts for one bucket (a day in the
platform's ``TIME_ZONE``) and one combination of dimensions, so any slice is a
``SUM`` over rows and ``analytics.metrics`` turns the sums into figures.

``freshness`` holds the stale marks and refresh buckets, ``measures`` the
abstract count and slice columns, ``responses``, ``interactions`` and
``invitations`` the fine rollups, ``coarse`` and ``copies`` their coarser copies, and
``registry`` the metadata that matches copy to source.
"""

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
from .freshness import DAY_KINDS, ROW_KINDS, RollupBucket, StaleKind, StaleMark
from .interactions import InteractionRollup
from .invitations import InvitationRollup
from .registry import COARSE_ROLLUPS, coarse_models_of, twin_columns
from .responses import DriverRollup, ResponseRollup

__all__ = [
    "COARSE_ROLLUPS",
    "DAY_KINDS",
    "ROW_KINDS",
    "DriverChannelRollup",
    "DriverRollup",
    "DriverSegmentRollup",
    "DriverSurveySegmentRollup",
    "DriverTierRollup",
    "DriverTouchpointRollup",
    "InteractionChannelRollup",
    "InteractionRollup",
    "InteractionSegmentRollup",
    "InteractionTierRollup",
    "InteractionTouchpointRollup",
    "InvitationChannelRollup",
    "InvitationRollup",
    "InvitationSegmentRollup",
    "InvitationTierRollup",
    "InvitationTouchpointRollup",
    "JourneyMapRollup",
    "MomentMapRollup",
    "ResponseChannelRollup",
    "ResponseRollup",
    "ResponseSegmentRollup",
    "ResponseTierRollup",
    "ResponseTouchpointRollup",
    "RollupBucket",
    "StaleKind",
    "StaleMark",
    "coarse_models_of",
    "twin_columns",
]
