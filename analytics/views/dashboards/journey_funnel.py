"""The journey analytics part of the journeys page (``journeys.py``): key figures, charts and download
tables of ``selectors.journey_analytics``. Page, download and metrics API show the same numbers:
each is a plain rendering of one ``JourneyAnalytics``."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from analytics import charts
from analytics.display import count, duration_text, percent
from analytics.exports import ExportTable
from analytics.metrics import ShareInterval
from analytics.selectors import JourneyAnalytics, MetricFilters
from analytics.selectors.dashboards import TouchpointOption
from journeys.models import JourneyStatus

from .common import Kpi, empty_reason, raw

FUNNEL_TABLES = (
    ("funnel", gettext_lazy("Funnel")),
    ("outcomes", gettext_lazy("Completion and abandonment")),
    ("outcome_totals", gettext_lazy("Outcomes")),
    ("peak_end_by_outcome", gettext_lazy("Peak–end by outcome")),
    ("give_up", gettext_lazy("Where customers give up")),
)


def _share_kpi(key: str, label: str, interval: ShareInterval, note: str, tone: str = "") -> Kpi:
    value = None if interval.share is None else 100 * interval.share
    return Kpi(key, label, percent(value, 0), raw(interval.share), note=note, tone=tone)


def funnel_kpis(analytics: JourneyAnalytics) -> list[Kpi]:
    """The completion and abandonment shares of the journeys started, and how many reached the
    map's last step."""
    total = analytics.outcomes.total
    of_started = {"n": count(total.journeys)}

    def of(number: int) -> str:
        return ngettext(
            "%(count)s of %(n)s journey started", "%(count)s of %(n)s journeys started", total.journeys
        ) % {**of_started, "count": count(number)}

    kpis = [
        _share_kpi(
            "completed",
            _("Completed"),
            total.completion,
            of(total.completed),
        ),
        _share_kpi(
            "abandoned",
            _("Abandoned"),
            total.abandonment,
            of(total.abandoned),
            tone="bad" if total.abandoned else "",
        ),
    ]
    if analytics.funnel.steps:
        last = analytics.funnel.steps[-1]
        kpis.append(
            Kpi(
                "reached-last",
                _("Reached the last step"),
                count(last.figures.reached),
                raw(last.figures.reached),
                note=ngettext(
                    "%(step)s, of %(n)s journey started",
                    "%(step)s, of %(n)s journeys started",
                    total.journeys,
                )
                % {**of_started, "step": last.step.label},
            )
        )
    return kpis


def funnel_charts(
    analytics: JourneyAnalytics, *, filters: MetricFilters, map_name: str, catalogue: list[TouchpointOption]
) -> dict:
    return {
        # The funnel's container is "journey-funnel" (the browser tests look for it).
        "funnel": charts.chart(
            "journey-funnel",
            charts.journey_funnel_figure(
                analytics.funnel, map_name=map_name, empty_reason=empty_reason(filters, "map_funnel")
            ),
        ),
        "step_times": charts.chart(
            "chart-step-times",
            charts.step_time_figure(analytics.funnel, empty_reason=empty_reason(filters, "step_times")),
        ),
        "outcomes": charts.chart(
            "chart-journey-outcomes",
            charts.journey_outcomes_figure(
                analytics.outcomes, empty_reason=empty_reason(filters, "map_outcomes")
            ),
        ),
        "peak_end_by_outcome": charts.chart(
            "chart-peak-end-by-outcome",
            charts.peak_end_by_outcome_figure(
                analytics.outcomes, empty_reason=empty_reason(filters, "outcome_scores")
            ),
        ),
        "give_up": charts.chart(
            "chart-give-up",
            charts.give_up_figure(
                analytics.give_up, catalogue=catalogue, empty_reason=empty_reason(filters, "give_up")
            ),
        ),
    }


def funnel_page_rows(analytics: JourneyAnalytics) -> list[dict]:
    """The funnel table's rows: each step, its figures, its drop share and its median time as text."""
    rows = []
    for row in analytics.funnel.steps:
        drop, to_next = row.figures.drop, row.figures.to_next
        rows.append(
            {
                "step": row.step,
                "figures": row.figures,
                "drop_text": percent(100 * drop.share) if drop and drop.share is not None else "",
                "time_text": duration_text(to_next.median, at_least=to_next.beyond) if to_next else "",
            }
        )
    return rows


def _interval(interval: ShareInterval | None) -> tuple:
    if interval is None:
        return (None, None, None)
    return (interval.share, interval.ci_low, interval.ci_high)


def funnel_rows(analytics: JourneyAnalytics) -> list[tuple]:
    """One row per step of the map, as the download and the page's table show it."""
    rows = []
    for row in analytics.funnel.steps:
        figures, to_next = row.figures, row.figures.to_next
        rows.append(
            (
                row.step.position,
                row.step.label,
                row.step.stage,
                figures.reached,
                figures.reached_share,
                figures.continued,
                figures.dropped,
                *_interval(figures.drop),
                figures.dropped_abandoned,
                figures.dropped_in_progress,
                figures.dropped_completed,
                to_next.n if to_next else None,
                to_next.median if to_next else None,
                to_next.beyond if to_next else None,
            )
        )
    return rows


FUNNEL_COLUMNS = (
    "position",
    "touchpoint",
    "stage",
    "reached",
    "reached share",
    "went on",
    "did not go on",
    "drop share",
    "drop share ci low",
    "drop share ci high",
    "dropped abandoned",
    "dropped in progress",
    "dropped completed",
    "timed journeys",
    "median seconds to next step",
    "median at least (top bin)",
)
_OUTCOME_COLUMNS = (
    "journeys",
    "completed",
    "abandoned",
    "in progress",
    "completion share",
    "completion ci low",
    "completion ci high",
    "abandonment share",
    "abandonment ci low",
    "abandonment ci high",
    "completed share of ended",
)


def _outcome_values(outcomes) -> tuple:
    return (
        outcomes.journeys,
        outcomes.completed,
        outcomes.abandoned,
        outcomes.in_progress,
        *_interval(outcomes.completion),
        *_interval(outcomes.abandonment),
        outcomes.completed_of_ended.share,
    )


def funnel_tables(analytics: JourneyAnalytics) -> list[ExportTable]:
    outcomes = analytics.outcomes
    series = [(point.period, *_outcome_values(point.outcomes)) for point in outcomes.series]
    peak_end = [
        (status, f"{k}-{k + 1}", distribution.bins[k], distribution.share(k))
        for status, distribution in outcomes.peak_end.items()
        for k in range(len(distribution.bins))
    ]
    total = outcomes.total
    shares = {
        JourneyStatus.COMPLETED: (total.completed, total.completion),
        JourneyStatus.ABANDONED: (total.abandoned, total.abandonment),
        JourneyStatus.IN_PROGRESS: (total.in_progress, total.open_share),
    }
    totals = [
        (status, n, *_interval(share), outcomes.peak_end[status].n, outcomes.peak_end[status].mean)
        for status, (n, share) in shares.items()
    ]
    give_up = [(m.label, m.ends, m.negative_ends, m.peaks, m.negative_peaks) for m in analytics.give_up]
    return [
        ExportTable("funnel", _("Funnel"), FUNNEL_COLUMNS, funnel_rows(analytics)),
        ExportTable(
            "outcomes",
            _("Completion and abandonment"),
            (f"period ({outcomes.interval})", *_OUTCOME_COLUMNS),
            series,
        ),
        ExportTable(
            "outcome_totals",
            _("Outcomes"),
            (
                "status",
                "journeys",
                "share",
                "share ci low",
                "share ci high",
                "scored journeys",
                "mean peak-end (0-10)",
            ),
            totals,
        ),
        ExportTable(
            "peak_end_by_outcome",
            _("Peak–end by outcome"),
            ("status", "peak-end score", "journeys", "share"),
            peak_end,
        ),
        ExportTable(
            "give_up",
            _("Where customers give up"),
            ("touchpoint", "ends of abandoned journeys", "negative ends", "peaks", "negative peaks"),
            give_up,
        ),
    ]
