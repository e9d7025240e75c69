"""Figure builders: each takes selector results and returns a plotly figure with a title, labelled
axes with units, hover text, the stage colours of cem.css, and an empty state that says why."""

import json
import math
import re
from datetime import date
from pathlib import Path

import plotly.graph_objects as go
import pytest

from analytics import charts
from analytics.charts.base import NO_STAGE_COLOUR, STAGE_COLOURS
from analytics.metrics import (
    DriverResult,
    driver_quadrants,
    experience_summary,
    journey_aggregate,
    ratio_summary,
)
from analytics.selectors import (
    BreakdownRow,
    InteractionBreakdownRow,
    InteractionFigures,
    JourneyFigures,
    MomentOfTruth,
    SeriesPoint,
    TouchpointExpectation,
    figures_of,
)
from analytics.selectors.dashboards import (
    ExpectationHeatmap,
    HeatmapCell,
    JourneyCurve,
    JourneyStep,
    TouchpointOption,
)

CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "cem.css"
OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7"}
CATALOGUE = [
    TouchpointOption(1, "Web advert", "pre_sale", "Pre-sale", "social", None, True),
    TouchpointOption(2, "Checkout", "mid_sale", "Purchase", "web", 4.0, True),
    TouchpointOption(3, "Delivery", "post_sale", "Post-sale", "phone", 5.0, True),
]
EMPTY = "No NPS answers from 1 Mar 2025 to 31 Mar 2025."


def response_figures(promoters: int, passives: int, detractors: int, responses: int | None = None):
    n = promoters + passives + detractors
    return figures_of(
        {
            "total_responses": responses if responses is not None else n,
            "total_nps_n": n,
            "total_nps_promoters": promoters,
            "total_nps_passives": passives,
            "total_nps_detractors": detractors,
        }
    )


def ratio(n: int, mean: float, below: int):
    return ratio_summary(n=n, sum_log=n * math.log(mean), below=below, met=0, above=n - below)


def data_traces(figure) -> list:
    return [trace for trace in figure.data if trace.hoverinfo != "skip"]


def assert_valid(figure) -> None:
    """Builders skip plotly's validation for speed: rebuild the figure validated (an unknown
    property or a bad value raises)."""
    validated = go.Figure(figure.to_dict())
    assert validated.to_plotly_json()["data"] == figure.to_plotly_json()["data"]


def assert_readable(figure, *, title: str) -> None:
    """Valid, with a title, axis titles (with units), and hover text on every data trace."""
    assert_valid(figure)
    assert figure.layout.title.text == title
    for axis_name in ("xaxis", "yaxis"):
        axis = figure.layout[axis_name]
        if axis.visible is not False and axis.title.text is not None and axis.title.text != "":
            assert axis.title.text
    assert data_traces(figure)
    for trace in data_traces(figure):
        assert trace.hovertemplate or trace.hovertext, trace.name


def test_stage_colours_are_the_stylesheets_okabe_ito_colours():
    css = CSS.read_text()
    variables = dict(re.findall(r"--stage-(pre|mid|post):\s*(#[0-9a-fA-F]{6})", css))
    assert {
        "pre_sale": variables["pre"].lower(),
        "mid_sale": variables["mid"].lower(),
        "post_sale": variables["post"].lower(),
    } == STAGE_COLOURS
    assert set(STAGE_COLOURS.values()) <= OKABE_ITO
    assert charts.stage_colour("") == NO_STAGE_COLOUR


def test_the_nps_trend_draws_the_line_and_its_interval_band():
    points = [
        SeriesPoint(date(2025, 1, 1), response_figures(30, 10, 10)),
        SeriesPoint(date(2025, 2, 1), response_figures(0, 0, 0, responses=4)),  # no NPS answers: left out
        SeriesPoint(date(2025, 3, 1), response_figures(20, 20, 20)),
    ]
    figure = charts.nps_trend_figure(points, interval="month", empty_reason=EMPTY)
    line = next(t for t in figure.data if t.name == "NPS")
    band = next(t for t in figure.data if t.name == "95 % interval")
    nps = [points[0].figures.nps, points[2].figures.nps]

    assert_readable(figure, title="NPS by month")
    assert figure.layout.yaxis.title.text == "NPS (points, −100 to 100)"
    assert figure.layout.xaxis.title.text == "Month"
    assert list(line.y) == [s.nps for s in nps]
    assert list(band.y) == [nps[0].ci_high, nps[1].ci_high, nps[1].ci_low, nps[0].ci_low]
    assert band.fill == "toself"
    assert "95 % CI" in line.text[0]


def test_the_split_shows_each_category_share():
    figure = charts.nps_split_figure(response_figures(5, 3, 2), empty_reason=EMPTY)
    assert_readable(figure, title="Promoters, passives and detractors")
    assert {t.name: t.x[0] for t in figure.data} == {
        "Detractors (0–6)": 20.0,
        "Passives (7–8)": 30.0,
        "Promoters (9–10)": 50.0,
    }
    assert figure.layout.xaxis.title.text == "Share of NPS answers (%)"


@pytest.mark.parametrize(
    "build",
    [
        lambda: charts.nps_trend_figure([], interval="week", empty_reason=EMPTY),
        lambda: charts.nps_split_figure(response_figures(0, 0, 0), empty_reason=EMPTY),
        lambda: charts.touchpoint_nps_figure([], catalogue=CATALOGUE, empty_reason=EMPTY),
        lambda: charts.touchpoint_expectation_figure([], catalogue=CATALOGUE, empty_reason=EMPTY),
        lambda: charts.expectation_heatmap_figure(ExpectationHeatmap([], [], {}), empty_reason=EMPTY),
        lambda: charts.floor_breach_figure([], catalogue=CATALOGUE, empty_reason=EMPTY),
        lambda: charts.journey_curve_figure(
            JourneyCurve(1, [], 0, None, None), map_name="Online", empty_reason=EMPTY
        ),
        lambda: charts.peak_end_distribution_figure(
            JourneyFigures(
                journey_aggregate(journeys=0, peak_end_sum=0, mean_sum=0, gap_sum=0, journeys_breached=0),
                0,
                [0] * 10,
            ),
            empty_reason=EMPTY,
        ),
        lambda: charts.moments_of_truth_figure([], catalogue=CATALOGUE, empty_reason=EMPTY),
        lambda: charts.driver_matrix_figure([], {}, empty_reason=EMPTY),
        lambda: charts.driver_segments_figure([], empty_reason=EMPTY),
    ],
)
def test_every_figure_has_an_empty_state_that_says_why(build):
    figure = build()
    assert_valid(figure)
    assert charts.is_empty(figure)
    assert figure.layout.title.text
    (annotation,) = figure.layout.annotations
    assert annotation.text.replace("<br>", " ") == EMPTY
    assert figure.data == ()


def test_touchpoints_are_grouped_by_stage_in_their_stage_colour_worst_first():
    rows = [
        BreakdownRow(3, "Delivery", response_figures(1, 1, 8)),
        BreakdownRow(1, "Web advert", response_figures(5, 0, 0)),
        BreakdownRow(2, "Checkout", response_figures(2, 2, 2)),
        BreakdownRow(None, "No touchpoint", response_figures(9, 0, 0)),
    ]
    figure = charts.touchpoint_nps_figure(rows, catalogue=CATALOGUE, empty_reason=EMPTY)

    assert_readable(figure, title="NPS by touchpoint")
    assert [(t.name, t.marker.color, list(t.y)) for t in figure.data] == [
        ("Pre-sale", STAGE_COLOURS["pre_sale"], ["Web advert"]),
        ("Purchase", STAGE_COLOURS["mid_sale"], ["Checkout"]),
        ("Post-sale", STAGE_COLOURS["post_sale"], ["Delivery"]),
    ]
    assert list(figure.layout.yaxis.categoryarray) == ["Web advert", "Checkout", "Delivery"]
    delivery = figure.data[2]
    assert delivery.x[0] == rows[0].figures.nps.nps
    assert delivery.error_x.array[0] == pytest.approx(rows[0].figures.nps.ci_high - rows[0].figures.nps.nps)


def test_expectation_ratios_sit_on_a_log_axis_marked_at_one():
    rows = [
        TouchpointExpectation(3, "Delivery", ratio(10, 0.6, 8), ratio(20, 0.5, 15)),
        TouchpointExpectation(
            1, "Web advert", ratio(4, 1.3, 1), ratio_summary(n=0, sum_log=0, below=0, met=0, above=0)
        ),
    ]
    figure = charts.touchpoint_expectation_figure(rows, catalogue=CATALOGUE, empty_reason=EMPTY)

    assert_readable(figure, title="Expectation ratio by touchpoint")
    assert figure.layout.xaxis.type == "log"
    assert figure.layout.xaxis.title.text == "Expectation ratio (log scale, 1 = met)"
    assert [shape.x0 for shape in figure.layout.shapes] == [1.0]
    traces = {(t.name, t.marker.symbol): t for t in figure.data}
    assert traces["Post-sale", "diamond"].x[0] == pytest.approx(0.5)  # the measure
    assert traces["Post-sale", "circle"].x[0] == pytest.approx(0.6)  # the survey pairs
    assert traces["Pre-sale", "circle"].marker.color == STAGE_COLOURS["pre_sale"]
    assert ("Pre-sale", "diamond") not in traces  # no measure ratios there
    assert [t.name for t in figure.data if t.showlegend] == ["Pre-sale", "Post-sale"]  # one entry a stage
    # The hover says what the ratio is and what its shares count: answers, or measured interactions.
    assert traces["Post-sale", "circle"].text[0] == (
        "<b>Delivery</b> (Post-sale, survey pairs)<br>geometric mean 0.60 of 10 answers"
        "<br>80 % of them below expectation, 0 % met, 20 % above"
    )
    assert traces["Post-sale", "diamond"].text[0] == (
        "<b>Delivery</b> (Post-sale, measure)<br>geometric mean 0.50 of 20 measured interactions"
        "<br>75 % of them below expectation, 0 % met, 25 % above"
    )


def test_the_heatmap_diverges_at_a_ratio_of_one():
    heatmap = ExpectationHeatmap(
        months=[date(2025, 3, 1), date(2025, 4, 1)],
        touchpoints=[CATALOGUE[2]],
        cells={(3, date(2025, 3, 1)): HeatmapCell(3, date(2025, 3, 1), ratio(5, 0.5, 5), 2, 3)},
    )
    figure = charts.expectation_heatmap_figure(heatmap, empty_reason=EMPTY)
    (trace,) = figure.data

    assert_readable(figure, title="Expectation ratio by touchpoint and month")
    assert (trace.zmid, trace.zmin, trace.zmax) == (0.0, -1.0, 1.0)
    assert [list(row) for row in trace.z] == [[pytest.approx(-1.0), None]]
    assert list(trace.x) == ["Mar 2025", "Apr 2025"]
    assert dict(zip(trace.colorbar.ticktext, trace.colorbar.tickvals, strict=True))["1"] == 0.0
    assert trace.text[0][0] == (
        "<b>Delivery</b> (Post-sale), Mar 2025<br>geometric mean 0.50 of 5 ratios (2 answers, 3 measured)"
        "<br>100 % of them below expectation, 0 % met, 0 % above"
    )


def test_floor_breaches_show_the_share_below_each_floor():
    rows = [
        InteractionBreakdownRow(
            3,
            "Delivery",
            InteractionFigures(
                10,
                experience_summary(n=8, total=30.0, floor_breaches=2),
                ratio_summary(n=0, sum_log=0, below=0, met=0, above=0),
            ),
        ),
        InteractionBreakdownRow(  # no floor: not drawn
            1,
            "Web advert",
            InteractionFigures(
                5,
                experience_summary(n=5, total=35.0, floor_breaches=0),
                ratio_summary(n=0, sum_log=0, below=0, met=0, above=0),
            ),
        ),
    ]
    figure = charts.floor_breach_figure(rows, catalogue=CATALOGUE, empty_reason=EMPTY)
    (trace,) = figure.data
    assert_readable(figure, title="Floor breaches by touchpoint")
    assert (list(trace.y), list(trace.x), trace.marker.color) == (
        ["Delivery"],
        [25.0],
        STAGE_COLOURS["post_sale"],
    )


def step(position, touchpoint_id, stage, mean, peaks=0, ends=0):
    return JourneyStep(
        position, touchpoint_id, f"Step {position}", stage,
        experience_summary(n=4, total=4 * mean, floor_breaches=0), peaks, peaks, ends, ends,
    )  # fmt: skip


def test_the_journey_curve_marks_the_typical_peak_and_end():
    steps = [
        step(1, 1, "pre_sale", 7.0),
        step(2, 2, "mid_sale", 3.0, peaks=3),
        step(3, 3, "post_sale", 6.0, ends=4),
    ]
    curve = JourneyCurve(9, steps, 4, steps[1], steps[2])
    figure = charts.journey_curve_figure(curve, map_name="Online purchase", empty_reason=EMPTY)
    (trace,) = figure.data
    texts = [a.text for a in figure.layout.annotations]

    assert_readable(figure, title="Experience along “Online purchase”")
    assert list(trace.y) == [7.0, 3.0, 6.0]
    assert list(trace.marker.color) == [STAGE_COLOURS[s] for s in ("pre_sale", "mid_sale", "post_sale")]
    assert "Typical peak: Step 2<br>(3 of 4 journeys, 75 %)" in texts
    assert "Typical end: Step 3<br>(4 of 4 journeys, 100 %)" in texts
    assert list(trace.text)[1] == (
        "<b>Step 2</b> (Purchase)<br>mean experience 3.0 (0–10) of 4 scored interactions"
        "<br>0 of them below the floor<br>the peak of 3 of 4 journeys (75 %), the end of 0 (0 %)"
    )
    assert figure.layout.yaxis.title.text == "Mean experience (0–10, 5 = neutral)"


def test_the_peak_end_distribution_marks_both_means():
    aggregate = journey_aggregate(
        journeys=4, peak_end_sum=26.0, mean_sum=28.0, gap_sum=-2.0, journeys_breached=1
    )
    figure = charts.peak_end_distribution_figure(
        JourneyFigures(aggregate, 1, [0, 0, 0, 1, 0, 0, 1, 2, 0, 0]), empty_reason=EMPTY
    )
    assert_readable(figure, title="Distribution of peak–end scores")
    assert list(figure.data[0].y) == [0, 0, 0, 1, 0, 0, 1, 2, 0, 0]
    assert sorted(shape.x0 for shape in figure.layout.shapes) == [6.5, 7.0]
    assert "−0.50 points" in figure.layout.title.subtitle.text


def test_moments_of_truth_count_negative_peaks_and_ends():
    moments = [MomentOfTruth(3, "Delivery", 5, 4, 6, 2), MomentOfTruth(1, "Web advert", 2, 0, 0, 0)]
    figure = charts.moments_of_truth_figure(moments, catalogue=CATALOGUE, empty_reason=EMPTY)
    assert_readable(figure, title="Moments of truth")
    assert [(t.name, list(t.x)) for t in figure.data] == [("Negative peak", [4]), ("Negative end", [2])]
    assert figure.data[0].text[0] == (
        "<b>Delivery</b> (Post-sale)<br>the negative peak of 4 journeys (below 5), of the 5 whose peak it was"
    )


def driver(dimension, importance, performance, n=50):
    return DriverResult(dimension, n, importance, importance - 0.1, importance + 0.1, performance, True)


def test_the_driver_matrix_shades_the_quadrant_to_act_on_first():
    results = [
        driver("service", 0.7, 5.0),
        driver("product", 0.6, 8.0),
        driver("price", 0.2, 4.0),
        driver("brand", 0.1, 9.0),
        DriverResult("relationship", 12, None, None, None, 7.0, False),
    ]
    quadrants = driver_quadrants(results)
    figure = charts.driver_matrix_figure(results, quadrants, empty_reason=EMPTY)
    rect = next(shape for shape in figure.layout.shapes if shape.type == "rect")
    cuts = charts.quadrant_cuts(results)

    assert_readable(figure, title="Key drivers: importance against performance")
    assert figure.layout.xaxis.title.text == "Performance (mean rating, 0–10)"
    assert (rect.x0, rect.x1, rect.y0, rect.y1) == (0, cuts[1], cuts[0], 1)
    act_first = next(t for t in figure.data if t.name == "Act first")
    assert list(act_first.text) == ["Service"] and quadrants["service"] == "act_first"
    assert "Fewer than 30 paired answers: Relationship" in figure.layout.title.subtitle.text


def test_segments_get_a_panel_each():
    results = [driver("service", 0.7, 5.0), driver("product", 0.3, 8.0)]
    segments = [
        charts.SegmentDrivers("consumer", results, driver_quadrants(results)),
        charts.SegmentDrivers("smb", [], {}),
    ]
    figure = charts.driver_segments_figure(segments, empty_reason=EMPTY)
    assert_valid(figure)
    assert [a.text for a in figure.layout.annotations] == ["<b>consumer</b>"]  # one panel, titled
    assert {t.xaxis for t in figure.data} == {"x"} and figure.layout.xaxis.range == (0, 10)
    assert "Too few answers: smb" in figure.layout.title.subtitle.text


def test_figure_json_cannot_close_its_script_element():
    rows = [BreakdownRow(1, "</script><script>alert(1)</script>", response_figures(1, 0, 0))]
    catalogue = [
        TouchpointOption(1, "</script><script>alert(1)</script>", "pre_sale", "Pre-sale", "web", None, True)
    ]
    chart = charts.chart(
        "chart-x", charts.touchpoint_nps_figure(rows, catalogue=catalogue, empty_reason=EMPTY)
    )

    assert "<" not in chart.json and ">" not in chart.json and "&" not in chart.json
    assert json.loads(chart.json)["data"][0]["y"] == ["</script><script>alert(1)</script>"]
    assert chart.title == "NPS by touchpoint" and not chart.empty


def test_figures_carry_no_default_template_weight():
    figure = charts.nps_split_figure(response_figures(5, 3, 2), empty_reason=EMPTY)
    assert len(charts.figure_json(figure)) < 4000


def test_an_invalid_property_is_caught_by_the_validation_the_tests_apply():
    figure = charts.base.figure_of([{"type": "bar", "x": [1], "colour": "red"}], charts.base.layout("T"))
    with pytest.raises(ValueError, match="colour"):
        assert_valid(figure)
