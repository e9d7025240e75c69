"""Journey figures: the experience along a journey map with its typical peak and end, the
distribution of peak–end scores, and the touchpoints that are the moments of truth."""

from analytics.metrics import JourneyAggregate
from analytics.models import PEAK_END_BINS
from analytics.selectors import JourneyFigures, MomentOfTruth
from analytics.selectors.dashboards import JourneyCurve, JourneyStep, TouchpointOption

from .base import (
    BRAND,
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
    stage_colour,
    stage_label,
    unique_labels,
    vline,
)

NEUTRAL = 5.0  # the experience scale's neutral point (metrics.md)


def _share(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.0f} %" if whole else "n/a"


def journey_curve_figure(curve: JourneyCurve, *, map_name: str, empty_reason: str) -> Figure:
    """Mean experience (0–10) at each step of the map, markers in their stage's colour, with the
    steps most often the journey's peak and its end marked."""
    title = f"Experience along “{map_name}”"
    scored = [step for step in curve.steps if step.experience.mean is not None]
    if not scored:
        return empty_figure(title, empty_reason)
    labels = unique_labels([f"{step.position}. {step.label}" for step in curve.steps])
    by_position = dict(zip([step.position for step in curve.steps], labels, strict=True))
    traces = [_experience_line(curve, scored, x=[by_position[step.position] for step in scored])]
    spec = layout(
        title,
        subtitle="Mean experience of the interactions at each step; marker colour: stage",
        height=420,
        legend=False,
        xaxis=axis("Step of the journey map", type="category", categoryorder="array", categoryarray=labels),
        yaxis=axis("Mean experience (0–10, 5 = neutral)", range=[0, 10.5]),
        shapes=[hline(NEUTRAL, color=MUTED, dash="dot", width=1)],
        annotations=[_neutral_caption(), *_typical_peak_and_end_marks(curve, by_position)],
    )
    return figure_of(traces, spec)


def _experience_line(curve: JourneyCurve, scored: list[JourneyStep], *, x: list[str]) -> dict:
    """The mean experience of the scored steps as one line, each marker in its stage's colour, the
    hover telling how often the step was the journey's peak and its end."""
    hover = [
        f"<b>{step.label}</b> ({stage_label(step.stage)})<br>mean experience {fmt(step.experience.mean)}"
        f" (0–10) of {step.experience.n:,} scored interactions"
        f"<br>{step.experience.floor_breaches:,} of them below the floor"
        f"<br>the peak of {step.peaks:,} of {curve.journeys:,} journeys"
        f" ({_share(step.peaks, curve.journeys)}),"
        f" the end of {step.ends:,} ({_share(step.ends, curve.journeys)})"
        for step in scored
    ]
    return {
        "type": "scatter",
        "x": x,
        "y": [step.experience.mean for step in scored],
        "mode": "lines+markers",
        "name": "Mean experience",
        "line": {"color": BRAND, "width": 2, "shape": "spline", "smoothing": 0.6},
        "marker": {
            "size": 13,
            "color": [stage_colour(step.stage) for step in scored],
            "line": {"width": 1.5, "color": "#ffffff"},
        },
        "text": hover,
        "hovertemplate": "%{text}<extra></extra>",
    }


def _neutral_caption() -> dict:
    """The caption of the dotted neutral line, at the right end of the plot."""
    return {
        "text": "neutral (5)",
        "xref": "paper",
        "yref": "y",
        "x": 1,
        "y": NEUTRAL,
        "xanchor": "right",
        "yanchor": "top",
        "showarrow": False,
        "font": {"size": 11, "color": MUTED},
    }


def _typical_peak_and_end_marks(curve: JourneyCurve, by_position: dict[int, str]) -> list[dict]:
    """Arrows to the typical peak and the typical end, each with its share of the journeys; none
    for a step without a mean experience."""
    marks = ((curve.typical_peak, "Typical peak", "peaks", -1), (curve.typical_end, "Typical end", "ends", 1))
    annotations = []
    for step, caption, count, side in marks:
        if step is None or step.experience.mean is None:
            continue
        times = getattr(step, count)
        share = f"{times:,} of {curve.journeys:,} journeys, {_share(times, curve.journeys)}"
        # Point from below when the step is high on the scale, else from above; peak and end
        # lean apart so that one step being both keeps both labels readable.
        above = step.experience.mean < 7.5
        annotations.append(
            {
                "x": by_position[step.position],
                "y": step.experience.mean,
                "text": f"{caption}: {step.label}<br>({share})",
                "showarrow": True,
                "arrowhead": 2,
                "ax": 36 * side,
                "ay": -52 if above else 52,
                "font": {"size": 11, "color": INK},
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": MUTED,
            }
        )
    return annotations


def peak_end_distribution_figure(figures: JourneyFigures, *, empty_reason: str) -> Figure:
    """How many journeys fall in each peak–end bin (0–1 … 9–10), below neutral in vermillion, with
    the mean peak–end score and the mean of the journeys' plain averages marked."""
    title = "Distribution of peak–end scores"
    aggregate = figures.aggregate
    if not aggregate.journeys:
        return empty_figure(title, empty_reason)
    marks = _mean_marks(aggregate)
    spec = layout(
        title,
        subtitle=f"{aggregate.journeys:,} journeys; remembered − average (mean gap): "
        f"{fmt(aggregate.mean_gap, 2, signed=True)} points",
        height=380,
        legend=False,
        xaxis=axis("Peak–end score (0–10)", range=[0, 10], tickvals=list(range(11))),
        yaxis=axis("Journeys", rangemode="tozero"),
        shapes=[vline(value, **line) for value, _, line in marks],
        annotations=_mean_mark_labels(marks),
    )
    return figure_of([_journeys_per_bin(figures)], spec)


def _journeys_per_bin(figures: JourneyFigures) -> dict:
    """The journeys in each peak–end bin as bars, the bins below neutral in vermillion."""
    labels = [f"{k}–{k + 1}" for k in range(PEAK_END_BINS)]
    return {
        "type": "bar",
        "x": [k + 0.5 for k in range(PEAK_END_BINS)],
        "y": figures.distribution,
        "width": 0.9,
        "name": "Journeys",
        "marker": {"color": [VERMILLION if k < NEUTRAL else SKY_BLUE for k in range(PEAK_END_BINS)]},
        "text": [
            f"peak–end {label}: {count:,} journeys ({_share(count, figures.aggregate.journeys)})"
            for label, count in zip(labels, figures.distribution, strict=True)
        ],
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }


def _mean_marks(aggregate: JourneyAggregate) -> tuple[tuple[float | None, str, dict], ...]:
    """(value, label, line style) of the mean peak–end score and the mean plain average."""
    return (
        (
            aggregate.mean_peak_end,
            f"mean peak–end {fmt(aggregate.mean_peak_end)}",
            {"color": INK, "width": 2},
        ),
        (
            aggregate.mean_of_means,
            f"mean experience {fmt(aggregate.mean_of_means)}",
            {"color": MUTED, "width": 2, "dash": "dash"},
        ),
    )


def _mean_mark_labels(marks: tuple[tuple[float | None, str, dict], ...]) -> list[dict]:
    # Labels point towards the middle of the scale and sit at two heights, so they never overlap
    # each other or run off the plot.
    return [
        {
            "x": value,
            "y": 1.0 if index == 0 else 0.9,
            "xref": "x",
            "yref": "paper",
            "yanchor": "bottom",
            "xanchor": "right" if value > NEUTRAL else "left",
            "xshift": -4 if value > NEUTRAL else 4,
            "text": text,
            "showarrow": False,
            "bgcolor": "rgba(255,255,255,0.85)",
            "font": {"size": 11, "color": line["color"]},
        }
        for index, (value, text, line) in enumerate(marks)
    ]


def moments_of_truth_figure(
    moments: list[MomentOfTruth], *, catalogue: list[TouchpointOption], empty_reason: str
) -> Figure:
    """The touchpoints most often a journey's negative peak or its negative end (journey counts)."""
    title = "Moments of truth"
    hurting = [m for m in moments if m.negative_peaks or m.negative_ends]
    if not hurting:
        return empty_figure(title, empty_reason)
    stages = {t.id: t.stage for t in catalogue}
    labels = unique_labels([m.label for m in hurting])
    traces = []
    for field, total, name, colour in (
        ("negative_peaks", "peaks", "Negative peak", VERMILLION),
        ("negative_ends", "ends", "Negative end", REDDISH_PURPLE),
    ):
        traces.append(
            {
                "type": "bar",
                "y": labels,
                "x": [getattr(m, field) for m in hurting],
                "orientation": "h",
                "name": name,
                "marker": {"color": colour},
                "text": [
                    f"<b>{label}</b> ({stage_label(stages.get(m.touchpoint_id))})<br>the {name.lower()} of "
                    f"{getattr(m, field):,} journeys (below 5), of the {getattr(m, total):,} whose "
                    f"{total[:-1]} it was"
                    for label, m in zip(labels, hurting, strict=True)
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle="How often a touchpoint was the worst moment (below 5) or the last one, and it hurt",
        height=max(260, 110 + 34 * len(labels)),
        barmode="group",
        xaxis=axis("Journeys", rangemode="tozero"),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
    )
    return figure_of(traces, spec)
