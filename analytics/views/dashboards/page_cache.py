"""What a dashboard page can reuse from one view to the next, kept in Django's cache (``CACHES``:
Redis when ``REDIS_URL`` is set, else this process's memory).

``cached_figures`` keeps what a page computes from the rollups: its selector results, key
figures, table rows and figures with their JSON rendered. A second view of the same page with
the same filters reads that one entry instead of querying the rollups and building the figures
again. The entry's key holds

* the page and its own parameters (the trend's interval, a drill-down's touchpoint, the map);
* the filters as resolved: the period's dates, not its preset, so "last 90 days" moves at midnight;
* the language and the viewer's roles;
* the catalogue the page labels with (surveys, touchpoints with their stages and floors, journey
  maps, segments), which every request reads for the filter bar anyway: a rename shows at once;
* the rollups' stamp (``analytics.selectors.freshness.rollups_stamp``), which changes with every
  refresh of any day bucket. ``render_dashboard`` reads it before the rollups, so an entry is never
  older than its stamp, and a refreshed number is never served from an entry computed before.

What changes without a refresh (the follow-up counts, the comments) is read by every request
and never kept here. ``FIGURES_SECONDS`` bounds how long an entry may outlive something no key
part sees (a journey map's steps changed without saving the map).

``cached_filter_bar`` keeps the filter bar's HTML, which depends on the filters as typed and the
catalogue but not on the rollups: Django renders a select's every option through a template of
its own, the largest share of a page's rendering.

When the cache cannot be reached, a page is computed as if nothing were kept, and that is logged.
"""

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.utils import translation
from django.utils.safestring import SafeString

from infra.counters import CACHE_ERRORS

from .common import FilterState

logger = logging.getLogger(__name__)

# Part of every key: raise it when what an entry holds changes shape, so no process reads an
# entry another version of the code wrote.
VERSION = 2
FIGURES_SECONDS = 10 * 60
FILTER_BAR_SECONDS = 60 * 60

T = TypeVar("T")


def _key(kind: str, *parts) -> str:
    digest = hashlib.blake2b(repr(parts).encode(), digest_size=20).hexdigest()
    return f"dashboards:{VERSION}:{kind}:{digest}"


def _cached(key: str, compute: Callable[[], T], timeout: int) -> T:
    try:
        found = cache.get(key)
    except CACHE_ERRORS:
        logger.warning("cache unreachable: %s computed afresh", key, exc_info=True)
        return compute()
    if found is not None:
        return found
    value = compute()
    try:
        cache.set(key, value, timeout)
    except CACHE_ERRORS:
        logger.warning("cache unreachable: %s not kept", key, exc_info=True)
    return value


def figures_key(state: FilterState, page: str, parts: tuple, stamp: str) -> str:
    return _key(
        "figures",
        page,
        parts,
        state.filters,
        translation.get_language(),
        state.viewer_roles,
        state.options,
        stamp,
    )


def cached_figures(state: FilterState, page: str, compute: Callable[[], dict], *, parts: tuple = ()) -> dict:
    """``compute()`` (what ``page`` shows from the rollups, for ``state``'s valid filters and the
    page's own ``parts``), or the entry a previous view kept of it under the same stamp. No query
    of its own; ``compute``'s when nothing is kept. Without a stamp, computed and not kept."""
    if state.stamp is None:
        return compute()
    return _cached(figures_key(state, page, parts, state.stamp), compute, FIGURES_SECONDS)


def cached_filter_bar(
    state: FilterState,
    render: Callable[[], SafeString],
    *,
    path: str,
    extra: tuple = (),
    valid: bool = True,
) -> SafeString:
    """The filter bar's HTML as ``render()`` gives it. Kept only when every input of the page is
    valid (a bar with errors is rendered each time), under the form's values as it shows them, the
    page's ``path`` (the form's target), ``extra`` values shown beside the form (the comments'
    search) and the catalogue of its choices."""
    if not (valid and state.valid):
        return render()
    data = state.form.data
    values = tuple((name, tuple(data.getlist(name))) for name in state.form.fields)
    key = _key("filter-bar", path, values, extra, translation.get_language(), state.options)
    return _cached(key, render, FILTER_BAR_SECONDS)
