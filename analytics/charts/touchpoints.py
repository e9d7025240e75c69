"""Touchpoint figures: NPS and expectation ratio per touchpoint grouped by stage, the touchpoint ×
month heatmap of the expectation ratio (diverging at 1.0), and floor breaches.

Touchpoints are grouped by stage in the order a customer meets them (pre-sale, purchase,
post-sale) and, within a stage, the worst first, so the eye lands on where customers are
disappointed. Bars and markers take their stage's colour.
"""

import math
from collections.abc import Callable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from analytics.display import month_text, tick
from analytics.metrics import RatioSummary
from analytics.selectors import BreakdownRow, InteractionBreakdownRow, TouchpointExpectation
from analytics.selectors.dashboards import ExpectationHeatmap, TouchpointOption

from .base import (
    DIVERGING,
    GREY,
    Figure,
    axis,
    empty_figure,
    figure_of,
    layout,
    stage_colour,
    stage_key,
    stage_label,
    unique_labels,
    vline,
)
from .hover import (
    breach_hover,
    heatmap_hover,
    named,
    nps_answers,
    nps_with_interval,
    ratio_count,
    ratio_shares,
    source_name,
)

# Heatmap colours are log2(ratio), symmetric about 0 (ratio 1) and clipped at ±1 (half / double).
HEATMAP_LOG2_LIMIT = 1.0
HEATMAP_TICKS = (0.5, 0.71, 1.0, 1.41, 2.0)
RATIO_TICKS = (0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0, 10.0)


def stage_ordered(items: list, *, touchpoint: Callable, worst: Callable, catalogue: list[TouchpointOption]):
    """``items`` grouped by their touchpoint's stage (customer order), the worst first within a stage.

    ``touchpoint(item)`` gives the item's touchpoint id, ``worst(item)`` a sort key (lowest first,
    ``None`` last). Items without a known touchpoint are dropped.
    """
    known = {t.id: t for t in catalogue}
    kept = [item for item in items if touchpoint(item) in known]

    def key(item):
        option = known[touchpoint(item)]
        value = worst(item)
        return (stage_key(option.stage), value is None, value if value is not None else 0.0, option.name)

    return [(item, known[touchpoint(item)]) for item in sorted(kept, key=key)]


def _height(rows: int) -> int:
    return max(260, 110 + 26 * rows)


def touchpoint_nps_figure(
    rows: list[BreakdownRow], *, catalogue: list[TouchpointOption], empty_reason: str
) -> Figure:
    """NPS per touchpoint (points) with its 95 % interval as error bars, one colour per stage."""
    title = _("NPS by touchpoint")
    ordered = stage_ordered(
        [row for row in rows if row.figures.nps.nps is not None],
        touchpoint=lambda row: row.key,
        worst=lambda row: row.figures.nps.nps,
        catalogue=catalogue,
    )
    if not ordered:
        return empty_figure(title, empty_reason)
    labels = unique_labels([option.name for _row, option in ordered])
    traces = []
    for stage in sorted({option.stage for _row, option in ordered}, key=stage_key):
        mine = [
            (label, row)
            for label, (row, option) in zip(labels, ordered, strict=True)
            if option.stage == stage
        ]
        nps = [row.figures.nps for _label, row in mine]
        traces.append(
            {
                "type": "bar",
                "y": [label for label, _row in mine],
                "x": [s.nps for s in nps],
                "orientation": "h",
                "name": stage_label(stage),
                "marker": {"color": stage_colour(stage)},
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [s.ci_high - s.nps for s in nps],
                    "arrayminus": [s.nps - s.ci_low for s in nps],
                    "color": "#374151",
                    "thickness": 1,
                },
                "text": [
                    "<br>".join((named(label, stage_label(stage)), nps_with_interval(s), nps_answers(s.n)))
                    for (label, _row), s in zip(mine, nps, strict=True)
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("Grouped by stage, lowest NPS first; whiskers: 95 %% interval") % {},
        height=_height(len(labels)),
        xaxis=axis(_("NPS (points, −100 to 100)"), range=[-100, 100], zeroline=True, zerolinecolor=GREY),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
        barmode="overlay",
        bargap=0.25,
    )
    return figure_of(traces, spec)


def touchpoint_expectation_figure(
    rows: list[TouchpointExpectation], *, catalogue: list[TouchpointOption], empty_reason: str
) -> Figure:
    """Expectation ratio per touchpoint (geometric mean, log axis, 1 = met), from survey pairs (●)
    and the operational measure (◆), one colour per stage."""
    title = _("Expectation ratio by touchpoint")
    ordered = stage_ordered(
        rows, touchpoint=lambda row: row.touchpoint_id, worst=_lowest_ratio, catalogue=catalogue
    )
    if not ordered:
        return empty_figure(title, empty_reason)
    labels = unique_labels([option.name for _row, option in ordered])
    traces = _expectation_markers(ordered, labels)
    spec = layout(
        title,
        subtitle=_("Experience ÷ expectation (geometric mean): ● survey pairs, ◆ operational measure"),
        height=_height(len(labels)),
        xaxis=axis(
            _("Expectation ratio (log scale, 1 = met)"),
            type="log",
            range=_log_range(traces),
            tickvals=RATIO_TICKS,
            ticktext=[tick(v) for v in RATIO_TICKS],
        ),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
        shapes=[vline(1.0, color="#374151", dash="dash", width=1)],
    )
    return figure_of(traces, spec)


def _lowest_ratio(row: TouchpointExpectation) -> float | None:
    """The lower of the touchpoint's two geometric means (survey pairs, measure); None without either."""
    means = [s.geometric_mean for s in (row.survey, row.measure) if s.geometric_mean is not None]
    return min(means, default=None)


# Each source of expectation ratios: the row attribute and its marker symbol.
_RATIO_SOURCES = (("survey", "circle"), ("measure", "diamond"))


def _expectation_markers(
    ordered: list[tuple[TouchpointExpectation, TouchpointOption]], labels: list[str]
) -> list[dict]:
    """One marker trace per stage and source of ratios (stages in customer order), skipping a
    source that has no ratios in the stage; one legend entry per stage."""
    traces: list[dict] = []
    for stage in sorted({option.stage for _row, option in ordered}, key=stage_key):
        for source, symbol in _RATIO_SOURCES:
            points = [
                (label, getattr(row, source))
                for label, (row, option) in zip(labels, ordered, strict=True)
                if option.stage == stage and getattr(row, source).n
            ]
            if not points:
                continue
            # The symbols are named in the subtitle, so only a stage's first trace enters the legend.
            first_of_stage = not any(trace["legendgroup"] == stage for trace in traces)
            traces.append(_stage_source_markers(stage, symbol, source, points, showlegend=first_of_stage))
    return traces


def _stage_source_markers(
    stage: str,
    symbol: str,
    source: str,
    points: list[tuple[str, RatioSummary]],
    *,
    showlegend: bool,
) -> dict:
    """The geometric-mean ratios of one stage's touchpoints from one source ("survey" or "measure"),
    as markers in the stage's colour; the hover gives the shares of the ratios below, meeting and
    above expectation."""
    detail = pgettext("stage, source", "%(stage)s, %(source)s") % {
        "stage": stage_label(stage),
        "source": source_name(source),
    }
    return {
        "type": "scatter",
        "y": [label for label, _summary in points],
        "x": [summary.geometric_mean for _label, summary in points],
        "mode": "markers",
        "name": stage_label(stage),
        "legendgroup": stage,
        "showlegend": showlegend,
        "marker": {
            "color": stage_colour(stage),
            "symbol": symbol,
            "size": 11,
            "line": {"width": 1, "color": "#ffffff"},
        },
        "text": [
            "<br>".join((named(label, detail), ratio_count(s, source), ratio_shares(s)))
            for label, s in points
        ],
        "hovertemplate": "%{text}<extra></extra>",
    }


def _log_range(traces: list[dict]) -> list[float]:
    """A log-axis range symmetric about 1 that holds every point, at least 0.25 to 4."""
    values = [x for trace in traces for x in trace["x"] if x]
    spread = max([4.0, *(max(v, 1 / v) * 1.15 for v in values)])
    return [-math.log10(spread), math.log10(spread)]


def expectation_heatmap_figure(heatmap: ExpectationHeatmap, *, empty_reason: str) -> Figure:
    """Touchpoint × month expectation ratio: vermillion below 1, white at 1, blue above (log scale)."""
    title = _("Expectation ratio by touchpoint and month")
    if not heatmap.cells:
        return empty_figure(title, empty_reason)
    labels = unique_labels([t.name for t in heatmap.touchpoints])
    months = [month_text(month) for month in heatmap.months]
    z, text = [], []
    for touchpoint, label in zip(heatmap.touchpoints, labels, strict=True):
        z_row, text_row = [], []
        for month, month_label in zip(heatmap.months, months, strict=True):
            cell = heatmap.cell(touchpoint.id, month)
            if cell is None or cell.ratio.geometric_mean is None:
                z_row.append(None)
                where = pgettext("touchpoint, month", "%(name)s, %(month)s") % {
                    "name": f"<b>{label}</b>",
                    "month": month_label,
                }
                text_row.append("<br>".join((where, _("no ratios"))))
                continue
            ratio = cell.ratio.geometric_mean
            z_row.append(max(-HEATMAP_LOG2_LIMIT, min(HEATMAP_LOG2_LIMIT, math.log2(ratio))))
            text_row.append(heatmap_hover(label, touchpoint, month_label, cell))
        z.append(z_row)
        text.append(text_row)
    traces = [
        {
            "type": "heatmap",
            "z": z,
            "x": months,
            "y": labels,
            "text": text,
            "hovertemplate": "%{text}<extra></extra>",
            "colorscale": DIVERGING,
            "zmin": -HEATMAP_LOG2_LIMIT,
            "zmax": HEATMAP_LOG2_LIMIT,
            "zmid": 0.0,
            "xgap": 2,
            "ygap": 2,
            "colorbar": {
                "title": {"text": pgettext("heatmap colour bar", "Ratio")},
                "tickvals": [math.log2(v) for v in HEATMAP_TICKS],
                "ticktext": [tick(v) for v in HEATMAP_TICKS],
            },
        }
    ]
    spec = layout(
        title,
        subtitle=_("Survey pairs and operational measures pooled; touchpoints by stage; blank: no ratios"),
        height=_height(len(labels)),
        legend=False,
        xaxis=axis(pgettext("heatmap axis", "Month"), type="category", showgrid=False),
        yaxis=axis("", autorange="reversed", showgrid=False),
    )
    return figure_of(traces, spec)


def floor_breach_figure(
    rows: list[InteractionBreakdownRow], *, catalogue: list[TouchpointOption], empty_reason: str
) -> Figure:
    """Share of scored interactions below the touchpoint's floor (%), touchpoints with a floor only."""
    title = _("Floor breaches by touchpoint")
    floors = {t.id: t.floor_score for t in catalogue if t.floor_score is not None}
    measured = [row for row in rows if row.key in floors and row.figures.experience.n]
    ordered = stage_ordered(
        measured,
        touchpoint=lambda row: row.key,
        worst=lambda row: -(row.figures.experience.breach_share or 0.0),
        catalogue=catalogue,
    )
    if not ordered:
        return empty_figure(title, empty_reason)
    labels = unique_labels([option.name for _row, option in ordered])
    traces = []
    for stage in sorted({option.stage for _row, option in ordered}, key=stage_key):
        mine = [
            (label, row)
            for label, (row, option) in zip(labels, ordered, strict=True)
            if option.stage == stage
        ]
        traces.append(
            {
                "type": "bar",
                "y": [label for label, _row in mine],
                "x": [100.0 * row.figures.experience.breach_share for _label, row in mine],
                "orientation": "h",
                "name": stage_label(stage),
                "marker": {"color": stage_colour(stage)},
                "text": [breach_hover(label, floors[row.key], row) for label, row in mine],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("Interactions scored below the touchpoint's floor"),
        height=_height(len(labels)),
        xaxis=axis(_("Interactions below the floor (%%)") % {}, rangemode="tozero"),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
        barmode="overlay",
    )
    return figure_of(traces, spec)
