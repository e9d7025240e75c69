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

from access.roles import user_roles
from analytics.forms import DashboardFilterForm
from analytics.selectors import MetricFilters
from analytics.selectors.dashboards import FilterOptions, filter_options


@dataclass(frozen=True)
class DashboardPage:
    slug: str
    title: str
    url_name: str
    journey_map: bool = False
    interval: bool = False
    touchpoint: bool = True  # the touchpoint filter (a drill-down has its touchpoint in its URL)


OVERVIEW = DashboardPage("overview", "Overview", "dashboard-overview", interval=True)
TOUCHPOINTS = DashboardPage("touchpoints", "Touchpoints", "dashboard-touchpoints")
JOURNEYS = DashboardPage("journeys", "Journeys", "dashboard-journeys", journey_map=True)
DRIVERS = DashboardPage("drivers", "Drivers", "dashboard-drivers")
COMMENTS = DashboardPage("comments", "Comments", "dashboard-comments")
TOUCHPOINT_DETAIL = DashboardPage("touchpoint", "Touchpoint", "dashboard-touchpoints", touchpoint=False)
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


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}".replace("-", "−")


def number(value: float | None, digits: int = 1, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.{digits}f}".replace("-", "−") + suffix


def day_text(day: date, *, year: bool = True) -> str:
    """``3 Mar 2025`` (no leading zero, any platform)."""
    return f"{day.day} {day:%b %Y}" if year else f"{day.day} {day:%b}"


def period_text(start: date, end: date) -> str:
    days = (end - start).days + 1
    first = day_text(start, year=start.year != end.year)
    return f"{first} – {day_text(end)} ({days} day{'s' if days != 1 else ''})"


def empty_reason(filters: MetricFilters, what: str) -> str:
    """Why a figure is empty: nothing of ``what`` in the period with these filters."""
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
    where = " with these filters" if narrowed else ""
    return f"No {what} from {day_text(filters.start)} to {day_text(filters.end)}{where}."


def export_links(
    state: FilterState, tables: list[tuple[str, str]], *, slug: str | None = None, query: str | None = None
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
            {"title": title, "url": f"{csv_base}?{query}{separator}table={name}"} for name, title in tables
        ],
    }
