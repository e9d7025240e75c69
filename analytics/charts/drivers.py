"""Key-driver figures: importance (Pearson r with likelihood to recommend) against performance
(mean rating, 0–10) of the experience dimensions, with the quadrant to act on first shaded.

The quadrant cuts are the medians ``analytics.metrics.driver_quadrants`` cuts at (over the
dimensions with enough data); the figure only draws them.
"""

import statistics
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from analytics.display import count, listing
from analytics.metrics import DriverResult
from surveys.models import QuestionDriver

from .base import (
    GREY,
    INK,
    MUTED,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    Figure,
    axis,
    empty_figure,
    figure_of,
    fmt,
    hline,
    layout,
    vline,
)

DIMENSION_LABELS = dict(QuestionDriver.choices)  # translated when read (str()), never here at import
QUADRANT_LABELS = {
    "act_first": gettext_lazy("Act first"),
    "keep_up": gettext_lazy("Keep up"),
    "overkill": gettext_lazy("Possible overkill"),
    "low_priority": gettext_lazy("Low priority"),
}
QUADRANT_COLOURS = {
    "act_first": VERMILLION,
    "keep_up": SKY_BLUE,
    "overkill": REDDISH_PURPLE,
    "low_priority": GREY,
}
ACT_FIRST_FILL = "rgba(213, 94, 0, 0.09)"
MAX_SEGMENT_PANELS = 6


def dimension_label(dimension: str) -> str:
    """An experience dimension's name in the active language (an unknown one as its code reads)."""
    if dimension in DIMENSION_LABELS:
        return str(DIMENSION_LABELS[dimension])
    return dimension.replace("_", " ").capitalize()


def quadrant_label(quadrant: str | None) -> str:
    """A quadrant's name in the active language; "unranked" for a dimension without one."""
    if quadrant in QUADRANT_LABELS:
        return str(QUADRANT_LABELS[quadrant])
    return _("unranked")


@dataclass(frozen=True)
class SegmentDrivers:
    """One segment's driver results and quadrants (``segment`` is its display name, ``key`` its
    stored value: ``""`` for customers without one)."""

    segment: str
    results: list[DriverResult]
    quadrants: dict[str, str | None]
    key: str = ""


def _ranked(results: list[DriverResult]) -> list[DriverResult]:
    return [r for r in results if r.enough_data and r.importance is not None and r.performance is not None]


def quadrant_cuts(results: list[DriverResult]) -> tuple[float, float] | None:
    """(importance cut, performance cut): the medians over the dimensions with enough data."""
    ranked = _ranked(results)
    if not ranked:
        return None
    return statistics.median(r.importance for r in ranked), statistics.median(r.performance for r in ranked)


def _hover(result: DriverResult, quadrant: str | None) -> str:
    heading = pgettext("a dimension and its quadrant", "%(dimension)s: %(quadrant)s") % {
        "dimension": f"<b>{dimension_label(result.dimension)}</b>",
        "quadrant": quadrant_label(quadrant),
    }
    importance = _(
        "importance r = %(r)s (95 %% CI %(low)s to %(high)s), over %(n)s answers rating it and "
        "likelihood to recommend"
    ) % {
        "r": fmt(result.importance, 2),
        "low": fmt(result.ci_low, 2),
        "high": fmt(result.ci_high, 2),
        "n": count(result.n),
    }
    performance = _("performance %(value)s of 10 (mean of every rating of it)") % {
        "value": fmt(result.performance)
    }
    return "<br>".join((heading, importance, performance))


def _points(ranked, quadrants, *, axes: str = "", legend: bool = True) -> list[dict]:
    """One trace per quadrant: the dimensions in it, with their importance interval as error bars."""
    traces = []
    for quadrant in QUADRANT_LABELS:
        mine = [r for r in ranked if quadrants.get(r.dimension) == quadrant]
        if not mine:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": [r.performance for r in mine],
                "y": [r.importance for r in mine],
                "xaxis": f"x{axes}",
                "yaxis": f"y{axes}",
                "mode": "markers+text",
                "name": quadrant_label(quadrant),
                "legendgroup": quadrant,
                "showlegend": legend,
                "marker": {
                    "color": QUADRANT_COLOURS[quadrant],
                    "size": 14,
                    "line": {"width": 1, "color": "#ffffff"},
                },
                "error_y": {
                    "type": "data",
                    "symmetric": False,
                    "array": [r.ci_high - r.importance for r in mine],
                    "arrayminus": [r.importance - r.ci_low for r in mine],
                    "color": MUTED,
                    "thickness": 1,
                },
                "text": [dimension_label(r.dimension) for r in mine],
                "textposition": "top center",
                "hovertext": [_hover(r, quadrant) for r in mine],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    return traces


def _act_first_area(cuts: tuple[float, float], *, axes: str = "") -> list[dict]:
    """The shaded act-first rectangle and the two median lines, on the axes ``x{axes}``/``y{axes}``."""
    importance_cut, performance_cut = cuts
    x, y = f"x{axes}", f"y{axes}"
    line = {"color": MUTED, "dash": "dot", "width": 1}
    return [
        {
            "type": "rect",
            "xref": x,
            "yref": y,
            "x0": 0,
            "x1": performance_cut,
            "y0": importance_cut,
            "y1": 1,
            "fillcolor": ACT_FIRST_FILL,
            "line": {"width": 0},
            "layer": "below",
        },
        {**hline(importance_cut, **line), "xref": f"{x} domain", "yref": y},
        {**vline(performance_cut, **line), "xref": x, "yref": f"{y} domain"},
    ]


def driver_matrix_figure(
    results: list[DriverResult], quadrants: dict[str, str | None], *, empty_reason: str
) -> Figure:
    """Importance (r, −1…1, with its 95 % interval) against performance (0–10), one marker per
    dimension coloured by quadrant; the act-first area (important, under-performing) is shaded."""
    title = _("Key drivers: importance against performance")
    ranked = _ranked(results)
    cuts = quadrant_cuts(results)
    if cuts is None:
        return empty_figure(title, empty_reason)
    act_first_label = {
        "x": 0.2,
        "y": 0.98,
        "xref": "x",
        "yref": "y",
        "text": _("%(act_first)s: matters, under-performs")
        % {"act_first": f"<b>{quadrant_label('act_first')}</b>"},
        "showarrow": False,
        "xanchor": "left",
        "yanchor": "top",
        "font": {"color": VERMILLION, "size": 12},
    }
    unranked = [dimension_label(r.dimension) for r in results if r not in ranked]
    subtitle = _("Lines: medians of importance and performance")
    if unranked:
        subtitle = _(
            "Lines: medians of importance and performance. Fewer than 30 paired answers: %(dimensions)s"
        ) % {"dimensions": listing(unranked)}
    spec = layout(
        title,
        subtitle=subtitle,
        height=460,
        xaxis=axis(_("Performance (mean rating, 0–10)"), range=[0, 10]),
        yaxis=axis(_("Importance (r with likelihood to recommend)"), range=[-0.2, 1]),
        shapes=_act_first_area(cuts),
        annotations=[act_first_label],
    )
    return figure_of(_points(ranked, quadrants), spec)


def _domains(count: int, spacing: float) -> list[tuple[float, float]]:
    """``count`` equal spans of [0, 1] with ``spacing`` between them, in order."""
    size = (1.0 - spacing * (count - 1)) / count
    return [(i * (size + spacing), i * (size + spacing) + size) for i in range(count)]


def _segments_subtitle(skipped: list[str]) -> str:
    """What the panels shade, and the segments left out for too few answers."""
    if not skipped:
        return _("Shaded: act first within the segment; colours as above")
    return _("Shaded: act first within the segment; colours as above. Too few answers: %(segments)s") % {
        "segments": listing(skipped)
    }


def driver_segments_figure(segments: list[SegmentDrivers], *, empty_reason: str) -> Figure:
    """The same matrix for each segment (the largest ``MAX_SEGMENT_PANELS``), in a grid of panels
    sharing their axes."""
    title = _("Key drivers by segment")
    panels = [s for s in segments if quadrant_cuts(s.results) is not None][:MAX_SEGMENT_PANELS]
    if not panels:
        return empty_figure(title, empty_reason)
    cols = min(3, len(panels))
    rows = (len(panels) + cols - 1) // cols
    columns, lines = _domains(cols, 0.06), _domains(rows, 0.16)[::-1]  # first row on top
    traces, shapes, annotations, axes = [], [], [], {}
    for index, panel in enumerate(panels):
        row, col = divmod(index, cols)
        suffix = "" if index == 0 else str(index + 1)
        axes[f"xaxis{suffix}"] = axis(
            _("Performance (0–10)") if row == rows - 1 else "",
            range=[0, 10],
            domain=columns[col],
            anchor=f"y{suffix}",
            **({"matches": "x"} if index else {}),
        )
        axes[f"yaxis{suffix}"] = axis(
            _("Importance (r)") if col == 0 else "",
            range=[-0.2, 1],
            domain=lines[row],
            anchor=f"x{suffix}",
            showticklabels=col == 0,
            **({"matches": "y"} if index else {}),
        )
        traces += _points(_ranked(panel.results), panel.quadrants, axes=suffix, legend=False)
        shapes += _act_first_area(quadrant_cuts(panel.results), axes=suffix)
        annotations.append(
            {
                "text": f"<b>{panel.segment}</b>",
                "xref": "paper",
                "yref": "paper",
                "x": sum(columns[col]) / 2,
                "y": lines[row][1],
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13, "color": INK},
            }
        )
    spec = layout(
        title,
        subtitle=_segments_subtitle([s.segment for s in segments if quadrant_cuts(s.results) is None]),
        height=200 + 260 * rows,
        legend=False,
        margin={"l": 60, "r": 24, "t": 96, "b": 56},  # room for the panel titles under the subtitle
        shapes=shapes,
        annotations=annotations,
        **axes,
    )
    return figure_of(traces, spec)
