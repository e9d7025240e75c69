"""Writes owned by the analytics app: rollups and journey scores, the follow-up cases a refreshed day
calls for, the worker heartbeat."""

from .customer_marks import metrics_mark_customers_stale
from .follow_up_triggers import follow_ups_open_for_days
from .freshness import (
    RefreshReport,
    journey_scores_refresh,
    metrics_rebuild,
    metrics_refresh_stale,
    rollup_refresh_days,
)
from .health import worker_heartbeat_record
from .marks import metrics_mark_added, metrics_mark_stale

__all__ = [
    "RefreshReport",
    "follow_ups_open_for_days",
    "journey_scores_refresh",
    "metrics_mark_added",
    "metrics_mark_customers_stale",
    "metrics_mark_stale",
    "metrics_rebuild",
    "metrics_refresh_stale",
    "rollup_refresh_days",
    "worker_heartbeat_record",
]
