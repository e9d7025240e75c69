"""Rollup tables the dashboards and the metrics API read, and the bookkeeping that keeps them fresh.

Every rollup row holds additive counts for one bucket (a day in the
platform's ``TIME_ZONE``) and one combination of dimensions, so any slice is a
``SUM`` over rows and ``analytics.metrics`` turns the sums into figures.

``freshness`` holds the stale marks and refresh buckets, ``measures`` the
abstract count and slice columns, ``responses``, ``interactions`` and
``invitations`` the fine rollups, and ``coarse`` their coarser copies with the
metadata that matches copy to source.
"""

from .coarse import (
    COARSE_ROLLUPS,
    DriverSegmentRollup,
    DriverTouchpointRollup,
    InteractionTouchpointRollup,
    InvitationTouchpointRollup,
    ResponseTouchpointRollup,
    coarse_models_of,
    twin_columns,
)
from .freshness import DAY_KINDS, RollupBucket, StaleKind, StaleMark
from .interactions import InteractionRollup
from .invitations import InvitationRollup
from .responses import DriverRollup, ResponseRollup

__all__ = [
    "COARSE_ROLLUPS",
    "DAY_KINDS",
    "DriverRollup",
    "DriverSegmentRollup",
    "DriverTouchpointRollup",
    "InteractionRollup",
    "InteractionTouchpointRollup",
    "InvitationRollup",
    "InvitationTouchpointRollup",
    "ResponseRollup",
    "ResponseTouchpointRollup",
    "RollupBucket",
    "StaleKind",
    "StaleMark",
    "coarse_models_of",
    "twin_columns",
]
