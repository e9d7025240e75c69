"""Analytics tables: the rollups dashboards read, journey scores, the worker heartbeat."""

from .health import WorkerHeartbeat
from .journeys import PEAK_END_BINS, JourneyRollup, JourneyScore, MomentOfTruthRollup
from .rollups import (
    COARSE_ROLLUPS,
    DAY_KINDS,
    DriverRollup,
    DriverSegmentRollup,
    DriverTouchpointRollup,
    InteractionRollup,
    InteractionTouchpointRollup,
    InvitationRollup,
    InvitationTouchpointRollup,
    ResponseRollup,
    ResponseTouchpointRollup,
    RollupBucket,
    StaleKind,
    StaleMark,
    coarse_models_of,
    twin_columns,
)

__all__ = [
    "COARSE_ROLLUPS",
    "DAY_KINDS",
    "PEAK_END_BINS",
    "DriverRollup",
    "DriverSegmentRollup",
    "DriverTouchpointRollup",
    "InteractionRollup",
    "InteractionTouchpointRollup",
    "InvitationRollup",
    "InvitationTouchpointRollup",
    "JourneyRollup",
    "JourneyScore",
    "MomentOfTruthRollup",
    "ResponseRollup",
    "ResponseTouchpointRollup",
    "RollupBucket",
    "StaleKind",
    "StaleMark",
    "WorkerHeartbeat",
    "coarse_models_of",
    "twin_columns",
]
