"""Touchpoints: NPS and expectation ratio per touchpoint grouped by stage, the touchpoint × month
heatmap of the expectation ratio, floor breaches, and a link down to each touchpoint."""

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics import charts
from analytics.display import count, number, percent, signed
from analytics.exports import ExportTable
from analytics.selectors import (
    BreakdownRow,
    InteractionBreakdownRow,
    MetricFilters,
    TouchpointExpectation,
    expectation_by_touchpoint,
    interaction_breakdown,
    response_breakdown,
)
from analytics.selectors.dashboards import ExpectationHeatmap, TouchpointOption, expectation_heatmap
from infra.replica import replica_reads

from .cards import ces_note, csat_note
from .common import (
    TOUCHPOINTS,
    FilterState,
    empty_reason,
    export_links,
    filter_state,
    raw,
)
from .page_cache import cached_figures
from .rendering import render_dashboard


@dataclass(frozen=True)
class TouchpointRow:
    """Everything the page shows of one touchpoint; a part is None when it has no such data."""

    touchpoint: TouchpointOption
    responses: BreakdownRow | None
    expectation: TouchpointExpectation | None
    interactions: InteractionBreakdownRow | None


@dataclass(frozen=True)
class TouchpointsData:
    filters: MetricFilters
    catalogue: list[TouchpointOption]
    responses: list[BreakdownRow]
    expectations: list[TouchpointExpectation]
    interactions: list[InteractionBreakdownRow]
    heatmap: ExpectationHeatmap

    @property
    def rows(self) -> list[TouchpointRow]:
        """Touchpoints with any figure, grouped by stage, the lowest NPS first (none last)."""
        responses = {row.key: row for row in self.responses}
        expectations = {row.touchpoint_id: row for row in self.expectations}
        interactions = {row.key: row for row in self.interactions}
        present = set(responses) | set(expectations) | set(interactions)
        items = [
            TouchpointRow(t, responses.get(t.id), expectations.get(t.id), interactions.get(t.id))
            for t in self.catalogue
            if t.id in present
        ]
        ordered = charts.stage_ordered(
            items,
            touchpoint=lambda row: row.touchpoint.id,
            worst=lambda row: row.responses.figures.nps.nps if row.responses else None,
            catalogue=self.catalogue,
        )
        return [row for row, _ in ordered]


def touchpoints_data(filters: MetricFilters, *, catalogue: list[TouchpointOption]) -> TouchpointsData:
    """Selector results of the touchpoints page (nine queries over rollups and labels)."""
    return TouchpointsData(
        filters=filters,
        catalogue=catalogue,
        responses=response_breakdown(filters=filters, by="touchpoint"),
        expectations=expectation_by_touchpoint(filters=filters),
        interactions=interaction_breakdown(filters=filters, by="touchpoint"),
        heatmap=expectation_heatmap(filters=filters, catalogue=catalogue),
    )


def touchpoints_charts(data: TouchpointsData) -> dict:
    filters, catalogue = data.filters, data.catalogue
    return {
        "nps": charts.chart(
            "chart-touchpoint-nps",
            charts.touchpoint_nps_figure(
                data.responses,
                catalogue=catalogue,
                empty_reason=empty_reason(filters, "touchpoint_nps"),
            ),
        ),
        "expectation": charts.chart(
            "chart-touchpoint-expectation",
            charts.touchpoint_expectation_figure(
                data.expectations,
                catalogue=catalogue,
                empty_reason=empty_reason(filters, "ratios"),
            ),
        ),
        "heatmap": charts.chart(
            "chart-expectation-heatmap",
            charts.expectation_heatmap_figure(data.heatmap, empty_reason=empty_reason(filters, "ratios")),
        ),
        "breaches": charts.chart(
            "chart-floor-breaches",
            charts.floor_breach_figure(
                data.interactions,
                catalogue=catalogue,
                empty_reason=empty_reason(filters, "floors"),
            ),
        ),
    }


TOUCHPOINT_COLUMNS = (
    "stage",
    "touchpoint",
    "responses",
    "NPS answers",
    "NPS (points)",
    "NPS 95 % CI low",
    "NPS 95 % CI high",
    "CSAT answers",
    "CSAT (%)",
    "CSAT 95 % CI low (%)",
    "CSAT 95 % CI high (%)",
    "CES answers",
    "CES mean (1-7)",
    "CES 95 % CI low",
    "CES 95 % CI high",
    "CES rated 5-7 (%)",
    "survey expectation ratio",
    "survey ratios (n)",
    "measure expectation ratio",
    "measure ratios (n)",
    "interactions",
    "mean experience (0-10)",
    "floor (0-10)",
    "floor breaches",
    "floor breach share",
)


def touchpoint_cells(row: TouchpointRow) -> tuple:
    nps = row.responses.figures.nps if row.responses else None
    csat = row.responses.figures.csat if row.responses else None
    ces = row.responses.figures.ces if row.responses else None
    survey = row.expectation.survey if row.expectation else None
    measure = row.expectation.measure if row.expectation else None
    figures = row.interactions.figures if row.interactions else None
    return (
        row.touchpoint.stage_label,
        row.touchpoint.name,
        row.responses.figures.responses if row.responses else 0,
        nps.n if nps else 0,
        nps.nps if nps else None,
        nps.ci_low if nps else None,
        nps.ci_high if nps else None,
        csat.n if csat else 0,
        *((csat.csat, csat.ci_low, csat.ci_high) if csat else (None, None, None)),
        ces.n if ces else 0,
        *((ces.mean, ces.ci_low, ces.ci_high, ces.easy_share) if ces else (None, None, None, None)),
        survey.geometric_mean if survey else None,
        survey.n if survey else 0,
        measure.geometric_mean if measure else None,
        measure.n if measure else 0,
        figures.interactions if figures else 0,
        figures.experience.mean if figures else None,
        row.touchpoint.floor_score,
        figures.experience.floor_breaches if figures else 0,
        figures.experience.breach_share if figures else None,
    )


def touchpoints_tables(data: TouchpointsData) -> list[ExportTable]:
    heatmap = data.heatmap
    cells = [
        (
            t.stage_label,
            t.name,
            month,
            cell.ratio.n,
            cell.ratio.geometric_mean,
            cell.ratio.share_below,
            cell.ratio.share_met,
            cell.ratio.share_above,
            cell.survey_n,
            cell.measure_n,
        )
        for t in heatmap.touchpoints
        for month in heatmap.months
        if (cell := heatmap.cell(t.id, month)) is not None
    ]
    return [
        ExportTable(
            "touchpoints", _("Touchpoints"), TOUCHPOINT_COLUMNS, [touchpoint_cells(r) for r in data.rows]
        ),
        ExportTable(
            "heatmap",
            _("Expectation ratio by touchpoint and month"),
            (
                "stage",
                "touchpoint",
                "month",
                "ratios (n)",
                "expectation ratio (geometric mean)",
                "share below 1",
                "share met",
                "share above 1",
                "from survey pairs (n)",
                "from measures (n)",
            ),
            cells,
        ),
    ]


def table_row(row: TouchpointRow) -> dict:
    """One line of the page's table: display text, and exact values for ``data-`` attributes."""
    nps = row.responses.figures.nps if row.responses else None
    csat = row.responses.figures.csat if row.responses else None
    ces = row.responses.figures.ces if row.responses else None
    survey = row.expectation.survey if row.expectation else None
    measure = row.expectation.measure if row.expectation else None
    experience = row.interactions.figures.experience if row.interactions else None
    has_nps = nps is not None and nps.nps is not None
    return {
        "touchpoint": row.touchpoint,
        "responses": row.responses.figures.responses if row.responses else 0,
        "nps": signed(nps.nps) if has_nps else "—",
        "ci": _("%(low)s to %(high)s") % {"low": signed(nps.ci_low, 0), "high": signed(nps.ci_high, 0)}
        if has_nps
        else "—",
        "csat": percent(csat.csat, 0) if csat and csat.n else "—",
        "csat_title": csat_note(csat) if csat and csat.n else "",
        "ces": number(ces.mean, 1) if ces and ces.n else "—",
        "ces_title": ces_note(ces) if ces and ces.n else "",
        "survey_ratio": number(survey.geometric_mean, 2) if survey and survey.n else "—",
        "survey_below": bool(survey and survey.n and survey.geometric_mean < 1),
        "measure_ratio": number(measure.geometric_mean, 2) if measure and measure.n else "—",
        "measure_below": bool(measure and measure.n and measure.geometric_mean < 1),
        "experience": number(experience.mean, 1) if experience and experience.n else "—",
        "has_floor": row.touchpoint.floor_score is not None,
        "breaches": experience.floor_breaches if experience else 0,
        "breach_share": percent(100 * experience.breach_share, 1) if experience and experience.n else "",
        "breach_title": _("%(breaches)s of %(n)s scored interactions below the floor")
        % {"breaches": count(experience.floor_breaches), "n": count(experience.n)}
        if experience and experience.n
        else "",
        "raw": {
            "nps": raw(nps.nps if nps else None),
            "csat": raw(csat.csat if csat else None),
            "ces": raw(ces.mean if ces else None),
            "ces-easy-share": raw(ces.easy_share if ces else None),
            "ratio-survey": raw(survey.geometric_mean if survey else None),
            "ratio-measure": raw(measure.geometric_mean if measure else None),
            "experience": raw(experience.mean if experience else None),
            "breaches": raw(experience.floor_breaches if experience else None),
        },
    }


TOUCHPOINTS_TABLES = (("touchpoints", gettext_lazy("Touchpoints")), ("heatmap", gettext_lazy("Heatmap")))


def touchpoints_figures(filters: MetricFilters, *, catalogue: list[TouchpointOption]) -> dict:
    """What the page shows from the rollups (kept by ``cached_figures``): the table and the charts."""
    data = touchpoints_data(filters, catalogue=catalogue)
    return {"rows": [table_row(row) for row in data.rows], "charts": touchpoints_charts(data)}


def touchpoints_context(state: FilterState) -> dict:
    figures = cached_figures(
        state,
        "touchpoints",
        lambda: touchpoints_figures(state.filters, catalogue=state.options.touchpoints),
    )
    return {
        **figures,
        "exports": export_links(state, list(TOUCHPOINTS_TABLES)),
        "detail_query": state.form.query_string(touchpoint=None),
    }


@role_required(MANAGER)
@require_GET
@replica_reads()
def touchpoints(request: HttpRequest) -> HttpResponse:
    state = filter_state(request, TOUCHPOINTS)
    return render_dashboard(request, state, "analytics/dashboards/touchpoints.html", touchpoints_context)
