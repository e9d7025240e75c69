"""Overview figures: the NPS trend with its 95 % interval band, and the promoter/passive/detractor split."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from analytics.display import count, day_text, percent, plotly_date_formats
from analytics.metrics import NPSSummary
from analytics.selectors import ResponseFigures, SeriesPoint

from .base import BRAND, BRAND_BAND, GREY, NPS_COLOURS, Figure, axis, empty_figure, figure_of, fmt, layout
from .hover import nps_answers, nps_categories, nps_with_interval

TREND_TITLES = {
    "day": gettext_lazy("NPS by day"),
    "week": gettext_lazy("NPS by week"),
    "month": gettext_lazy("NPS by month"),
}
PERIOD_NAMES = {
    "day": pgettext_lazy("trend axis", "Day"),
    "week": pgettext_lazy("trend axis", "Week starting"),
    "month": pgettext_lazy("trend axis", "Month"),
}
NPS_CATEGORIES = (
    ("detractors", gettext_lazy("Detractors (0–6)")),
    ("passives", gettext_lazy("Passives (7–8)")),
    ("promoters", gettext_lazy("Promoters (9–10)")),
)


def nps_trend_figure(series: list[SeriesPoint], *, interval: str, empty_reason: str) -> Figure:
    """NPS per day/week/month (NPS points, −100…100) with its adjusted-Wald 95 % interval as a band,
    and the number of NPS answers per period as light bars on a second axis."""
    title = str(TREND_TITLES.get(interval, _("NPS by period")))
    points = [p for p in series if p.figures.nps.nps is not None]
    if not points:
        return empty_figure(title, empty_reason)
    x = [p.period for p in points]
    nps = [p.figures.nps for p in points]
    traces = [_answers_bars(x, nps), _interval_band(x, nps), _nps_line(points)]
    spec = layout(
        title,
        subtitle=_("Band: 95 %% interval (adjusted Wald). Bars: answers per period.") % {},
        margin={"l": 60, "r": 64, "t": 96, "b": 56},
        # The unified hover's heading is the period's first day, written as the page writes a day.
        xaxis=axis(
            str(PERIOD_NAMES.get(interval, pgettext_lazy("trend axis", "Period"))),
            hoverformat=plotly_date_formats()["dayMonthYear"],
        ),
        yaxis=axis(
            _("NPS (points, −100 to 100)"),
            range=[-105, 105],
            tickvals=[-100, -50, 0, 50, 100],
            zeroline=True,
            zerolinecolor=GREY,
        ),
        yaxis2=_answers_axis(nps),
        hovermode="x unified",
    )
    return figure_of(traces, spec)


def _answers_bars(x: list, nps: list[NPSSummary]) -> dict:
    """The NPS answers of each period as light bars on the second axis."""
    return {
        "type": "bar",
        "x": x,
        "y": [s.n for s in nps],
        "name": _("NPS answers"),
        "yaxis": "y2",
        "marker": {"color": GREY, "opacity": 0.45},
        "text": [nps_answers(s.n) for s in nps],
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }


def _interval_band(x: list, nps: list[NPSSummary]) -> dict:
    """The 95 % interval as a filled band: along the upper bounds, then back along the lower."""
    return {
        "type": "scatter",
        "x": x + x[::-1],
        "y": [s.ci_high for s in nps] + [s.ci_low for s in nps][::-1],
        "fill": "toself",
        "fillcolor": BRAND_BAND,
        "line": {"width": 0},
        "mode": "lines",
        "name": _("95 %% interval") % {},
        "hoverinfo": "skip",
    }


def _nps_line(points: list[SeriesPoint]) -> dict:
    """The NPS of each period, the hover giving its interval and the promoter/passive/detractor counts."""
    nps = [p.figures.nps for p in points]
    hover = [
        "<br>".join((f"<b>{day_text(p.period)}</b>", nps_with_interval(s), nps_categories(s)))
        for p, s in zip(points, nps, strict=True)
    ]
    return {
        "type": "scatter",
        "x": [p.period for p in points],
        "y": [s.nps for s in nps],
        "mode": "lines+markers",
        "name": "NPS",
        "line": {"color": BRAND, "width": 2.5},
        "marker": {"size": 6},
        "text": hover,
        "hovertemplate": "%{text}<extra></extra>",
    }


def _answers_axis(nps: list[NPSSummary]) -> dict:
    """The right-hand axis of the answer counts, scaled so the bars stay in the lower third."""
    return {
        "title": {"text": _("NPS answers")},
        "overlaying": "y",
        "side": "right",
        "showgrid": False,
        "rangemode": "tozero",
        "tickmode": "auto",
        "tickformat": ",d",
        "nticks": 4,
        "range": [0, 3 * max(s.n for s in nps)],  # bars in the lower third, under the line
    }


def nps_split_figure(figures: ResponseFigures, *, empty_reason: str) -> Figure:
    """Promoters (9–10), passives (7–8) and detractors (0–6) as shares of the NPS answers (%)."""
    title = _("Promoters, passives and detractors")
    summary = figures.nps
    if not summary.n:
        return empty_figure(title, empty_reason)
    traces = []
    for key, lazy_label in NPS_CATEGORIES:
        label, answers = str(lazy_label), getattr(summary, key)
        share = 100.0 * answers / summary.n
        hover = _("%(category)s: %(count)s of %(n)s (%(share)s)") % {
            "category": label,
            "count": count(answers),
            "n": count(summary.n),
            "share": percent(share, 1),
        }
        traces.append(
            {
                "type": "bar",
                "x": [share],
                "y": [_("NPS answers")],
                "orientation": "h",
                "name": label,
                "marker": {"color": NPS_COLOURS[key]},
                "text": [percent(share) if share >= 8 else ""],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,
                "hovertext": [hover],
                "hovertemplate": "%{hovertext}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("NPS %(nps)s = %% promoters − %% detractors") % {"nps": fmt(summary.nps, signed=True)},
        height=220,
        barmode="stack",
        xaxis=axis(_("Share of NPS answers (%%)") % {}, range=[0, 100]),
        yaxis={"visible": False},
    )
    return figure_of(traces, spec)
