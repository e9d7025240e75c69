"""The overview: where do we stand, is it getting better, and where do we disappoint.

NPS with its 95 % interval and the change against the previous period of equal length
(significant only at |z| ≥ 1.96), responses and response rate, CSAT, the expectation ratio,
open and overdue follow-ups, the NPS trend and the promoter/passive/detractor split.
"""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics import charts
from analytics.exports import ExportTable
from analytics.selectors import (
    Comparison,
    FollowUpCounts,
    InvitationFigures,
    MetricFilters,
    SeriesPoint,
    TouchpointExpectation,
    expectation_by_touchpoint,
    follow_up_counts,
    invitation_summary,
    response_comparison,
    response_series,
)

from .common import (
    OVERVIEW,
    FilterState,
    Kpi,
    empty_reason,
    export_links,
    filter_state,
    number,
    raw,
    render_dashboard,
    signed,
)

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
    nps, change = current.nps, data.comparison.nps_change
    if change.diff is None:
        change_note, change_tone = "no NPS answers in one of the two periods", ""
    elif change.significant:
        z = "∞" if abs(change.z) == float("inf") else signed(change.z, 2)
        change_note, change_tone = f"significant (z = {z})", "good" if change.diff > 0 else "bad"
    else:
        change_note, change_tone = (
            f"not significant (z = {signed(change.z, 2)})" if change.z is not None else "no change",
            "",
        )
    rate = data.invitations.response_rate
    expectation = current.expectation
    kpis = [
        Kpi(
            "nps",
            "NPS",
            signed(nps.nps),
            raw(nps.nps),
            note=f"95 % CI {signed(nps.ci_low)} to {signed(nps.ci_high)}" if nps.n else "no NPS answers",
            attrs={"ci-low": raw(nps.ci_low), "ci-high": raw(nps.ci_high), "n": raw(nps.n)},
        ),
        Kpi(
            "nps-change",
            "Change vs previous period",
            signed(change.diff) if change.diff is not None else "n/a",
            raw(change.diff),
            note=change_note,
            tone=change_tone,
            attrs={
                "z": raw(change.z),
                "significant": raw(change.significant),
                "previous": raw(previous.nps.nps),
            },
        ),
        Kpi(
            "responses",
            "Responses",
            f"{current.responses:,}",
            raw(current.responses),
            note=f"previous period {previous.responses:,}",
        ),
        Kpi(
            "response-rate",
            "Response rate",
            number(100 * rate if rate is not None else None, 0, " %"),
            raw(rate),
            note=f"of {data.invitations.sent:,} invitations sent"
            if data.invitations.sent
            else "no invitations sent",
            attrs={"sent": raw(data.invitations.sent), "responded": raw(data.invitations.responded)},
        ),
        Kpi(
            "csat",
            "CSAT",
            number(current.csat.csat, 0, " %"),
            raw(current.csat.csat),
            note=f"{current.csat.n:,} answers rated 4–5 of 5" if current.csat.n else "no CSAT answers",
        ),
        Kpi(
            "expectation",
            "Expectation ratio",
            number(expectation.geometric_mean, 2),
            raw(expectation.geometric_mean),
            note=f"{number(100 * expectation.share_below, 0)} % below expectation"
            if expectation.n
            else "no expectation answers",
            tone="bad" if expectation.geometric_mean is not None and expectation.geometric_mean < 1 else "",
            attrs={"share-below": raw(expectation.share_below), "n": raw(expectation.n)},
        ),
    ]
    if data.follow_ups is None:
        return kpis
    return [
        *kpis,
        Kpi(
            "follow-ups-open",
            "Open follow-ups",
            f"{data.follow_ups.open:,}",
            raw(data.follow_ups.open),
            note="all cases, any date",
        ),
        Kpi(
            "follow-ups-overdue",
            "Overdue follow-ups",
            f"{data.follow_ups.overdue:,}",
            raw(data.follow_ups.overdue),
            note="past their due time",
            tone="bad" if data.follow_ups.overdue else "",
        ),
    ]


def overview_charts(data: OverviewData) -> dict:
    reason = empty_reason(data.filters, "NPS answers")
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
    current, previous = data.comparison.current, data.comparison.previous
    summary_rows = [
        ("NPS (points)", current.nps.nps, previous.nps.nps),
        ("NPS 95 % CI low", current.nps.ci_low, previous.nps.ci_low),
        ("NPS 95 % CI high", current.nps.ci_high, previous.nps.ci_high),
        ("NPS answers", current.nps.n, previous.nps.n),
        ("Promoters", current.nps.promoters, previous.nps.promoters),
        ("Passives", current.nps.passives, previous.nps.passives),
        ("Detractors", current.nps.detractors, previous.nps.detractors),
        ("Responses", current.responses, previous.responses),
        ("CSAT (%)", current.csat.csat, previous.csat.csat),
        ("CES mean (1-7)", current.ces.mean, previous.ces.mean),
        (
            "Expectation ratio (geometric mean)",
            current.expectation.geometric_mean,
            previous.expectation.geometric_mean,
        ),
        (
            "Expectation ratios below 1 (share)",
            current.expectation.share_below,
            previous.expectation.share_below,
        ),
    ]
    change = data.comparison.nps_change
    extra = [
        ("NPS change (points)", change.diff, None),
        ("NPS change z", change.z, None),
        ("NPS change significant", change.significant, None),
        ("Invitations sent", data.invitations.sent, None),
        ("Response rate (share)", data.invitations.response_rate, None),
    ]
    if data.follow_ups is not None:
        extra += [
            ("Open follow-ups (all)", data.follow_ups.open, None),
            ("Overdue follow-ups (all)", data.follow_ups.overdue, None),
        ]
    trend = [
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
            p.figures.csat.csat,
            p.figures.expectation.geometric_mean,
        )
        for p in data.series
    ]
    return [
        ExportTable("summary", "Summary", ("figure", "this period", "previous period"), summary_rows + extra),
        ExportTable(
            "nps_trend",
            f"NPS by {data.interval}",
            (
                f"{data.interval} starting",
                "responses",
                "NPS answers",
                "promoters",
                "passives",
                "detractors",
                "NPS (points)",
                "NPS 95 % CI low",
                "NPS 95 % CI high",
                "CSAT (%)",
                "expectation ratio",
            ),
            trend,
        ),
    ]


OVERVIEW_TABLES = (("summary", "Summary"), ("nps_trend", "NPS trend"))


def overview_context(state: FilterState) -> dict:
    interval = state.form.cleaned_data.get("interval") or ""
    data = overview_data(state.filters, interval=interval)
    return {
        "data": data,
        "kpis": overview_kpis(data),
        "charts": overview_charts(data),
        "exports": export_links(state, list(OVERVIEW_TABLES)),
    }


@role_required(MANAGER)
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return render_dashboard(
        request, filter_state(request, OVERVIEW), "analytics/dashboards/overview.html", overview_context
    )
