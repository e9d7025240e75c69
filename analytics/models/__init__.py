"""Analytics tables: the rollups dashboards read, journey scores, follow-up cases, the worker heartbeat."""

from .followups import FollowUp, FollowUpReason, FollowUpStatus
from .health import WorkerHeartbeat
from .journeys import PEAK_END_BINS, JourneyRollup, JourneyScore, MomentOfTruthRollup
from .rollups import (
    DAY_KINDS,
    DriverRollup,
    InteractionRollup,
    InvitationRollup,
    ResponseRollup,
    RollupBucket,
    StaleKind,
    StaleMark,
)
from .webhooks import WebhookEndpoint, WebhookEventType, WebhookMessage, WebhookMessageStatus

__all__ = [
    "DAY_KINDS",
    "PEAK_END_BINS",
    "DriverRollup",
    "FollowUp",
    "FollowUpReason",
    "FollowUpStatus",
    "InteractionRollup",
    "InvitationRollup",
    "JourneyRollup",
    "JourneyScore",
    "MomentOfTruthRollup",
    "ResponseRollup",
    "RollupBucket",
    "StaleKind",
    "StaleMark",
    "WebhookEndpoint",
    "WebhookEventType",
    "WebhookMessage",
    "WebhookMessageStatus",
    "WorkerHeartbeat",
]
