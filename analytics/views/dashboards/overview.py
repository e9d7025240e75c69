"""The overview: where do we stand, is it getting better, and where do we disappoint.

NPS with its 95 % interval and the change against the previous period of equal length
(significant only at |z| ≥ 1.96), responses and response rate, CSAT and CES with their
intervals, the expectation ratio, open and overdue follow-ups (the cards: ``cards``), the
NPS trend and the promoter/passive/detractor split.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics import charts
from analytics.charts.overview import TREND_TITLES
from analytics.exports import ExportTable
from analytics.selectors import (
    Comparison,
    InvitationFigures,
    MetricFilters,
    ResponseFigures,
    SeriesPoint,
    TouchpointExpectation,
    expectation_by_touchpoint,
    invitation_summary,
    response_comparison,
    response_series,
)
from followups.selectors import FollowUpCounts, follow_up_counts
from infra.replica import replica_reads

from .cards import follow_up_kpis, nps_kpis, response_kpis, satisfaction_kpis
from .common import OVERVIEW, FilterState, Kpi, empty_reason, export_links, filter_state
from .page_cache import cached_figures
from .rendering import render_dashboard

DISAPPOINTING_SHOWN = 5


def auto_interval(filters: MetricFilters) -> str:
    """Days for up to six weeks, weeks up to about half a year, else months: enough points to
    see a trend, enough answers per point for a usable interval."""
    if filters.days <= 45:
        return "day"
    return "week" if filters.days <= 200 else "month"


@dataclass(frozen=True)
class OverviewData:
    filters: MetricFilters
    interval: str
    comparison: Comparison
    invitations: InvitationFigures
    follow_ups: FollowUpCounts | None  # the whole platform's; None where a page leaves them out
    series: list[SeriesPoint]
    disappointing: list[TouchpointExpectation]


def overview_data(
    filters: MetricFilters, *, interval: str = "", follow_ups: bool = True, disappointing: bool = True
) -> OverviewData:
    """Every selector result the overview shows: eight queries over rollups and labels, four
    without the follow-up counts and the most disappointing touchpoints (a drill-down's view)."""
    interval = interval or auto_interval(filters)
    worst = []
    if disappointing:
        expectations = expectation_by_touchpoint(filters=filters)
        worst = [row for row in expectations if _lowest(row) < 1.0][:DISAPPOINTING_SHOWN]
    return OverviewData(
        filters=filters,
        interval=interval,
        comparison=response_comparison(filters=filters),
        invitations=invitation_summary(filters=filters),
        follow_ups=follow_up_counts() if follow_ups else None,
        series=response_series(filters=filters, interval=interval),
        disappointing=worst,
    )


def _lowest(row: TouchpointExpectation) -> float:
    return min(s.geometric_mean for s in (row.survey, row.measure) if s.geometric_mean is not None)


def overview_kpis(data: OverviewData) -> list[Kpi]:
    current, previous = data.comparison.current, data.comparison.previous
    kpis = [
        *nps_kpis(data.comparison),
        *response_kpis(current, previous, data.invitations),
        *satisfaction_kpis(current),
    ]
    if data.follow_ups is None:
        return kpis
    return [*kpis, *follow_up_kpis(data.follow_ups)]


def overview_charts(data: OverviewData) -> dict:
    reason = empty_reason(data.filters, "nps")
    return {
        "trend": charts.chart(
            "chart-nps-trend",
            charts.nps_trend_figure(data.series, interval=data.interval, empty_reason=reason),
        ),
        "split": charts.chart(
            "chart-nps-split", charts.nps_split_figure(data.comparison.current, empty_reason=reason)
        ),
    }


def overview_tables(data: OverviewData) -> list[ExportTable]:
    return [
        ExportTable(
            "summary",
            _("Summary"),
            ("figure", "this period", "previous period"),
            _period_comparison_rows(data.comparison) + _this_period_only_rows(data),
        ),
        ExportTable(
            "nps_trend",
            str(TREND_TITLES.get(data.interval, _("NPS trend"))),
            _nps_trend_columns(data.interval),
            _nps_trend_rows(data),
        ),
    ]


def _period_comparison_rows(comparison: Comparison) -> list[tuple]:
    """(figure, this period, previous period) for each survey figure both periods have."""
    current, previous = comparison.current, comparison.previous
    return [
        ("NPS (points)", current.nps.nps, previous.nps.nps),
        ("NPS 95 % CI low", current.nps.ci_low, previous.nps.ci_low),
        ("NPS 95 % CI high", current.nps.ci_high, previous.nps.ci_high),
        ("NPS answers", current.nps.n, previous.nps.n),
        ("Promoters", current.nps.promoters, previous.nps.promoters),
        ("Passives", current.nps.passives, previous.nps.passives),
        ("Detractors", current.nps.detractors, previous.nps.detractors),
        ("Responses", current.responses, previous.responses),
        *_csat_ces_rows(current, previous),
        (
            "Expectation ratio (geometric mean)",
            current.expectation.geometric_mean,
            previous.expectation.geometric_mean,
        ),
        ("Expectation answers", current.expectation.n, previous.expectation.n),
        (
            "Expectation answers below 1 (share)",
            current.expectation.share_below,
            previous.expectation.share_below,
        ),
    ]


# (row label, attribute of ResponseFigures, attribute of its figure): what the summary download shows
# of CSAT and CES, the same numbers as the cards and ``/api/v1/metrics/csat/`` and ``…/ces/``.
CSAT_CES_ROWS = (
    ("CSAT answers", "csat", "n"),
    ("CSAT answers rated 4-5", "csat", "satisfied"),
    ("CSAT (%)", "csat", "csat"),
    ("CSAT 95 % CI low (%)", "csat", "ci_low"),
    ("CSAT 95 % CI high (%)", "csat", "ci_high"),
    ("CES answers", "ces", "n"),
    ("CES mean (1-7)", "ces", "mean"),
    ("CES 95 % CI low", "ces", "ci_low"),
    ("CES 95 % CI high", "ces", "ci_high"),
    ("CES answers rated 5-7", "ces", "easy"),
    ("CES rated 5-7 (%)", "ces", "easy_share"),
    ("CES rated 5-7 95 % CI low (%)", "ces", "easy_ci_low"),
    ("CES rated 5-7 95 % CI high (%)", "ces", "easy_ci_high"),
)


def _csat_ces_rows(current: ResponseFigures, previous: ResponseFigures) -> list[tuple]:
    return [
        (label, getattr(getattr(current, figure), name), getattr(getattr(previous, figure), name))
        for label, figure, name in CSAT_CES_ROWS
    ]


def _this_period_only_rows(data: OverviewData) -> list[tuple]:
    """The NPS change, the invitations and (where shown) the follow-ups: no previous-period value."""
    change = data.comparison.nps_change
    rows = [
        ("NPS change (points)", change.diff, None),
        ("NPS change z", change.z, None),
        ("NPS change significant", change.significant, None),
        ("Invitations sent", data.invitations.sent, None),
        ("Response rate (share)", data.invitations.response_rate, None),
    ]
    if data.follow_ups is not None:
        rows += [
            ("Open follow-ups (all)", data.follow_ups.open, None),
            ("Overdue follow-ups (all)", data.follow_ups.overdue, None),
        ]
    return rows


def _nps_trend_columns(interval: str) -> tuple[str, ...]:
    return (
        f"{interval} starting",
        "responses",
        "NPS answers",
        "promoters",
        "passives",
        "detractors",
        "NPS (points)",
        "NPS 95 % CI low",
        "NPS 95 % CI high",
        "CSAT answers",
        "CSAT (%)",
        "CES answers",
        "CES mean (1-7)",
        "CES rated 5-7 (%)",
        "expectation ratio",
    )


def _nps_trend_rows(data: OverviewData) -> list[tuple]:
    """One row per period of the trend, in the order of ``_nps_trend_columns``."""
    return [
        (
            p.period,
            p.figures.responses,
            p.figures.nps.n,
            p.figures.nps.promoters,
            p.figures.nps.passives,
            p.figures.nps.detractors,
            p.figures.nps.nps,
            p.figures.nps.ci_low,
            p.figures.nps.ci_high,
            p.figures.csat.n,
            p.figures.csat.csat,
            p.figures.ces.n,
            p.figures.ces.mean,
            p.figures.ces.easy_share,
            p.figures.expectation.geometric_mean,
        )
        for p in data.series
    ]


OVERVIEW_TABLES = (("summary", gettext_lazy("Summary")), ("nps_trend", gettext_lazy("NPS trend")))


def overview_figures(filters: MetricFilters, *, interval: str) -> dict:
    """What the overview shows from the rollups (kept by ``cached_figures``): the key figures but the
    follow-up counts, which change without a refresh; the charts; the disappointing touchpoints."""
    data = overview_data(filters, interval=interval, follow_ups=False)
    return {"kpis": overview_kpis(data), "charts": overview_charts(data), "disappointing": data.disappointing}


def overview_context(state: FilterState) -> dict:
    interval = state.form.cleaned_data.get("interval") or ""
    figures = cached_figures(
        state, "overview", lambda: overview_figures(state.filters, interval=interval), parts=(interval,)
    )
    return {
        **figures,
        "kpis": [*figures["kpis"], *follow_up_kpis(follow_up_counts())],
        "exports": export_links(state, list(OVERVIEW_TABLES)),
    }


@role_required(MANAGER)
@require_GET
@replica_reads()
def overview(request: HttpRequest) -> HttpResponse:
    return render_dashboard(
        request, filter_state(request, OVERVIEW), "analytics/dashboards/overview.html", overview_context
    )
