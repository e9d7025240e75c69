"""Comments: the latest free-text answers with their score, touchpoint and language, searchable.

The one dashboard list that reads raw answers (``surveys.selectors.comments``), a page at a time.
"""

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required
from analytics.exports import ExportTable
from analytics.forms import CommentSearchForm
from analytics.selectors import MetricFilters
from infra.replica import replica_reads
from surveys.selectors.comments import Comment, comment_export, comment_list
from touchpoints.models import Stage

from .common import COMMENTS, FilterState, export_links, filter_state
from .rendering import render_dashboard

COMMENT_COLUMNS = (
    "submitted at",
    "survey",
    "touchpoint",
    "stage",
    "channel",
    "segment",
    "language",
    "NPS (0-10)",
    "CSAT (1-5)",
    "comment",
)


COMMENTS_TABLE_TITLE = pgettext_lazy("download table", "Comments")


def comment_filters(filters: MetricFilters) -> dict:
    """The dashboard filters as ``comment_list`` keywords (a journey map does not apply)."""
    return {
        "start": filters.start,
        "end": filters.end,
        "survey_id": filters.survey_id,
        "touchpoint_id": filters.touchpoint_id,
        "stage": filters.stage,
        "channel": filters.channel,
        "segment": filters.segment,
        "value_tier": filters.value_tier,
    }


def comment_cells(comment: Comment, stage_labels: dict[str, str]) -> tuple:
    return (
        comment.submitted_at,
        comment.survey,
        comment.touchpoint,
        stage_labels.get(comment.stage, comment.stage),
        comment.channel,
        comment.segment,
        comment.language,
        comment.nps,
        comment.csat,
        comment.text,
    )


def comments_tables(filters: MetricFilters, *, search: str) -> list[ExportTable]:
    labels = dict(Stage.choices)
    rows = comment_export(**comment_filters(filters), search=search)
    return [
        ExportTable(
            "comments", str(COMMENTS_TABLE_TITLE), COMMENT_COLUMNS, [comment_cells(c, labels) for c in rows]
        )
    ]


def _query(state: FilterState, search: str, page: int = 1) -> str:
    items = state.form.query_items()
    if search:
        items.append(("q", search))
    if page > 1:
        items.append(("page", str(page)))
    return urlencode(items)


@role_required(MANAGER)
@require_GET
@replica_reads()
def comments(request: HttpRequest) -> HttpResponse:
    state = filter_state(request, COMMENTS)
    search_form = CommentSearchForm(request.GET)
    search_valid = search_form.is_valid()

    def build(valid: FilterState) -> dict:
        search = search_form.cleaned_data.get("q") or ""
        number = search_form.cleaned_data.get("page") or 1
        page = comment_list(**comment_filters(valid.filters), search=search, page=number)
        exports = export_links(valid, [("comments", COMMENTS_TABLE_TITLE)], query=_query(valid, search))
        return {
            "comments": page,
            "search": search,
            "previous_url": f"?{_query(valid, search, number - 1)}" if page.has_previous else "",
            "next_url": f"?{_query(valid, search, number + 1)}" if page.has_next else "",
            "exports": exports,
        }

    return render_dashboard(
        request,
        state,
        "analytics/dashboards/comments.html",
        build,
        errors=[] if search_valid else search_form.error_messages(),
        extra={"search_form": search_form},
    )
