"""A map's re-assembly run: its page (a progress bar, polled by script, refreshed without) and the
state the page polls once a second."""

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from access.roles import MANAGER, role_required

from .. import selectors
from ..models import AssemblyRun, AssemblyRunStatus


def _run_or_404(map_id: int, run_id: int) -> AssemblyRun:
    try:
        return selectors.assembly_run_of_map(map_id=map_id, run_id=run_id)
    except AssemblyRun.DoesNotExist:
        raise Http404("No such re-assembly.") from None


def progress_text(run: AssemblyRun) -> str:
    """The customers done so far, in words: "1,200 of 5,000 customers" (the reader's number format)."""
    if run.status == AssemblyRunStatus.QUEUED and not run.total:
        return gettext("Waiting for a worker to start…")
    done = number_format(run.done, force_grouping=True)
    total = number_format(run.total, force_grouping=True)
    return ngettext("%(done)s of %(total)s customer", "%(done)s of %(total)s customers", run.total) % {
        "done": done,
        "total": total,
    }


def run_state(run: AssemblyRun) -> dict:
    """What the run page shows and its script polls, in the reader's language."""
    error = ""
    if run.status == AssemblyRunStatus.FAILED:
        error = gettext(
            "The re-assembly failed after %(attempts)s attempts. Save or publish the map to try again."
        )
        error %= {"attempts": run.attempts}
    elif run.error:
        error = gettext("An attempt failed; it is tried again where it stopped.")
    return {
        "id": run.id,
        "status": run.status,
        "status_label": run.get_status_display(),
        "done": run.done,
        "total": run.total,
        "percent": run.percent if run.status != AssemblyRunStatus.QUEUED or run.total else 0,
        "progress_text": progress_text(run),
        "finished": run.status in (AssemblyRunStatus.DONE, AssemblyRunStatus.FAILED),
        "error": error,
        "map_url": reverse("journey-map-edit", args=[run.journey_map_id]),
    }


@role_required(MANAGER)
@require_GET
def assembly_run_page(request: HttpRequest, map_id: int, run_id: int) -> HttpResponse:
    run = _run_or_404(map_id, run_id)
    context = {"run": run, "journey_map": run.journey_map, "state": run_state(run)}
    return render(request, "journeys/run.html", context)


@role_required(MANAGER)
@require_GET
def assembly_run_state(request: HttpRequest, map_id: int, run_id: int) -> JsonResponse:
    response = JsonResponse(run_state(_run_or_404(map_id, run_id)))
    response["Cache-Control"] = "private, no-store"
    return response
