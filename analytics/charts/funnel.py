"""Journey analytics figures: the funnel along a map, the median time to each next step, completion
and abandonment over time, peak–end scores of completed against abandoned journeys, and the
touchpoints where customers give up."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from analytics.display import count, day_text, month_text, percent
from analytics.metrics import PEAK_END_BIN_COUNT
from analytics.selectors import JourneyFunnel, JourneyOutcomeFigures, MomentOfTruth
from analytics.selectors.dashboards import TouchpointOption
from journeys.models import JourneyStatus

from .base import (
    BRAND,
    GREY,
    REDDISH_PURPLE,
    SKY_BLUE,
    VERMILLION,
    Figure,
    axis,
    empty_figure,
    figure_of,
    fmt,
    layout,
    stage_colour,
    unique_labels,
)
from .hover import funnel_step_hover, named_at_stage, outcome_hover, share, step_time

OUTCOME_TITLES = {
    "day": gettext_lazy("Completion and abandonment by start day"),
    "week": gettext_lazy("Completion and abandonment by start week"),
    "month": gettext_lazy("Completion and abandonment by start month"),
}
OUTCOME_LINES = (
    ("completion", pgettext_lazy("journey status", "Completed"), BRAND, "solid"),
    ("abandonment", pgettext_lazy("journey status", "Abandoned"), VERMILLION, "solid"),
    ("open_share", pgettext_lazy("journey status", "In progress"), GREY, "dot"),
)
# Durations are drawn in the largest unit that keeps the longest bar readable.
_UNITS = (
    (3600.0, 60.0, pgettext_lazy("time unit of an axis", "minutes")),
    (2 * 86400.0, 3600.0, pgettext_lazy("time unit of an axis", "hours")),
    (float("inf"), 86400.0, pgettext_lazy("time unit of an axis", "days")),
)


def step_labels(funnel: JourneyFunnel) -> list[str]:
    """ "1. Browse", "2. Cart" …, made unique."""
    return unique_labels(
        [
            pgettext("a numbered step", "%(position)s. %(touchpoint)s")
            % {"position": row.step.position, "touchpoint": row.step.label}
            for row in funnel.steps
        ]
    )


def journey_funnel_figure(funnel: JourneyFunnel, *, map_name: str, empty_reason: str) -> Figure:
    """The journeys that reached each step of the map (of those started in the period), each bar
    in its stage's colour, with how many did not go on to the next step in the hover."""
    title = _("Funnel of “%(map)s”") % {"map": map_name}
    if not any(row.figures.reached for row in funnel.steps):
        return empty_figure(title, empty_reason)
    labels = step_labels(funnel)
    hover = [
        funnel_step_hover(
            row, next_label=labels[index + 1] if index + 1 < len(labels) else None, journeys=funnel.journeys
        )
        for index, row in enumerate(funnel.steps)
    ]
    trace = {
        "type": "funnel",
        "y": labels,
        "x": [row.figures.reached for row in funnel.steps],
        "name": pgettext("axis: a number of journeys", "Journeys"),
        "marker": {"color": [stage_colour(row.step.stage) for row in funnel.steps]},
        "connector": {"line": {"color": GREY, "width": 1}},
        "text": [
            f"{count(row.figures.reached)} ({share(row.figures.reached, funnel.journeys)})"
            for row in funnel.steps
        ],
        "textinfo": "text",
        "textposition": "inside",
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
    }
    spec = layout(
        title,
        subtitle=ngettext(
            "Journeys that reached each step, of %(n)s journey started; colour: stage",
            "Journeys that reached each step, of %(n)s journeys started; colour: stage",
            funnel.journeys,
        )
        % {"n": count(funnel.journeys)},
        height=max(300, 120 + 46 * len(labels)),
        legend=False,
        yaxis=axis("", categoryorder="array", categoryarray=labels),
        margin={"l": 160, "r": 24, "t": 68, "b": 32},
    )
    return figure_of([trace], spec)


def step_time_figure(funnel: JourneyFunnel, *, empty_reason: str) -> Figure:
    """The median time from each step to the next, for the journeys that went on (interpolated in
    a histogram of log-spaced bins; ``analytics.metrics.funnel``)."""
    title = _("Time to the next step")
    labels = step_labels(funnel)
    timed = [
        (f"{labels[index]} → {labels[index + 1]}", row)
        for index, row in enumerate(funnel.steps[:-1])
        if row.figures.to_next and row.figures.to_next.n
    ]
    if not timed:
        return empty_figure(title, empty_reason)
    longest = max(row.figures.to_next.median for _label, row in timed)
    _limit, size, unit = next(unit for unit in _UNITS if longest < unit[0])
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": [label for label, _row in timed],
        "x": [row.figures.to_next.median / size for _label, row in timed],
        "name": _("Median"),
        "marker": {"color": [stage_colour(row.step.stage) for _label, row in timed]},
        "text": [f"{label}<br>{step_time(row.figures.to_next)}" for label, row in timed],
        "textposition": "none",
        "hovertemplate": "%{text}<extra></extra>",
    }
    spec = layout(
        title,
        subtitle=_("Median from the first interaction at a step to the first at the next"),
        height=max(260, 110 + 40 * len(timed)),
        legend=False,
        xaxis=axis(_("Median time (%(unit)s)") % {"unit": unit}, rangemode="tozero"),
        yaxis=axis(
            "", categoryorder="array", categoryarray=[label for label, _row in timed], autorange="reversed"
        ),
        margin={"l": 220, "r": 24, "t": 68, "b": 56},
    )
    return figure_of([trace], spec)


def period_label(period, interval: str) -> str:
    """How a hover names a period: a day, "week of 6 Jan 2025", a month."""
    if interval == "month":
        return month_text(period)
    if interval == "week":
        return _("week of %(day)s") % {"day": day_text(period)}
    return day_text(period)


def journey_outcomes_figure(outcomes: JourneyOutcomeFigures, *, empty_reason: str) -> Figure:
    """The shares of the journeys started in each period that are completed, abandoned and still
    open now (percent), with their counts and 95 % intervals in the hover."""
    title = str(OUTCOME_TITLES.get(outcomes.interval, OUTCOME_TITLES["week"]))
    if not outcomes.series:
        return empty_figure(title, empty_reason)
    x = [point.period for point in outcomes.series]
    hover = [period_label(point.period, outcomes.interval) for point in outcomes.series]
    hover = [
        outcome_hover(label, point.outcomes) for label, point in zip(hover, outcomes.series, strict=True)
    ]
    traces = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [
                None if getattr(p.outcomes, field).share is None else 100 * getattr(p.outcomes, field).share
                for p in outcomes.series
            ],
            "name": str(name),
            "line": {"color": colour, "width": 2, "dash": dash},
            "text": hover,
            "hovertemplate": "%{text}<extra></extra>",
        }
        for field, name, colour, dash in OUTCOME_LINES
    ]
    total = outcomes.total
    spec = layout(
        title,
        subtitle=ngettext(
            "Of %(n)s journey started: %(completed)s completed, %(abandoned)s abandoned",
            "Of %(n)s journeys started: %(completed)s completed, %(abandoned)s abandoned",
            total.journeys,
        )
        % {
            "n": count(total.journeys),
            "completed": percent(
                100 * total.completion.share if total.completion.share is not None else None
            ),
            "abandoned": percent(
                100 * total.abandonment.share if total.abandonment.share is not None else None
            ),
        },
        height=380,
        xaxis=axis(_("Start of the journeys"), type="date"),
        yaxis=axis(_("Share of the journeys started (%)"), range=[0, 105]),
    )
    return figure_of(traces, spec)


def peak_end_by_outcome_figure(outcomes: JourneyOutcomeFigures, *, empty_reason: str) -> Figure:
    """The peak–end scores of completed and of abandoned journeys, each as the share of its scored
    journeys in each bin 0–1 … 9–10, so the two compare however many there are of each."""
    title = _("Peak–end scores: completed against abandoned")
    shown = [
        (status, outcomes.peak_end[status])
        for status in (JourneyStatus.COMPLETED, JourneyStatus.ABANDONED)
        if outcomes.peak_end[status].n
    ]
    if not shown:
        return empty_figure(title, empty_reason)
    labels = [f"{k}–{k + 1}" for k in range(PEAK_END_BIN_COUNT)]
    colours = {JourneyStatus.COMPLETED: SKY_BLUE, JourneyStatus.ABANDONED: VERMILLION}
    traces = []
    for status, distribution in shown:
        name = str(JourneyStatus(status).label)
        traces.append(
            {
                "type": "bar",
                "x": [k + 0.5 for k in range(PEAK_END_BIN_COUNT)],
                "y": [100 * (distribution.share(k) or 0.0) for k in range(PEAK_END_BIN_COUNT)],
                "name": _("%(status)s (mean %(mean)s)") % {"status": name, "mean": fmt(distribution.mean)},
                "marker": {"color": colours[status]},
                "text": [
                    ngettext(
                        "%(status)s, peak–end %(bin)s: %(count)s journey (%(share)s)",
                        "%(status)s, peak–end %(bin)s: %(count)s journeys (%(share)s)",
                        journeys,
                    )
                    % {
                        "status": name,
                        "bin": label,
                        "count": count(journeys),
                        "share": share(journeys, distribution.n),
                    }
                    for label, journeys in zip(labels, distribution.bins, strict=True)
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("Share of each outcome's scored journeys per peak–end score"),
        height=380,
        barmode="group",
        xaxis=axis(_("Peak–end score (0–10)"), range=[0, 10], tickvals=list(range(11))),
        yaxis=axis(_("Share of the journeys (%)"), rangemode="tozero"),
    )
    return figure_of(traces, spec)


def give_up_figure(
    moments: list[MomentOfTruth], *, catalogue: list[TouchpointOption], empty_reason: str
) -> Figure:
    """Where customers give up: per touchpoint, how many abandoned journeys ended there (their last
    scored moment) and how many had their negative peak there."""
    title = _("Where customers give up")
    if not moments:
        return empty_figure(title, empty_reason)
    stages = {t.id: t.stage for t in catalogue}
    labels = unique_labels([m.label for m in moments])
    traces = []
    for field, name, colour, phrase in (
        ("ends", _("Last moment of an abandoned journey"), REDDISH_PURPLE, "ends"),
        ("negative_peaks", _("Negative peak of an abandoned journey"), VERMILLION, "peaks"),
    ):
        traces.append(
            {
                "type": "bar",
                "orientation": "h",
                "y": labels,
                "x": [getattr(m, field) for m in moments],
                "name": name,
                "marker": {"color": colour},
                "text": [
                    f"{named_at_stage(label, stages.get(m.touchpoint_id))}<br>{_give_up_hover(m, phrase)}"
                    for label, m in zip(labels, moments, strict=True)
                ],
                "textposition": "none",
                "hovertemplate": "%{text}<extra></extra>",
            }
        )
    spec = layout(
        title,
        subtitle=_("Abandoned journeys: their last moment, and their negative peak (below 5)"),
        height=max(260, 110 + 34 * len(labels)),
        barmode="group",
        xaxis=axis(pgettext("axis: a number of journeys", "Journeys"), rangemode="tozero"),
        yaxis=axis("", categoryorder="array", categoryarray=labels, autorange="reversed"),
    )
    return figure_of(traces, spec)


def _give_up_hover(moment: MomentOfTruth, phrase: str) -> str:
    if phrase == "ends":
        return ngettext(
            "the last moment of %(count)s abandoned journey (%(negative)s of them below 5)",
            "the last moment of %(count)s abandoned journeys (%(negative)s of them below 5)",
            moment.ends,
        ) % {"count": count(moment.ends), "negative": count(moment.negative_ends)}
    return ngettext(
        "the negative peak of %(count)s abandoned journey, of the %(total)s whose peak it was",
        "the negative peak of %(count)s abandoned journeys, of the %(total)s whose peak it was",
        moment.negative_peaks,
    ) % {"count": count(moment.negative_peaks), "total": count(moment.peaks)}
