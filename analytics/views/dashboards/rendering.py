"""Rendering a dashboard page: the frame every page shares (heading, freshness line, tabs, filter
bar, the errors of bad filters, what ``static/js/charts.js`` needs to draw in the page's language)
around the page's own context."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from analytics.display import moment_text, period_text, plotly_date_formats
from analytics.selectors.freshness import dashboard_freshness

from .common import PAGES, DashboardPage, FilterState
from .page_cache import cached_filter_bar

FILTER_BAR = "analytics/dashboards/_filters.html"
# The plotly.js locales the app serves (static/vendor/plotly-locales/, README there), by Django
# language: plotly.js's name of the locale, and its script. English is plotly.js's own.
PLOTLY_LOCALES = {"zh-hans": ("zh-CN", "vendor/plotly-locales/plotly-locale-zh-cn.js")}


def chart_settings() -> dict:
    """What ``charts.js`` draws with in the active language: plotly.js's locale (its modebar, and
    the month and day names of date axes), how date axes write a day and a month (as the page
    writes them), and the words it may have to show, translated here."""
    locale, script = PLOTLY_LOCALES.get(translation.get_language() or "", ("", ""))
    return {
        "locale": locale,
        "script": script,
        "dateFormats": plotly_date_formats(),
        "messages": {
            "noLibrary": _("The chart library did not load; the figures are in the download."),
            "unreadable": _("This figure could not be read."),
        },
    }


def tab_links(state: FilterState, current: DashboardPage) -> list[dict]:
    """The dashboard tabs, each keeping the filters (a journey map only means something on one)."""
    query = state.form.query_string(journey_map=None, interval=None) if state.valid else ""
    return [
        {
            "label": str(page.title),
            "url": reverse(page.url_name) + (f"?{query}" if query else ""),
            "current": page == current,
        }
        for page in PAGES
    ]


def filter_bar(request: HttpRequest, state: FilterState, *, search_form=None, valid: bool = True) -> str:
    """The filter bar's HTML (kept in the cache while the filters are valid: ``cached_filter_bar``).
    Rendered after the page's context, which may show what it resolved in the form (the map)."""
    context = {"form": state.form, "search_form": search_form, "request": request}
    search = ()
    if search_form is not None:
        search = (("q", search_form["q"].value()),)
    return cached_filter_bar(
        state, lambda: render_to_string(FILTER_BAR, context), path=request.path, extra=search, valid=valid
    )


def render_dashboard(
    request: HttpRequest,
    state: FilterState,
    template: str,
    build: Callable[[FilterState], dict],
    *,
    current: DashboardPage | None = None,
    heading: str | None = None,
    errors: list[str] | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """Render a dashboard page: the page's own context from ``build`` when the filters (and the
    page's own parameters, whose ``errors`` it passes) are valid, else the errors with status 400."""
    current = current or state.page
    errors = (errors or []) + ([] if state.valid else state.form.error_messages())
    # Read before the page's figures, so that those kept under this stamp are at least as new.
    freshness, state.stamp = dashboard_freshness(journey_maps=state.page.journey_map)
    context = {
        "page": current,
        "heading": heading or str(current.title),
        "form": state.form,
        "state": state,
        "filters": state.filters,
        "tabs": tab_links(state, current),
        "filter_errors": errors,
        "charts": {},
        **(extra or {}),
        "freshness": freshness,
        "refreshed_text": moment_text(freshness.last_refreshed) if freshness.last_refreshed else "",
        "chart_settings": chart_settings(),
    }
    if not errors:
        context["period"] = period_text(state.filters.start, state.filters.end)
        context.update(build(state))
    context["filter_bar"] = filter_bar(
        request, state, search_form=context.get("search_form"), valid=not errors
    )
    return render(request, template, context, status=400 if errors else 200)
