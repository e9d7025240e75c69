"""What every dashboard figure shares: the colours, the layout, the empty state, the JSON.

Colours are Okabe–Ito (Okabe & Ito 2008), distinguishable with every common form of
colour-blindness. A stage always has the colour ``static/css/cem.css`` gives it
(``--stage-pre``, ``--stage-mid``, ``--stage-post``); the remaining Okabe–Ito colours
carry the other meanings (detractors, disappointment, …) and never stand for a stage.
"""

import textwrap
from dataclasses import dataclass

import plotly.graph_objects as go
import plotly.io as pio
from django.utils.safestring import SafeString, mark_safe

from analytics.selectors.dashboards import STAGE_ORDER
from touchpoints.models import Stage

STAGE_COLOURS: dict[str, str] = {
    Stage.PRE_SALE: "#0072b2",  # --stage-pre
    Stage.MID_SALE: "#e69f00",  # --stage-mid
    Stage.POST_SALE: "#009e73",  # --stage-post
}
NO_STAGE_COLOUR = "#6b7280"  # --muted
STAGE_LABELS: dict[str, str] = dict(Stage.choices)

BRAND = "#0f4c81"  # --brand: the headline series (overall NPS)
BRAND_BAND = "rgba(15, 76, 129, 0.16)"
SKY_BLUE = "#56b4e9"
VERMILLION = "#d55e00"
REDDISH_PURPLE = "#cc79a7"
GREY = "#bbbbbb"
INK = "#1f2937"
MUTED = "#6b7280"
GRID = "#e5e7eb"

# NPS categories: promoters sky blue, passives grey, detractors vermillion.
NPS_COLOURS = {"promoters": SKY_BLUE, "passives": GREY, "detractors": VERMILLION}
# Expectation ratio, diverging at 1.0: vermillion (disappointed) – white (met) – blue (delighted).
DIVERGING = [[0.0, VERMILLION], [0.5, "#f7f7f7"], [1.0, "#0072b2"]]
# As django.utils.html.json_script escapes them: no text can close the script element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
# plotly's "none" template as plotly.js takes it (unvalidated figures keep what they are given).
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}
EMPTY_TEXT_WIDTH = 56  # characters per line of an empty state's message (half-width cards)
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", sans-serif'


def stage_colour(stage: str | None) -> str:
    return STAGE_COLOURS.get(stage or "", NO_STAGE_COLOUR)


def stage_label(stage: str | None) -> str:
    return STAGE_LABELS.get(stage or "", "No stage")


def stage_key(stage: str | None) -> int:
    """Stages in the order a customer meets them; no stage last."""
    return STAGE_ORDER.get(stage or "", len(STAGE_ORDER))


def layout(title: str, *, subtitle: str = "", height: int = 380, legend: bool = True, **extra) -> dict:
    """The common layout: a title (and an optional subtitle) at the top left, the legend in a row
    between them and the plot, system fonts, white background."""
    title_spec: dict = {
        "text": title,
        "x": 0,
        "xanchor": "left",
        "xref": "container",
        "y": 1,
        "yanchor": "top",
        "yref": "container",
        "pad": {"t": 12, "l": 8},
        "font": {"size": 16},
    }
    if subtitle:
        title_spec["subtitle"] = {"text": subtitle, "font": {"size": 12, "color": MUTED}}
    top = 48 + (20 if subtitle else 0) + (28 if legend else 0)
    spec = {
        "template": NO_TEMPLATE,
        "title": title_spec,
        "height": height,
        "font": {"family": FONT, "size": 12, "color": INK},
        "margin": {"l": 60, "r": 24, "t": top, "b": 56},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"font": {"family": FONT}},
        "showlegend": legend,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.01, "xanchor": "left", "x": 0},
    }
    spec.update(extra)
    return spec


def axis(title: str, **extra) -> dict:
    """An axis with its title (name and unit) and a light grid."""
    return {"title": {"text": title}, "gridcolor": GRID, "zerolinecolor": GRID, "automargin": True, **extra}


def figure_of(traces: list[dict], spec: dict) -> go.Figure:
    """The figure of ``traces`` (plain dicts with their ``type``) and the layout ``spec``.

    Built in one go, without plotly's property validation: validating costs about 10 ms per
    figure, and ``update_layout``, ``add_vline`` and their kin re-validate the whole figure on
    each call (ten times as much again), on every page view. The figures are validated by the
    test suite instead (``tests/analytics/test_charts.py`` rebuilds each one validated).
    """
    return go.Figure(data=traces, layout=spec, _validate=False)


def vline(x: float, **line) -> dict:
    """A vertical line across the plot at ``x`` (a layout shape)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def hline(y: float, **line) -> dict:
    """A horizontal line across the plot at ``y`` (a layout shape)."""
    return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def empty_figure(title: str, reason: str, *, height: int = 260) -> go.Figure:
    """A figure that says why there is nothing to show, in place of empty axes."""
    message = {
        "text": "<br>".join(textwrap.wrap(reason, EMPTY_TEXT_WIDTH)),
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": 0.5,
        "showarrow": False,
        "font": {"size": 14, "color": MUTED},
    }
    return figure_of(
        [],
        layout(
            title,
            height=height,
            legend=False,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[message],
            meta={"empty": True, "reason": reason},
        ),
    )


def is_empty(figure: go.Figure) -> bool:
    meta = figure.layout.meta
    return isinstance(meta, dict) and bool(meta.get("empty"))


def unique_labels(labels: list[str]) -> list[str]:
    """Category labels made unique (two touchpoints may share a name): repeats get a number."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def fmt(value: float | None, digits: int = 1, *, signed: bool = False, suffix: str = "") -> str:
    """A number for hover text and labels; "n/a" for an undefined figure."""
    if value is None:
        return "n/a"
    text = f"{value:+.{digits}f}" if signed else f"{value:.{digits}f}"
    return text.replace("-", "−") + suffix


@dataclass(frozen=True)
class Chart:
    """A figure ready for a template: its element id, title (the accessible name), whether it is
    the empty state, and its JSON, escaped for a ``<script type="application/json">`` element."""

    id: str
    title: str
    empty: bool
    json: SafeString


def figure_json(figure: go.Figure) -> SafeString:
    """The figure as JSON, with ``<``, ``>`` and ``&`` escaped as ``json_script`` does, so no text
    in it (a touchpoint name, a comment) can close the script element."""
    text = pio.to_json(figure, validate=False, pretty=False, engine="json")
    return mark_safe(text.translate(JSON_SCRIPT_ESCAPES))  # noqa: S308 - escaped just above


def chart(chart_id: str, figure: go.Figure) -> Chart:
    title = figure.layout.title.text or ""
    return Chart(id=chart_id, title=title, empty=is_empty(figure), json=figure_json(figure))
