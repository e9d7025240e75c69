"""The journey-map editor: CX managers list maps, create one, edit its steps, rules and floors,
preview what its rules would have matched, publish and withdraw it.

Thin views: each validates its input (``journeys.forms``), calls one service of
``journeys.services`` or one selector, and renders or redirects. Every change is a POST; a refused
change comes back as a form error or, for the page's buttons, as a message. A change that
re-assembles journeys redirects to the run's page, which shows its progress.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from access.roles import MANAGER, role_required

from .. import selectors, services
from ..forms import JourneyMapCreateForm, MapEditor
from ..models import AssemblyRunStatus, JourneyMap


def _edit_page(map_id: int) -> str:
    return reverse("journey-map-edit", args=[map_id])


def _run_page(run) -> str:
    return reverse("journey-map-run", args=[run.journey_map_id, run.id])


def _map_or_404(map_id: int) -> JourneyMap:
    try:
        return selectors.journey_map_for_editor(map_id=map_id)
    except JourneyMap.DoesNotExist:
        raise Http404("No such journey map.") from None


def _editor(request: HttpRequest, journey_map: JourneyMap) -> MapEditor:
    catalogue = selectors.touchpoint_catalogue(including=[step.touchpoint for step in journey_map.step_list])
    data = request.POST if request.method == "POST" else None
    return MapEditor(journey_map=journey_map, catalogue=catalogue, data=data)


def _refusal_messages(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@role_required(MANAGER)
@require_GET
def journey_map_list(request: HttpRequest) -> HttpResponse:
    maps = selectors.journey_maps_for_editor()
    running = (AssemblyRunStatus.QUEUED, AssemblyRunStatus.RUNNING)
    return render(request, "journeys/map_list.html", {"maps": maps, "running": running})


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def journey_map_create(request: HttpRequest) -> HttpResponse:
    form = JourneyMapCreateForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            journey_map = services.journey_map_create(**form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            message = gettext("Journey map “%(name)s” created as a draft. Now add its steps.")
            messages.success(request, message % {"name": journey_map.name})
            return redirect(_edit_page(journey_map.id))
    return render(request, "journeys/map_create.html", {"form": form})


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def journey_map_edit(request: HttpRequest, map_id: int) -> HttpResponse:
    """GET shows the saved map; a POST saves it, previews it, or (without script) makes one change
    to the working copy and shows it unsaved."""
    journey_map = _map_or_404(map_id)
    editor = _editor(request, journey_map)
    preview = None
    if editor.action == "save" and editor.is_valid():
        try:
            saved = services.journey_map_update(
                journey_map=journey_map, **editor.service_kwargs(), user=request.user
            )
        except ValidationError as error:
            editor.add_service_error(error)
        else:
            if saved.run is not None:
                messages.success(
                    request, gettext("Saved. The map's journeys are re-assembled by its new rules.")
                )
                return redirect(_run_page(saved.run))
            messages.success(request, gettext("Journey map saved."))
            return redirect(_edit_page(journey_map.id))
    elif editor.action == "preview" and editor.is_valid():
        preview = selectors.journey_map_preview(**editor.preview_kwargs())
    return render(request, "journeys/map_edit.html", _edit_context(journey_map, editor, preview))


def _edit_context(journey_map: JourneyMap, editor: MapEditor, preview) -> dict:
    run = journey_map.latest_run
    running = run is not None and run.status in (AssemblyRunStatus.QUEUED, AssemblyRunStatus.RUNNING)
    # Rendered after a "save" post only when it was refused.
    refused = editor.action == "save"
    return {
        "form_error": gettext("The map was not saved: correct what is marked below.") if refused else "",
        "journey_map": journey_map,
        "editor": editor,
        "form": editor.form,
        "steps": editor.steps,
        "preview": preview,
        "preview_days": selectors.PREVIEW_DAYS,
        "running_run": run if running else None,
    }


@role_required(MANAGER)
@require_POST
def journey_map_preview(request: HttpRequest, map_id: int) -> HttpResponse:
    """The preview panel alone, for the editor's script: what the posted (unsaved) rules would have
    matched. Changes nothing; 400 with the errors when the post is not a valid map."""
    journey_map = _map_or_404(map_id)
    editor = _editor(request, journey_map)
    if editor.action != "preview" or not editor.is_valid():
        context = {"editor": editor, "preview": None, "preview_days": selectors.PREVIEW_DAYS}
        return render(request, "journeys/_preview.html", context, status=400)
    preview = selectors.journey_map_preview(**editor.preview_kwargs())
    context = {"editor": editor, "preview": preview, "preview_days": selectors.PREVIEW_DAYS}
    return render(request, "journeys/_preview.html", context)


@role_required(MANAGER)
@require_POST
def journey_map_publish(request: HttpRequest, map_id: int) -> HttpResponse:
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    try:
        run = services.journey_map_publish(journey_map=journey_map, user=request.user)
    except ValidationError as error:
        messages.error(request, gettext("The journey map cannot be published yet:"))
        _refusal_messages(request, error)
        return redirect(_edit_page(journey_map.id))
    message = gettext(
        "Published: new interactions now make journeys of this map, and its journeys are "
        "assembled from every customer's history."
    )
    messages.success(request, message)
    return redirect(_run_page(run))


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def journey_map_withdraw(request: HttpRequest, map_id: int) -> HttpResponse:
    """GET asks for confirmation; POST takes the map back to draft."""
    journey_map = get_object_or_404(JourneyMap, pk=map_id)
    if request.method == "GET":
        if journey_map.status != JourneyMap.Status.PUBLISHED:
            messages.info(request, gettext("The journey map is not published."))
            return redirect(_edit_page(journey_map.id))
        return render(request, "journeys/map_withdraw.html", {"journey_map": journey_map})
    try:
        run = services.journey_map_withdraw(journey_map=journey_map, user=request.user)
    except ValidationError as error:
        _refusal_messages(request, error)
        return redirect(_edit_page(journey_map.id))
    messages.success(
        request,
        gettext("Withdrawn: the map is a draft again, and the journeys it assembled are being removed."),
    )
    return redirect(_run_page(run))
