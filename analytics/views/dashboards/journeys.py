"""Journeys: for one journey map, the experience along its steps with the typical peak and end, the
distribution of peak–end scores against the plain average, and the moments of truth."""

from dataclasses import dataclass, replace

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics import charts
from analytics.display import count, not_available, number, percent, signed
from analytics.exports import ExportTable
from analytics.selectors import (
    JourneyAnalytics,
    JourneyFigures,
    MapStep,
    MetricFilters,
    MomentOfTruth,
    journey_analytics,
    journey_summary,
    moments_of_truth,
)
from analytics.selectors.dashboards import JourneyCurve, JourneyStep, TouchpointOption, journey_curve
from infra.replica import replica_reads

from .common import (
    JOURNEYS,
    FilterState,
    Kpi,
    empty_reason,
    export_links,
    filter_state,
    raw,
)
from .journey_funnel import FUNNEL_TABLES, funnel_charts, funnel_kpis, funnel_page_rows, funnel_tables
from .page_cache import cached_figures
from .rendering import render_dashboard

MOMENTS_SHOWN = 10


@dataclass(frozen=True)
class JourneysData:
    filters: MetricFilters
    map_name: str
    curve: JourneyCurve
    summary: JourneyFigures
    moments: list[MomentOfTruth]
    analytics: JourneyAnalytics


def journeys_data(
    filters: MetricFilters,
    *,
    journey_map_id: int,
    map_name: str,
    catalogue: list[TouchpointOption] | None = None,
) -> JourneysData:
    """Selector results for one journey map: nine queries over rollups and the map's steps (ten
    without the ``catalogue`` naming the touchpoints where customers give up)."""
    filters = replace(filters, journey_map_id=journey_map_id)
    curve = journey_curve(filters=filters, journey_map_id=journey_map_id)
    steps = [MapStep(s.position, s.touchpoint_id, s.label, s.stage) for s in curve.steps]
    labels = {t.id: t.name for t in catalogue} if catalogue is not None else None
    return JourneysData(
        filters=filters,
        map_name=map_name,
        curve=curve,
        summary=journey_summary(filters=filters),
        moments=moments_of_truth(filters=filters, limit=MOMENTS_SHOWN),
        analytics=journey_analytics(filters=filters, steps=steps, labels=labels),
    )


def chosen_map(state: FilterState) -> tuple[int, str] | None:
    """The journey map of the filters, else the first one (active maps first); None without maps."""
    maps = dict(state.options.journey_maps)
    wanted = state.filters.journey_map_id
    if wanted in maps:
        return wanted, maps[wanted]
    return next(iter(state.options.journey_maps), None)


def journey_kpis(data: JourneysData) -> list[Kpi]:
    aggregate, curve = data.summary.aggregate, data.curve
    kpis = [
        Kpi(
            "journeys",
            pgettext("key figure: a number of journeys", "Journeys"),
            count(aggregate.journeys),
            raw(aggregate.journeys),
            note=_("started in the period"),
        ),
        Kpi(
            "peak-end",
            _("Mean peak–end (0–10)"),
            number(aggregate.mean_peak_end, 1),
            raw(aggregate.mean_peak_end),
            note=_("over %(n)s journeys: what customers remember") % {"n": count(aggregate.journeys)}
            if aggregate.journeys
            else _("no journeys"),
        ),
        Kpi(
            "mean-experience",
            _("Mean experience (0–10)"),
            number(aggregate.mean_of_means, 1),
            raw(aggregate.mean_of_means),
            note=_("mean over %(n)s journeys of their plain averages") % {"n": count(aggregate.journeys)}
            if aggregate.journeys
            else _("no journeys"),
        ),
        Kpi(
            "gap",
            _("Memory gap"),
            signed(aggregate.mean_gap, 2),
            raw(aggregate.mean_gap),
            note=_("peak–end minus average, points"),
            tone="bad" if aggregate.mean_gap is not None and aggregate.mean_gap < 0 else "",
        ),
        Kpi(
            "breached",
            _("Journeys with a floor breach"),
            percent(100 * aggregate.breached_share if aggregate.breached_share is not None else None, 0),
            raw(aggregate.breached_share),
            note=_("%(breached)s of %(n)s journeys")
            % {"breached": count(aggregate.journeys_breached), "n": count(aggregate.journeys)}
            if aggregate.journeys
            else _("no journeys"),
        ),
    ]
    kpis.append(_typical_step_kpi("typical-peak", _("Typical peak"), curve.typical_peak, curve))
    kpis.append(_typical_step_kpi("typical-end", _("Typical end"), curve.typical_end, curve))
    return kpis + funnel_kpis(data.analytics)


def _typical_step_kpi(key: str, label: str, step: JourneyStep | None, curve: JourneyCurve) -> Kpi:
    """The step most often the journeys' peak (or end), and of how many journeys it was."""
    times = 0 if step is None else step.peaks if key == "typical-peak" else step.ends
    share = None if step is None else curve.share(times)
    if share is None:
        note = _("no journeys")
    else:
        values = {"count": count(times), "n": count(curve.journeys), "share": number(100 * share, 0)}
        if key == "typical-peak":
            note = _("the peak of %(count)s of %(n)s journeys (%(share)s %%)") % values
        else:
            note = _("the end of %(count)s of %(n)s journeys (%(share)s %%)") % values
    return Kpi(
        key,
        label,
        step.label if step else not_available(),
        raw(step.touchpoint_id if step else None),
        note=note,
        text=True,
    )


def journeys_charts(data: JourneysData, catalogue: list[TouchpointOption]) -> dict:
    filters = data.filters
    funnel = funnel_charts(data.analytics, filters=filters, map_name=data.map_name, catalogue=catalogue)
    return funnel | {
        "curve": charts.chart(
            "chart-journey-curve",
            charts.journey_curve_figure(
                data.curve,
                map_name=data.map_name,
                empty_reason=empty_reason(filters, "map_steps"),
            ),
        ),
        "distribution": charts.chart(
            "chart-peak-end",
            charts.peak_end_distribution_figure(
                data.summary, empty_reason=empty_reason(filters, "map_journeys")
            ),
        ),
        "moments": charts.chart(
            "chart-moments-of-truth",
            charts.moments_of_truth_figure(
                data.moments,
                catalogue=catalogue,
                empty_reason=empty_reason(filters, "moments"),
            ),
        ),
    }


def journeys_tables(data: JourneysData) -> list[ExportTable]:
    curve = data.curve
    steps = [
        (
            step.position,
            step.label,
            step.stage,
            step.experience.n,
            step.experience.mean,
            step.experience.floor_breaches,
            step.peaks,
            step.negative_peaks,
            step.ends,
            step.negative_ends,
            curve.share(step.peaks),
            curve.share(step.ends),
        )
        for step in curve.steps
    ]
    total = data.summary.aggregate.journeys
    bins = [
        (f"{k}-{k + 1}", count, count / total if total else None)
        for k, count in enumerate(data.summary.distribution)
    ]
    moments = [(m.label, m.peaks, m.negative_peaks, m.ends, m.negative_ends) for m in data.moments]
    return [
        ExportTable(
            "steps",
            _("Steps of “%(map)s”") % {"map": data.map_name},
            (
                "position",
                "touchpoint",
                "stage",
                "scored interactions",
                "mean experience (0-10)",
                "floor breaches",
                "peaks (journeys)",
                "negative peaks",
                "ends (journeys)",
                "negative ends",
                "peak share",
                "end share",
            ),
            steps,
        ),
        ExportTable("peak_end", _("Peak–end distribution"), ("peak-end score", "journeys", "share"), bins),
        ExportTable(
            "moments_of_truth",
            _("Moments of truth"),
            ("touchpoint", "peaks", "negative peaks", "ends", "negative ends"),
            moments,
        ),
        *funnel_tables(data.analytics),
    ]


JOURNEYS_TABLES = (
    ("steps", gettext_lazy("Steps")),
    ("peak_end", gettext_lazy("Peak–end distribution")),
    ("moments_of_truth", gettext_lazy("Moments of truth")),
    *FUNNEL_TABLES,
)


def journeys_figures(
    filters: MetricFilters, *, journey_map: tuple[int, str], catalogue: list[TouchpointOption]
) -> dict:
    """What the page shows of one map from the rollups and the map's steps (kept by
    ``cached_figures``): the key figures and the charts."""
    data = journeys_data(filters, journey_map_id=journey_map[0], map_name=journey_map[1], catalogue=catalogue)
    return {
        "map_name": data.map_name,
        "steps": data.curve.steps,
        "funnel": funnel_page_rows(data.analytics),
        "kpis": journey_kpis(data),
        "charts": journeys_charts(data, catalogue),
    }


def journeys_context(state: FilterState) -> dict:
    chosen = chosen_map(state)
    if chosen is None:
        return {"no_maps": True}
    figures = cached_figures(
        state,
        "journeys",
        lambda: journeys_figures(state.filters, journey_map=chosen, catalogue=state.options.touchpoints),
        parts=chosen,
    )
    state.form.show_resolved(journey_map=chosen[0])
    query = state.form.query_string(journey_map=chosen[0])
    return {**figures, "exports": export_links(state, list(JOURNEYS_TABLES), query=query)}


@role_required(MANAGER)
@require_GET
@replica_reads()
def journeys(request: HttpRequest) -> HttpResponse:
    return render_dashboard(
        request, filter_state(request, JOURNEYS), "analytics/dashboards/journeys.html", journeys_context
    )
