"""Reads owned by the analytics app. Figures come from rollup tables only, never from raw responses."""

from .filters import MetricFilters
from .freshness import Freshness, metrics_freshness
from .health import worker_last_seen
from .interactions import (
    INTERACTION_DIMENSIONS,
    InteractionBreakdownRow,
    InteractionFigures,
    TouchpointExpectation,
    expectation_by_touchpoint,
    interaction_breakdown,
    interaction_summary,
)
from .journeys import JourneyFigures, MomentOfTruth, journey_summary, moments_of_truth
from .responses import (
    DIMENSIONS,
    INTERVALS,
    BreakdownRow,
    Comparison,
    ResponseFigures,
    SeriesPoint,
    figures_of,
    response_breakdown,
    response_comparison,
    response_series,
    response_summary,
)
from .surveys import InvitationFigures, driver_summary, invitation_summary

__all__ = [
    "DIMENSIONS",
    "INTERACTION_DIMENSIONS",
    "INTERVALS",
    "BreakdownRow",
    "Comparison",
    "Freshness",
    "InteractionBreakdownRow",
    "InteractionFigures",
    "InvitationFigures",
    "JourneyFigures",
    "MetricFilters",
    "MomentOfTruth",
    "ResponseFigures",
    "SeriesPoint",
    "TouchpointExpectation",
    "driver_summary",
    "expectation_by_touchpoint",
    "figures_of",
    "interaction_breakdown",
    "interaction_summary",
    "invitation_summary",
    "journey_summary",
    "metrics_freshness",
    "moments_of_truth",
    "response_breakdown",
    "response_comparison",
    "response_series",
    "response_summary",
    "worker_last_seen",
]
