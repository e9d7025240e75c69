"""Writes owned by the analytics app: rollups and journey scores, follow-up cases, the worker heartbeat."""

from .followups import FollowUpTrigger, follow_ups_open, follow_ups_open_for_days
from .freshness import (
    RefreshReport,
    journey_scores_refresh,
    metrics_mark_stale,
    metrics_rebuild,
    metrics_refresh_stale,
    rollup_refresh_days,
)
from .health import worker_heartbeat_record

__all__ = [
    "FollowUpTrigger",
    "RefreshReport",
    "follow_ups_open",
    "follow_ups_open_for_days",
    "journey_scores_refresh",
    "metrics_mark_stale",
    "metrics_rebuild",
    "metrics_refresh_stale",
    "rollup_refresh_days",
    "worker_heartbeat_record",
]
