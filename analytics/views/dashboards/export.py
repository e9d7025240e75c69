"""Downloads of a dashboard's data: ``<page>/export.csv?table=…`` (one table) or ``<page>/export.xlsx``
(every table, after an "About" sheet naming the period and filters), with the page's own filters."""

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics.display import moment_text, period_text
from analytics.exports import ExportTable, csv_response, xlsx_response
from analytics.forms import FILTER_FIELDS, CommentSearchForm
from audit.models import AuditAction
from audit.services import audit_record
from infra.replica import replica_reads

from .comments import comments_tables
from .common import PAGES_BY_SLUG, FilterState, filter_state
from .drivers import drivers_data, drivers_tables
from .journeys import chosen_map, journeys_data, journeys_tables
from .overview import overview_data, overview_tables
from .touchpoints import touchpoints_data, touchpoints_tables

FORMATS = ("csv", "xlsx")


def _overview(state: FilterState, request: HttpRequest) -> list[ExportTable]:
    return overview_tables(
        overview_data(state.filters, interval=state.form.cleaned_data.get("interval") or "")
    )


def _touchpoints(state: FilterState, request: HttpRequest) -> list[ExportTable]:
    return touchpoints_tables(touchpoints_data(state.filters, catalogue=state.options.touchpoints))


def _journeys(state: FilterState, request: HttpRequest) -> list[ExportTable]:
    chosen = chosen_map(state)
    if chosen is None:
        return _no_map_tables()
    data = journeys_data(
        state.filters, journey_map_id=chosen[0], map_name=chosen[1], catalogue=state.options.touchpoints
    )
    return journeys_tables(data)


def _no_map_tables() -> list[ExportTable]:
    return [ExportTable("steps", _("Steps"), ("position", "touchpoint"), [])]


def _drivers(state: FilterState, request: HttpRequest) -> list[ExportTable]:
    return drivers_tables(drivers_data(state.filters))


def _comments(state: FilterState, request: HttpRequest) -> list[ExportTable]:
    search = CommentSearchForm(request.GET)
    search.is_valid()  # checked by ``_errors`` before the download is built
    return comments_tables(state.filters, search=search.cleaned_data.get("q") or "")


TABLES: dict[str, Callable[[FilterState, HttpRequest], list[ExportTable]]] = {
    "overview": _overview,
    "touchpoints": _touchpoints,
    "journeys": _journeys,
    "drivers": _drivers,
    "comments": _comments,
}


def filter_description(state: FilterState) -> list[tuple[str, str]]:
    """The period and every filter set, as (label, value) lines a person reads (in the request's
    language: the "About" sheet is for people; the tables' columns are for machines)."""
    form, filters = state.form, state.filters
    lines = [(_("Period"), period_text(filters.start, filters.end))]
    for name in FILTER_FIELDS:
        if name in ("period", "start", "end") or name not in form.fields:
            continue
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        field = form.fields[name]
        labels = {}
        for key, label in field.choices:
            if isinstance(label, list | tuple):
                labels.update({str(k): v for k, v in label})
            else:
                labels[str(key)] = label
        lines.append((str(field.label), str(labels.get(str(value), value))))
    return lines


def _errors(state: FilterState, request: HttpRequest) -> list[str]:
    errors = [] if state.valid else state.form.error_messages()
    if state.page.slug == "comments":
        search = CommentSearchForm(request.GET)
        if not search.is_valid():
            errors += search.error_messages()
    return errors


def _audit_export(request: HttpRequest, *, slug: str, fmt: str, tables: list[str]) -> None:
    filters = {name: value for name, value in request.GET.items() if name != "table" and value}
    audit_record(
        action=AuditAction.EXPORT,
        request=request,
        target=f"dashboard {slug} ({fmt})",
        details={"dashboard": slug, "format": fmt, "tables": tables, "filters": filters},
    )


@role_required(MANAGER)
@require_GET
@replica_reads()
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    page = PAGES_BY_SLUG.get(slug)
    if page is None or fmt not in FORMATS:
        raise Http404(_("No such download."))
    state = filter_state(request, page)
    errors = _errors(state, request)
    if errors:
        return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
    tables = TABLES[slug](state, request)
    stem = f"cem-{slug}-{state.filters.start.isoformat()}-to-{state.filters.end.isoformat()}"
    if fmt == "csv":
        name = request.GET.get("table") or tables[0].name
        table = next((t for t in tables if t.name == name), None)
        if table is None:
            names = ", ".join(t.name for t in tables)
            return HttpResponse(
                _("Unknown table %(name)s: this download has %(tables)s.")
                % {"name": repr(name), "tables": names},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        _audit_export(request, slug=slug, fmt=fmt, tables=[table.name])
        return csv_response(table, filename=f"{stem}-{table.name}.csv")
    _audit_export(request, slug=slug, fmt=fmt, tables=[t.name for t in tables])
    now = timezone.localtime()
    about = [
        (_("Dashboard"), str(page.title)),
        *filter_description(state),
        (_("Exported at"), f"{moment_text(now)} {now:%Z}"),
    ]
    return xlsx_response(tables, filename=f"{stem}.xlsx", about=about)
