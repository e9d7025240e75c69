"""What every dashboard figure shares: the colours, the layout, the empty state, the JSON.

Figures are built at request time in the active language: every word in them through gettext,
every number and day through ``analytics.display``, and ``layout.separators`` from the
language's separators, so what plotly.js formats itself (tick labels) matches. Pages keep built
figures only under a key that holds the language (``views.dashboards.page_cache``).

Colours are Okabe–Ito (Okabe & Ito 2008), distinguishable with every common form of
colour-blindness. A stage always has the colour ``static/css/cem.css`` gives it
(``--stage-pre``, ``--stage-mid``, ``--stage-post``); the remaining Okabe–Ito colours
carry the other meanings (detractors, disappointment, …) and never stand for a stage.
"""

import json
import re
from dataclasses import dataclass

import plotly.graph_objects as go
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from plotly.utils import PlotlyJSONEncoder

from analytics import display
from analytics.selectors.dashboards import STAGE_ORDER
from touchpoints.models import Stage

STAGE_COLOURS: dict[str, str] = {
    Stage.PRE_SALE: "#0072b2",  # --stage-pre
    Stage.MID_SALE: "#e69f00",  # --stage-mid
    Stage.POST_SALE: "#009e73",  # --stage-post
}
NO_STAGE_COLOUR = "#6b7280"  # --muted
STAGE_LABELS = dict(Stage.choices)  # translated when read (str()), never here at import

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
JSON_SCRIPT_ESCAPES = ((">", "\\u003E"), ("<", "\\u003C"), ("&", "\\u0026"))
# plotly's "none" template as plotly.js takes it (unvalidated figures keep what they are given).
NO_TEMPLATE = {"data": {"scatter": [{"type": "scatter"}]}}
EMPTY_TEXT_WIDTH = 56  # columns per line of an empty state's message (half-width cards)
# A wide (CJK) character, a run of other non-space characters, or a run of spaces.
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
_PIECES = re.compile(f"[{_WIDE}]|[^\\s{_WIDE}]+|\\s+")
_WIDE_CHARACTER = re.compile(f"[{_WIDE}]")
FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "PingFang SC", sans-serif'


def stage_colour(stage: str | None) -> str:
    return STAGE_COLOURS.get(stage or "", NO_STAGE_COLOUR)


def stage_label(stage: str | None) -> str:
    """A stage's name in the active language; "No stage" for none."""
    if stage in STAGE_LABELS:
        return str(STAGE_LABELS[stage])
    return _("No stage")


def stage_key(stage: str | None) -> int:
    """Stages in the order a customer meets them; no stage last."""
    return STAGE_ORDER.get(stage or "", len(STAGE_ORDER))


def layout(title: str, *, subtitle: str = "", height: int = 380, legend: bool = True, **extra) -> dict:
    """The common layout: a title (and an optional subtitle) at the top left, the legend in a row
    between them and the plot, system fonts, white background."""
    # At the container's top left: plotly.js's defaults (xref, yref "container"; xanchor, yanchor
    # "auto", which is left at x = 0 and top at y = 1) draw it there without naming them, so the
    # figure's JSON holds no English word of plotly's under the title, only the title itself.
    title_spec: dict = {
        "text": title,
        "x": 0,
        "y": 1,
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
        "separators": display.plotly_separators(),
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


class Figure:
    """A dashboard figure as plotly.js takes it: ``spec`` is ``{"data": traces, "layout": layout}``,
    the plain dicts the builder wrote, turned into JSON as they are (``figure_json``).

    Building a plotly ``go.Figure`` from them costs more than the JSON itself, even unvalidated,
    so the pages never do. Any other attribute (``data``, ``layout``, ``to_dict()``…) is that of
    the ``go.Figure``, built unvalidated on first use: for the tests, which inspect the figures
    through plotly and validate each one (``tests/analytics/test_charts.py``), and for a notebook.
    The builders never change a spec once made, so the two always agree.
    """

    __slots__ = ("_plotly", "spec")

    def __init__(self, traces: list[dict], spec: dict):
        self.spec = {"data": traces, "layout": spec}
        self._plotly: go.Figure | None = None

    @property
    def plotly(self) -> go.Figure:
        if self._plotly is None:
            self._plotly = go.Figure(data=self.spec["data"], layout=self.spec["layout"], _validate=False)
        return self._plotly

    def __getattr__(self, name: str):
        if name.startswith("_"):  # private and special names are never plotly's (copy, pickle)
            raise AttributeError(name)
        return getattr(self.plotly, name)

    @property
    def title(self) -> str:
        title = self.spec["layout"].get("title") or {}
        return (title.get("text") if isinstance(title, dict) else title) or ""

    @property
    def empty(self) -> bool:
        meta = self.spec["layout"].get("meta")
        return isinstance(meta, dict) and bool(meta.get("empty"))


def figure_of(traces: list[dict], spec: dict) -> Figure:
    """The figure of ``traces`` (plain dicts with their ``type``) and the layout ``spec``.

    Not validated by plotly: validating costs about 10 ms per figure, and ``update_layout``,
    ``add_vline`` and their kin re-validate the whole figure on each call (ten times as much
    again), on every page view. The figures are validated by the test suite instead
    (``tests/analytics/test_charts.py`` rebuilds each one validated).
    """
    return Figure(traces, spec)


def vline(x: float, **line) -> dict:
    """A vertical line across the plot at ``x`` (a layout shape)."""
    return {"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": line}


def hline(y: float, **line) -> dict:
    """A horizontal line across the plot at ``y`` (a layout shape)."""
    return {"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": y, "y1": y, "line": line}


def wrap_lines(text: str, width: int = EMPTY_TEXT_WIDTH) -> list[str]:
    """``text`` in lines of at most ``width`` columns (a CJK character takes two), broken at
    spaces or between two CJK characters; a word longer than a line keeps a line of its own."""
    lines, line, used = [], "", 0
    for piece in _PIECES.findall(text):
        if piece.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        size = 2 if _WIDE_CHARACTER.match(piece) else len(piece)
        if line and used + size > width:
            lines.append(line.rstrip())
            line, used = "", 0
        line, used = line + piece, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def empty_figure(title: str, reason: str, *, height: int = 260) -> Figure:
    """A figure that says why there is nothing to show, in place of empty axes."""
    message = {
        "text": "<br>".join(wrap_lines(reason)),
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


def is_empty(figure: Figure) -> bool:
    return figure.empty


def unique_labels(labels: list[str]) -> list[str]:
    """Category labels made unique (two touchpoints may share a name): repeats get a number."""
    seen: dict[str, int] = {}
    result = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        result.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return result


def fmt(value: float | None, digits: int = 1, *, signed: bool = False) -> str:
    """A number for hover text and labels in the active language; "n/a" for an undefined figure."""
    return display.signed(value, digits) if signed else display.number(value, digits)


@dataclass(frozen=True)
class Chart:
    """A figure ready for a template: its element id, title (the accessible name), whether it is
    the empty state, and its JSON, escaped for a ``<script type="application/json">`` element."""

    id: str
    title: str
    empty: bool
    json: SafeString


def figure_json(figure: Figure) -> SafeString:
    """The figure as JSON, with ``<``, ``>`` and ``&`` escaped as ``json_script`` does, so no text
    in it (a touchpoint name, a comment) can close the script element. Plotly's encoder turns
    dates into ISO strings and NaN or infinity into null, as ``plotly.io.to_json`` would."""
    text = json.dumps(figure.spec, cls=PlotlyJSONEncoder, separators=(",", ":"))
    # str.replace, not str.translate: a figure's JSON runs to 50 kB, and translate walks it a
    # character at a time in Python objects (ten times slower than the encoding itself).
    for character, escaped in JSON_SCRIPT_ESCAPES:
        text = text.replace(character, escaped)
    return mark_safe(text)  # noqa: S308 - escaped just above


def chart(chart_id: str, figure: Figure) -> Chart:
    return Chart(id=chart_id, title=figure.title, empty=figure.empty, json=figure_json(figure))
