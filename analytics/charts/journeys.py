"""Journey figures: the experience along a journey map with its typical peak and end, the
distribution of peak–end scores, and the touchpoints that are the moments of truth."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from analytics.display import count
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
    unique_labels,
    vline,
)
from .hover import named_at_stage, of_journeys, share

NEUTRAL = 5.0  # the experience scale's neutral point (metrics.md)


def journey_curve_figure(curve: JourneyCurve, *, map_name: str, empty_reason: str) -> Figure:
    """Mean experience (0–10) at each step of the map, markers in their stage's colour, with the
    steps most often the journey's peak and its end marked."""
    title = _("Experience along “%(map)s”") % {"map": map_name}
    scored = [step for step in curve.steps if step.experience.mean is not None]
    if not scored:
        return empty_figure(title, empty_reason)
    labels = unique_labels(
        [
            pgettext("a numbered step", "%(position)s. %(touchpoint)s")
            % {"position": step.position, "touchpoint": step.label}
            for step in curve.steps
        ]
    )
    by_position = dict(zip([step.position for step in curve.steps], labels, strict=True))
    traces = [_experience_line(curve, scored, x=[by_position[step.position] for step in scored])]
    spec = layout(
        title,
        subtitle=_("Mean experience of the interactions at each step; marker colour: stage"),
        height=420,
        legend=False,
        xaxis=axis(
            _("Step of the journey map"), type="category", categoryorder="array", categoryarray=labels
        ),
        yaxis=axis(_("Mean experience (0–10, 5 = neutral)"), range=[0, 10.5]),
        shapes=[hline(NEUTRAL, color=MUTED, dash="dot", width=1)],
        annotations=[_neutral_caption(), *_typical_peak_and_end_marks(curve, by_position)],
    )
    return figure_of(traces, spec)


def _experience_line(curve: JourneyCurve, scored: list[JourneyStep], *, x: list[str]) -> dict:
    """The mean experience of the scored steps as one line, each marker in its stage's colour, the
    hover telling how often the step was the journey's peak and its end."""
    hover = [_step_hover(step, curve.journeys) for step in scored]
    return {
        "type": "scatter",
        "x": x,
        "y": [step.experience.mean for step in scored],
        "mode": "lines+markers",
        "name": _("Mean experience"),
        "line": {"color": BRAND, "width": 2, "shape": "spline", "smoothing": 0.6},
        "marker": {
            "size": 13,
            "color": [stage_colour(step.stage) for step in scored],
            "line": {"width": 1.5, "color": "#ffffff"},
        },
        "text": hover,
        "hovertemplate": "%{text}<extra></extra>",
    }


def _step_hover(step: JourneyStep, journeys: int) -> str:
    """What the curve tells of one step: its mean experience, its floor breaches, and how often
    it was the journeys' peak and their end."""
    experience = step.experience
    mean = ngettext(
        "mean experience %(mean)s (0–10) of %(n)s scored interaction",
        "mean experience %(mean)s (0–10) of %(n)s scored interactions",
        experience.n,
    ) % {"mean": fmt(experience.mean), "n": count(experience.n)}
    breaches = _("%(count)s of them below the floor") % {"count": count(experience.floor_breaches)}
    peak_and_end = ngettext(
        "the peak of %(peaks)s of %(n)s journey (%(peak_share)s), the end of %(ends)s (%(end_share)s)",
        "the peak of %(peaks)s of %(n)s journeys (%(peak_share)s), the end of %(ends)s (%(end_share)s)",
        journeys,
    ) % {
        "peaks": count(step.peaks),
        "n": count(journeys),
        "peak_share": share(step.peaks, journeys),
        "ends": count(step.ends),
        "end_share": share(step.ends, journeys),
    }
    return "<br>".join((named_at_stage(step.label, step.stage), mean, breaches, peak_and_end))


def _neutral_caption() -> dict:
    """The caption of the dotted neutral line, at the right end of the plot."""
    return {
        "text": _("neutral (5)"),
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
    marks = (
        (curve.typical_peak, _("Typical peak: %(touchpoint)s"), "peaks", -1),
        (curve.typical_end, _("Typical end: %(touchpoint)s"), "ends", 1),
    )
    annotations = []
    for step, caption, attribute, side in marks:
        if step is None or step.experience.mean is None:
            continue
        share = of_journeys(getattr(step, attribute), curve.journeys)
        # Point from below when the step is high on the scale, else from above; peak and end
        # lean apart so that one step being both keeps both labels readable.
        above = step.experience.mean < 7.5
        annotations.append(
            {
                "x": by_position[step.position],
                "y": step.experience.mean,
                "text": f"{caption % {'touchpoint': step.label}}<br>({share})",
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
    title = _("Distribution of peak–end scores")
    aggregate = figures.aggregate
    if not aggregate.journeys:
        return empty_figure(title, empty_reason)
    marks = _mean_marks(aggregate)
    spec = layout(
        title,
        subtitle=ngettext(
            "%(n)s journey; remembered − average (mean gap): %(gap)s points",
            "%(n)s journeys; remembered − average (mean gap): %(gap)s points",
            aggregate.journeys,
        )
        % {"n": count(aggregate.journeys), "gap": fmt(aggregate.mean_gap, 2, signed=True)},
        height=380,
        legend=False,
        xaxis=axis(_("Peak–end score (0–10)"), range=[0, 10], tickvals=list(range(11))),
        yaxis=axis(pgettext("axis: a number of journeys", "Journeys"), rangemode="tozero"),
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
        "name": pgettext("axis: a number of journeys", "Journeys"),
        "marker": {"color": [VERMILLION if k < NEUTRAL else SKY_BLUE for k in range(PEAK_END_BINS)]},
        "text": [
            ngettext(
                "peak–end %(bin)s: %(count)s journey (%(share)s)",
                "peak–end %(bin)s: %(count)s journeys (%(share)s)",
                journeys,
            )
            % {"bin": label, "count": count(journeys), "share": share(journeys, figures.aggregate.journeys)}
            for label, journeys in zip(labels, figures.distribution, strict=True)
        ],
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }


def _mean_marks(aggregate: JourneyAggregate) -> tuple[tuple[float | None, str, dict], ...]:
    """(value, label, line style) of the mean peak–end score and the mean plain average."""
    return (
        (
            aggregate.mean_peak_end,
            _("mean peak–end %(value)s") % {"value": fmt(aggregate.mean_peak_end)},
            {"color": INK, "width": 2},
        ),
        (
            aggregate.mean_of_means,
            _("mean experience %(value)s") % {"value": fmt(aggregate.mean_of_means)},
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
    title = _("Moments of truth")
    hurting = [m for m in moments if m.negative_peaks or m.negative_ends]
    if not hurting:
        return empty_figure(title, empty_reason)
    stages = {t.id: t.stage for t in catalogue}
    labels = unique_labels([m.label for m in hurting])
    traces = []
    for field, name, colour in (
        ("negative_peaks", _("Negative peak"), VERMILLION),
        ("negative_ends", _("Negative end"), REDDISH_PURPLE),
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
                    f"{named_at_stage(label, stages.get(m.touchpoint_id))}<br>{_moment_hover(m, field)}"
                    for label, m in zip(labels, hurting, strict=True)
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("How often a touchpoint was the worst moment (below 5) or the last one, and it hurt"),
        height=max(260, 110 + 34 * len(labels)),
        barmode="group",
        xaxis=axis(pgettext("axis: a number of journeys", "Journeys"), rangemode="tozero"),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
    )
    return figure_of(traces, spec)


def _moment_hover(moment: MomentOfTruth, field: str) -> str:
    """ "the negative peak of 4 journeys (below 5), of the 5 whose peak it was" (or its end)."""
    values = {"count": count(getattr(moment, field))}
    if field == "negative_peaks":
        values["total"] = count(moment.peaks)
        return (
            ngettext(
                "the negative peak of %(count)s journey (below 5), of the %(total)s whose peak it was",
                "the negative peak of %(count)s journeys (below 5), of the %(total)s whose peak it was",
                getattr(moment, field),
            )
            % values
        )
    values["total"] = count(moment.ends)
    return (
        ngettext(
            "the negative end of %(count)s journey (below 5), of the %(total)s whose end it was",
            "the negative end of %(count)s journeys (below 5), of the %(total)s whose end it was",
            getattr(moment, field),
        )
        % values
    )
