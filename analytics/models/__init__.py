"""Analytics tables: the rollups dashboards read, journey scores, follow-up cases, the worker heartbeat."""

from .followups import FollowUp, FollowUpReason, FollowUpStatus
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
from .webhooks import WebhookEndpoint, WebhookEventType, WebhookMessage, WebhookMessageStatus

__all__ = [
    "COARSE_ROLLUPS",
    "DAY_KINDS",
    "PEAK_END_BINS",
    "DriverRollup",
    "DriverSegmentRollup",
    "DriverTouchpointRollup",
    "FollowUp",
    "FollowUpReason",
    "FollowUpStatus",
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
    "WebhookEndpoint",
    "WebhookEventType",
    "WebhookMessage",
    "WebhookMessageStatus",
    "WorkerHeartbeat",
    "coarse_models_of",
    "twin_columns",
]
