"""Analytics tables: the rollups dashboards read, journey scores, follow-up cases, the worker heartbeat."""

from .followups import FollowUp, FollowUpReason, FollowUpStatus
from .health import WorkerHeartbeat
from .journeys import PEAK_END_BINS, JourneyRollup, JourneyScore, MomentOfTruthRollup
from .rollups import (
    DAY_KINDS,
    FINE_ONLY_COLUMNS,
    ROLLUP_TWINS,
    DriverRollup,
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
)
from .webhooks import WebhookEndpoint, WebhookEventType, WebhookMessage, WebhookMessageStatus

__all__ = [
    "DAY_KINDS",
    "FINE_ONLY_COLUMNS",
    "PEAK_END_BINS",
    "ROLLUP_TWINS",
    "DriverRollup",
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
]
