"""What every dashboard page shares: the pages, the filters of a request, the key figures and
their formatting, the download links.

A page validates its GET parameters with ``DashboardFilterForm``; on a bad value it renders
the form's errors with status 400 and no figures (never a server error). Each page module
offers ``<page>_data(filters)`` (selector results only), ``<page>_tables(data)`` (the download),
``<page>_figures(filters)`` (what the page shows of them: key figures, table rows, charts, kept
between views by ``page_cache.cached_figures``) and the view, which adds what is read on every
view and renders (``rendering.render_dashboard``).
"""

from dataclasses import dataclass, field
from datetime import date

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from access.roles import user_roles
from analytics.display import day_text
from analytics.forms import DashboardFilterForm
from analytics.selectors import MetricFilters
from analytics.selectors.dashboards import FilterOptions, filter_options


@dataclass(frozen=True)
class DashboardPage:
    slug: str
    title: str | Promise  # translated when shown (str())
    url_name: str
    journey_map: bool = False
    interval: bool = False
    touchpoint: bool = True  # the touchpoint filter (a drill-down has its touchpoint in its URL)


OVERVIEW = DashboardPage("overview", _("Overview"), "dashboard-overview", interval=True)
TOUCHPOINTS = DashboardPage("touchpoints", _("Touchpoints"), "dashboard-touchpoints")
JOURNEYS = DashboardPage("journeys", _("Journeys"), "dashboard-journeys", journey_map=True)
DRIVERS = DashboardPage("drivers", _("Drivers"), "dashboard-drivers")
COMMENTS = DashboardPage("comments", pgettext_lazy("dashboard", "Comments"), "dashboard-comments")
TOUCHPOINT_DETAIL = DashboardPage("touchpoint", _("Touchpoint"), "dashboard-touchpoints", touchpoint=False)
PAGES = (OVERVIEW, TOUCHPOINTS, JOURNEYS, DRIVERS, COMMENTS)
PAGES_BY_SLUG = {page.slug: page for page in PAGES}


@dataclass
class FilterState:
    """A request's filters: the bound form, the bar's choices and, when valid, the selectors' filters;
    the roles of the viewer, which decide what a page may show them; and the rollups' stamp when
    the page was rendered (``rendering.render_dashboard`` sets it; ``page_cache`` keys with it)."""

    page: DashboardPage
    form: DashboardFilterForm
    options: FilterOptions
    today: date
    filters: MetricFilters | None
    viewer_roles: tuple[str, ...] = ()
    stamp: str | None = None

    @property
    def valid(self) -> bool:
        return self.filters is not None


def filter_state(request: HttpRequest, page: DashboardPage) -> FilterState:
    today = timezone.localdate()
    options = filter_options(journey_maps=page.journey_map)
    form = DashboardFilterForm(
        request.GET,
        options=options,
        today=today,
        journey_map=page.journey_map,
        interval=page.interval,
        touchpoint=page.touchpoint,
    )
    filters = None
    if form.is_valid():
        filters = form.metric_filters()
        form.show_resolved()
    return FilterState(
        page=page,
        form=form,
        options=options,
        today=today,
        filters=filters,
        viewer_roles=tuple(sorted(user_roles(request.user))),
    )


@dataclass(frozen=True)
class Kpi:
    """A key figure: what the tile shows, and its exact value (``raw``, for ``data-value``)."""

    key: str
    label: str
    display: str
    raw: str
    note: str = ""
    tone: str = ""  # "good", "bad" or "" (neutral)
    text: bool = False  # a name (a touchpoint), shown smaller than a number
    attrs: dict = field(default_factory=dict)


def raw(value) -> str:
    """The exact value for a ``data-value`` attribute: ``repr`` of a number, "" when undefined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


# Why a figure is empty, by what it would have shown: (no filter narrows it, some filter does).
EMPTY_REASONS = {
    "nps": (
        _("No NPS answers from %(start)s to %(end)s."),
        _("No NPS answers from %(start)s to %(end)s with these filters."),
    ),
    "touchpoint_nps": (
        _("No NPS answers at a touchpoint from %(start)s to %(end)s."),
        _("No NPS answers at a touchpoint from %(start)s to %(end)s with these filters."),
    ),
    "ratios": (
        _("No expectation ratios from %(start)s to %(end)s."),
        _("No expectation ratios from %(start)s to %(end)s with these filters."),
    ),
    "floors": (
        _("No scored interactions at a touchpoint with a floor from %(start)s to %(end)s."),
        _(
            "No scored interactions at a touchpoint with a floor from %(start)s to %(end)s "
            "with these filters."
        ),
    ),
    "map_steps": (
        _("No scored interactions at this map's touchpoints from %(start)s to %(end)s."),
        _("No scored interactions at this map's touchpoints from %(start)s to %(end)s with these filters."),
    ),
    "map_journeys": (
        _("No scored journeys on this map from %(start)s to %(end)s."),
        _("No scored journeys on this map from %(start)s to %(end)s with these filters."),
    ),
    "moments": (
        _("No journeys whose peak or end was below neutral from %(start)s to %(end)s."),
        _("No journeys whose peak or end was below neutral from %(start)s to %(end)s with these filters."),
    ),
    "map_funnel": (
        _("No journeys on this map started from %(start)s to %(end)s reached one of its steps."),
        _(
            "No journeys on this map started from %(start)s to %(end)s reached one of its steps "
            "with these filters."
        ),
    ),
    "step_times": (
        _("No journeys on this map started from %(start)s to %(end)s went on from one step to the next."),
        _(
            "No journeys on this map started from %(start)s to %(end)s went on from one step to the next "
            "with these filters."
        ),
    ),
    "map_outcomes": (
        _("No journeys on this map started from %(start)s to %(end)s."),
        _("No journeys on this map started from %(start)s to %(end)s with these filters."),
    ),
    "outcome_scores": (
        _(
            "No scored journeys on this map started from %(start)s to %(end)s have completed or "
            "been abandoned."
        ),
        _(
            "No scored journeys on this map started from %(start)s to %(end)s have completed or been "
            "abandoned with these filters."
        ),
    ),
    "give_up": (
        _("No scored journeys on this map started from %(start)s to %(end)s were abandoned."),
        _(
            "No scored journeys on this map started from %(start)s to %(end)s were abandoned "
            "with these filters."
        ),
    ),
    "ratings": (
        _("No ratings of an experience dimension from %(start)s to %(end)s."),
        _("No ratings of an experience dimension from %(start)s to %(end)s with these filters."),
    ),
}


def empty_reason(filters: MetricFilters, what: str) -> str:
    """Why a figure is empty: nothing of ``what`` (a key of ``EMPTY_REASONS``) in the period with
    these filters."""
    narrowed = any(
        value is not None
        for value in (
            filters.survey_id,
            filters.touchpoint_id,
            filters.stage,
            filters.channel,
            filters.segment,
            filters.value_tier,
        )
    )
    reason = EMPTY_REASONS[what][1 if narrowed else 0]
    return reason % {"start": day_text(filters.start), "end": day_text(filters.end)}


def export_links(
    state: FilterState,
    tables: list[tuple[str, str | Promise]],
    *,
    slug: str | None = None,
    query: str | None = None,
) -> dict:
    """The download links of a page: one XLSX with every table, one CSV per table. ``slug`` and
    ``query`` name another page's download (a drill-down exports its parent with more filters)."""
    slug = slug or state.page.slug
    if query is None:
        query = state.form.query_string() if state.valid else ""
    base = reverse("dashboard-export", kwargs={"slug": slug, "fmt": "xlsx"})
    csv_base = reverse("dashboard-export", kwargs={"slug": slug, "fmt": "csv"})
    separator = "&" if query else ""
    return {
        "query": query,
        "xlsx": f"{base}?{query}",
        "csv": [
            {"title": str(title), "url": f"{csv_base}?{query}{separator}table={name}"}
            for name, title in tables
        ],
    }
