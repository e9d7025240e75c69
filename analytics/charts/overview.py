"""Overview figures: the NPS trend with its 95 % interval band, and the promoter/passive/detractor split."""

from analytics.metrics import NPSSummary
from analytics.selectors import ResponseFigures, SeriesPoint

from .base import BRAND, BRAND_BAND, GREY, NPS_COLOURS, Figure, axis, empty_figure, figure_of, fmt, layout

PERIOD_NAMES = {"day": "Day", "week": "Week starting", "month": "Month"}


def nps_trend_figure(series: list[SeriesPoint], *, interval: str, empty_reason: str) -> Figure:
    """NPS per day/week/month (NPS points, −100…100) with its adjusted-Wald 95 % interval as a band,
    and the number of NPS answers per period as light bars on a second axis."""
    title = f"NPS by {interval}"
    points = [p for p in series if p.figures.nps.nps is not None]
    if not points:
        return empty_figure(title, empty_reason)
    x = [p.period for p in points]
    nps = [p.figures.nps for p in points]
    traces = [_answers_bars(x, nps), _interval_band(x, nps), _nps_line(points)]
    spec = layout(
        title,
        subtitle="Band: 95 % interval (adjusted Wald). Bars: answers per period.",
        margin={"l": 60, "r": 64, "t": 96, "b": 56},
        xaxis=axis(PERIOD_NAMES.get(interval, "Period")),
        yaxis=axis(
            "NPS (points, −100 to 100)",
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
        "name": "NPS answers",
        "yaxis": "y2",
        "marker": {"color": GREY, "opacity": 0.45},
        "hovertemplate": "%{y:,} NPS answers<extra></extra>",
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
        "name": "95 % interval",
        "hoverinfo": "skip",
    }


def _nps_line(points: list[SeriesPoint]) -> dict:
    """The NPS of each period, the hover giving its interval and the promoter/passive/detractor counts."""
    nps = [p.figures.nps for p in points]
    hover = [
        f"<b>{p.period:%d %b %Y}</b><br>NPS {fmt(s.nps, signed=True)}"
        f" (95 % CI {fmt(s.ci_low, signed=True)} to {fmt(s.ci_high, signed=True)})"
        f"<br>{s.n:,} NPS answers: {s.promoters:,} promoters, {s.passives:,} passives,"
        f" {s.detractors:,} detractors"
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
        "title": {"text": "NPS answers"},
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
    title = "Promoters, passives and detractors"
    summary = figures.nps
    if not summary.n:
        return empty_figure(title, empty_reason)
    traces = []
    for key, label in (
        ("detractors", "Detractors (0–6)"),
        ("passives", "Passives (7–8)"),
        ("promoters", "Promoters (9–10)"),
    ):
        count = getattr(summary, key)
        share = 100.0 * count / summary.n
        traces.append(
            {
                "type": "bar",
                "x": [share],
                "y": ["NPS answers"],
                "orientation": "h",
                "name": label,
                "marker": {"color": NPS_COLOURS[key]},
                "text": [f"{share:.0f} %" if share >= 8 else ""],
                "textposition": "inside",
                "insidetextanchor": "middle",
                "textangle": 0,
                "hovertemplate": f"{label}: {count:,} of {summary.n:,} (%{{x:.1f}} %)<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=f"NPS {fmt(summary.nps, signed=True)} = % promoters − % detractors",
        height=220,
        barmode="stack",
        xaxis=axis("Share of NPS answers (%)", range=[0, 100]),
        yaxis={"visible": False},
    )
    return figure_of(traces, spec)
