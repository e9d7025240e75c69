"""Drivers: importance against performance of the experience dimensions, overall and per segment,
naming the quadrant to act on first (high importance, low performance)."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics import charts
from analytics.charts.drivers import MAX_SEGMENT_PANELS, dimension_label, quadrant_label
from analytics.display import listing
from analytics.exports import ExportTable
from analytics.metrics import DriverResult, driver_quadrants
from analytics.selectors import MetricFilters, driver_summary
from analytics.selectors.dashboards import driver_summary_by_segment
from infra.replica import replica_reads
from touchpoints.models import segment_label

from .common import DRIVERS, FilterState, empty_reason, export_links, filter_state
from .page_cache import cached_figures
from .rendering import render_dashboard


@dataclass(frozen=True)
class DriversData:
    filters: MetricFilters
    results: list[DriverResult]
    quadrants: dict[str, str | None]
    segments: list[charts.SegmentDrivers]

    @property
    def act_first(self) -> list[str]:
        return [r.dimension for r in self.results if self.quadrants.get(r.dimension) == "act_first"]


def _segment_name(segment: str) -> str:
    return segment_label(segment) or _("No segment")


def drivers_data(filters: MetricFilters) -> DriversData:
    """Driver results for the filters and, without a segment filter, for each of the largest
    segments (at most ``MAX_SEGMENT_PANELS``): two queries over rollups."""
    results = driver_summary(filters=filters)
    segments = []
    if filters.segment is None:
        for segment, mine in driver_summary_by_segment(filters=filters, limit=MAX_SEGMENT_PANELS):
            segments.append(
                charts.SegmentDrivers(_segment_name(segment), mine, driver_quadrants(mine), segment)
            )
    return DriversData(
        filters=filters, results=results, quadrants=driver_quadrants(results), segments=segments
    )


def _empty_reason(filters: MetricFilters, results: list[DriverResult]) -> str:
    if not results:
        return empty_reason(filters, "ratings")
    return _("Fewer than 30 paired answers per dimension in this period: too few to rank the drivers.")


def drivers_charts(data: DriversData) -> dict:
    result = {
        "matrix": charts.chart(
            "chart-drivers",
            charts.driver_matrix_figure(
                data.results, data.quadrants, empty_reason=_empty_reason(data.filters, data.results)
            ),
        )
    }
    if data.filters.segment is None:
        result["segments"] = charts.chart(
            "chart-drivers-segments",
            charts.driver_segments_figure(
                data.segments,
                empty_reason=_("No segment has 30 paired answers per dimension in this period."),
            ),
        )
    return result


def _rows(segment: str, results: list[DriverResult], quadrants: dict) -> list[tuple]:
    return [
        (
            segment,
            dimension_label(r.dimension),
            r.n,
            r.importance,
            r.ci_low,
            r.ci_high,
            r.performance,
            r.enough_data,
            quadrant_label(quadrants[r.dimension]) if quadrants.get(r.dimension) else "",
        )
        for r in results
    ]


def drivers_tables(data: DriversData) -> list[ExportTable]:
    columns = (
        "segment",
        "dimension",
        "paired answers",
        "importance (r)",
        "importance 95 % CI low",
        "importance 95 % CI high",
        "performance (0-10)",
        "enough data",
        "quadrant",
    )
    overall = _segment_name(data.filters.segment) if data.filters.segment is not None else _("All segments")
    rows = _rows(overall, data.results, data.quadrants)
    for segment in data.segments:
        rows += _rows(segment.segment, segment.results, segment.quadrants)
    return [ExportTable("drivers", _("Key drivers"), columns, rows)]


def drivers_figures(filters: MetricFilters) -> dict:
    """What the page shows from the rollups (kept by ``cached_figures``): the act-first verdicts, the
    tables and the charts."""
    data = drivers_data(filters)
    act_first = [dimension_label(d) for d in data.act_first]
    return {
        "act_first_keys": data.act_first,
        "act_first": act_first,
        "act_first_text": listing(act_first),
        "rows": [_dimension_row(r, data.quadrants.get(r.dimension)) for r in data.results],
        "segment_rows": [_segment_row(s) for s in data.segments],
        "charts": drivers_charts(data),
    }


def _dimension_row(result: DriverResult, quadrant: str | None) -> dict:
    return {
        "result": result,
        "label": dimension_label(result.dimension),
        "quadrant": quadrant,
        "quadrant_label": quadrant_label(quadrant) if quadrant else "",
    }


def _segment_row(segment: charts.SegmentDrivers) -> dict:
    keys = [r.dimension for r in segment.results if segment.quadrants.get(r.dimension) == "act_first"]
    act_first = [dimension_label(key) for key in keys]
    return {
        "segment": segment.segment,
        "key": segment.key,
        "ranked": charts.quadrant_cuts(segment.results) is not None,
        "act_first_keys": keys,
        "act_first": act_first,
        "act_first_text": listing(act_first),
    }


def drivers_context(state: FilterState) -> dict:
    figures = cached_figures(state, "drivers", lambda: drivers_figures(state.filters))
    return {**figures, "exports": export_links(state, [("drivers", gettext_lazy("Key drivers"))])}


@role_required(MANAGER)
@require_GET
@replica_reads()
def drivers(request: HttpRequest) -> HttpResponse:
    return render_dashboard(
        request, filter_state(request, DRIVERS), "analytics/dashboards/drivers.html", drivers_context
    )
