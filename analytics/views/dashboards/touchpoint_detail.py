"""One touchpoint, drilled down from the touchpoints page: its figures, NPS trend and latest comments."""

from dataclasses import replace

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics.display import count, number
from analytics.selectors import InteractionFigures, MetricFilters, interaction_summary
from infra.replica import replica_reads
from surveys.selectors.comments import comment_list

from .comments import comment_filters
from .common import (
    TOUCHPOINT_DETAIL,
    TOUCHPOINTS,
    FilterState,
    Kpi,
    export_links,
    filter_state,
    raw,
)
from .overview import OVERVIEW_TABLES, OverviewData, overview_charts, overview_data, overview_kpis
from .page_cache import cached_figures
from .rendering import render_dashboard

LATEST_COMMENTS = 10


def touchpoint_figures(filters: MetricFilters) -> dict:
    """What the drill-down shows from the rollups (kept by ``cached_figures``): the overview's
    figures for the touchpoint and its interactions' experience. Follow-up counts are the whole
    platform's, not a touchpoint's: the drill-down leaves them out."""
    data = overview_data(filters, follow_ups=False, disappointing=False)
    interactions = interaction_summary(filters=filters)
    return {"kpis": _kpis(data, interactions), "charts": overview_charts(data)}


def _kpis(data: OverviewData, interactions: InteractionFigures) -> list[Kpi]:
    experience = interactions.experience
    return [
        *overview_kpis(data),
        Kpi(
            "experience",
            _("Mean experience (0–10)"),
            number(experience.mean, 1),
            raw(experience.mean),
            note=_("mean of %(n)s scored interactions") % {"n": count(experience.n)}
            if experience.n
            else _("no scored interactions"),
        ),
        Kpi(
            "floor-breaches",
            _("Floor breaches"),
            count(experience.floor_breaches),
            raw(experience.floor_breaches),
            note=_("%(breaches)s of %(n)s scored interactions (%(share)s %%) below the floor")
            % {
                "breaches": count(experience.floor_breaches),
                "n": count(experience.n),
                "share": number(100 * experience.breach_share, 1),
            }
            if experience.n
            else _("no scored interactions"),
            tone="bad" if experience.floor_breaches else "",
        ),
    ]


def _context(state: FilterState, touchpoint_id: int) -> dict:
    filters = replace(state.filters, touchpoint_id=touchpoint_id)
    figures = cached_figures(state, "touchpoint", lambda: touchpoint_figures(filters), parts=(touchpoint_id,))
    query = state.form.query_string(touchpoint=touchpoint_id)
    # The latest comments are raw answers, read on every view.
    comments = comment_list(**comment_filters(filters), page=1, per_page=LATEST_COMMENTS)
    exports = export_links(state, list(OVERVIEW_TABLES), slug="overview", query=query)
    return {
        **figures,
        "comments": comments,
        "comments_url": f"{reverse('dashboard-comments')}?{query}",
        "exports": exports,
        "back_url": f"{reverse('dashboard-touchpoints')}?{state.form.query_string(touchpoint=None)}",
    }


@role_required(MANAGER)
@require_GET
@replica_reads()
def touchpoint_detail(request: HttpRequest, touchpoint_id: int) -> HttpResponse:
    state = filter_state(request, TOUCHPOINT_DETAIL)
    touchpoint = state.options.touchpoint(touchpoint_id)
    if touchpoint is None:
        raise Http404(_("No such touchpoint."))
    return render_dashboard(
        request,
        state,
        "analytics/dashboards/touchpoint_detail.html",
        lambda valid: {"touchpoint": touchpoint, **_context(valid, touchpoint_id)},
        current=TOUCHPOINTS,
        heading=touchpoint.name,
    )
