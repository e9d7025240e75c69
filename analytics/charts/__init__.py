"""Dashboard figures, built in Python: one function per figure, taking selector results and returning
a ``Figure``, the plain data and layout plotly.js draws (with a title, labelled axes with units,
hover text, the stage colours, and an empty state that says why there is nothing to show).
``chart()`` turns one into what a template embeds; ``static/js/charts.js`` draws it."""

from .base import STAGE_COLOURS, Chart, Figure, chart, empty_figure, figure_json, is_empty, stage_colour
from .drivers import SegmentDrivers, driver_matrix_figure, driver_segments_figure, quadrant_cuts
from .funnel import (
    give_up_figure,
    journey_funnel_figure,
    journey_outcomes_figure,
    peak_end_by_outcome_figure,
    step_time_figure,
)
from .journeys import journey_curve_figure, moments_of_truth_figure, peak_end_distribution_figure
from .overview import nps_split_figure, nps_trend_figure
from .touchpoints import (
    expectation_heatmap_figure,
    floor_breach_figure,
    stage_ordered,
    touchpoint_expectation_figure,
    touchpoint_nps_figure,
)

__all__ = [
    "STAGE_COLOURS",
    "Chart",
    "Figure",
    "SegmentDrivers",
    "chart",
    "driver_matrix_figure",
    "driver_segments_figure",
    "empty_figure",
    "expectation_heatmap_figure",
    "figure_json",
    "floor_breach_figure",
    "give_up_figure",
    "is_empty",
    "journey_curve_figure",
    "journey_funnel_figure",
    "journey_outcomes_figure",
    "moments_of_truth_figure",
    "nps_split_figure",
    "nps_trend_figure",
    "peak_end_by_outcome_figure",
    "peak_end_distribution_figure",
    "quadrant_cuts",
    "stage_colour",
    "stage_ordered",
    "step_time_figure",
    "touchpoint_expectation_figure",
    "touchpoint_nps_figure",
]
