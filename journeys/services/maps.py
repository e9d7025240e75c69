"""Writes of the journey-map editor: create a map, save its steps, assembly rules and its
touchpoints' floors in one go, publish it, withdraw it.

Every function takes keyword-only arguments, runs in one transaction and raises
``django.core.exceptions.ValidationError`` (keyed by field: ``name``, ``timeout_days``, ``steps``)
when the change is refused; nothing is written then, so a map is never half saved.

Publishing, and any change to a published map's steps or rules, starts a background re-assembly
(``assembly_run_start``): the journeys already assembled are re-made by the new rules. Withdrawing
a published map starts one too, which removes the journeys it assembled (explicit journeys stay).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from journeys.models import TIMEOUT_DAYS_MAX, AssemblyRun, JourneyMap, JourneyMapStatus, JourneyMapStep
from touchpoints.models import SCORE_MAX, SCORE_MIN, Touchpoint
from touchpoints.services import touchpoint_update

from .runs import assembly_run_start

STEPS_MAX = 60  # steps of one map: a designed path, not a catalogue


@dataclass(frozen=True, slots=True)
class StepSpec:
    """One step as the editor saves it. ``floor_score`` is the touchpoint's floor (0–10, None: no
    floor), which is the touchpoint's own: every map and dashboard that shows it shares it."""

    touchpoint_id: int
    position: int
    starts: bool = False
    ends: bool = False
    floor_score: float | None = None


@dataclass(frozen=True, slots=True)
class MapSaved:
    """What ``journey_map_update`` did: ``assembly_changed`` when steps or rules changed, ``run`` the
    re-assembly it started (None: the map does not assemble, or nothing it assembles by changed)."""

    journey_map: JourneyMap
    assembly_changed: bool
    floors_changed: int
    run: AssemblyRun | None


def _lock(journey_map: JourneyMap) -> JourneyMap:
    return JourneyMap.objects.select_for_update().get(id=journey_map.id)


def _clean_name(name: str, *, map_id: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": gettext("Give the journey map a name.")})
    max_length = JourneyMap._meta.get_field("name").max_length
    if len(name) > max_length:
        message = gettext("Keep the name to %(max)s characters.") % {"max": max_length}
        raise ValidationError({"name": message})
    if JourneyMap.objects.filter(name=name).exclude(id=map_id).exists():
        raise ValidationError({"name": gettext("Another journey map already has this name.")})
    return name


def _save_named(journey_map: JourneyMap, **options) -> None:
    """Save; two managers naming two maps alike at the same moment get the form error, not a 500."""
    try:
        with transaction.atomic():
            journey_map.save(**options)
    except IntegrityError:
        raise ValidationError({"name": gettext("Another journey map already has this name.")}) from None


@transaction.atomic
def journey_map_create(*, name: str, description: str = "") -> JourneyMap:
    """A new draft map without steps (the editor adds them); it assembles nothing until published."""
    journey_map = JourneyMap(name=_clean_name(name, map_id=None), description=(description or "").strip())
    _save_named(journey_map)
    return journey_map


def _check_steps(steps: Sequence[StepSpec], touchpoints: dict[int, Touchpoint]) -> None:
    """The rules a map's steps keep; a ``ValidationError`` on ``steps`` listing every breach."""
    problems: list[str] = []
    if not steps:
        problems.append(gettext("A journey map needs at least one step: add a touchpoint."))
    if len(steps) > STEPS_MAX:
        problems.append(gettext("A journey map has at most %(max)s steps.") % {"max": STEPS_MAX})
    seen: set[int] = set()
    for step in steps:
        touchpoint = touchpoints.get(step.touchpoint_id)
        if touchpoint is None:
            problems.append(gettext("There is no touchpoint %(id)s.") % {"id": step.touchpoint_id})
            continue
        if step.touchpoint_id in seen:
            message = gettext("“%(touchpoint)s” is in the map twice: a touchpoint can be one step only.")
            problems.append(message % {"touchpoint": touchpoint.name})
        seen.add(step.touchpoint_id)
        floor = step.floor_score
        if floor is not None and not (math.isfinite(floor) and SCORE_MIN <= floor <= SCORE_MAX):
            message = gettext("The floor of “%(touchpoint)s” must be between 0 and 10.")
            problems.append(message % {"touchpoint": touchpoint.name})
    if sorted(step.position for step in steps) != list(range(1, len(steps) + 1)):
        problems.append(gettext("Step positions must run 1, 2, 3… without gaps or repeats."))
    if problems:
        raise ValidationError({"steps": problems})


def _rules_shape(journey_map: JourneyMap) -> tuple:
    """The map's rules as assembly reads them (``services.assembly.rules_of_maps``)."""
    return (journey_map.timeout_days, journey_map.concurrent, journey_map.include_outside)


def _steps_shape(steps) -> tuple:
    return tuple(sorted((step.touchpoint_id, step.position, step.starts, step.ends) for step in steps))


@transaction.atomic
def journey_map_update(
    *,
    journey_map: JourneyMap,
    name: str,
    description: str,
    timeout_days: int,
    concurrent: bool,
    include_outside: bool,
    steps: Sequence[StepSpec],
    user=None,
) -> MapSaved:
    """Save the editor's whole map at once: details, rules, steps in order (replacing the old ones)
    and the floors of its touchpoints (through ``touchpoint_update``, which marks the figures they
    enter stale). Starts a re-assembly when the map assembles and its steps or rules changed."""
    journey_map = _lock(journey_map)
    name = _clean_name(name, map_id=journey_map.id)
    if not (isinstance(timeout_days, int) and 1 <= timeout_days <= TIMEOUT_DAYS_MAX):
        message = gettext("The inactivity timeout is between 1 and %(max)s days.") % {"max": TIMEOUT_DAYS_MAX}
        raise ValidationError({"timeout_days": message})
    steps = sorted(steps, key=lambda step: step.position)
    touchpoints = Touchpoint.objects.in_bulk([step.touchpoint_id for step in steps])
    _check_steps(steps, touchpoints)

    old_steps = list(JourneyMapStep.objects.filter(journey_map=journey_map).order_by("position"))
    rules_before = _rules_shape(journey_map)
    journey_map.name, journey_map.description = name, (description or "").strip()
    journey_map.timeout_days, journey_map.concurrent = timeout_days, bool(concurrent)
    journey_map.include_outside = bool(include_outside)
    _save_named(journey_map)

    new_steps = [
        JourneyMapStep(
            journey_map=journey_map,
            touchpoint_id=step.touchpoint_id,
            position=step.position,
            starts=bool(step.starts),
            ends=bool(step.ends),
        )
        for step in steps
    ]
    steps_changed = _steps_shape(old_steps) != _steps_shape(new_steps)
    assembly_changed = steps_changed or rules_before != _rules_shape(journey_map)
    if steps_changed:
        # Replaced, not moved: positions and touchpoints are unique per map, and nothing refers
        # to a step by its id.
        JourneyMapStep.objects.filter(journey_map=journey_map).delete()
        JourneyMapStep.objects.bulk_create(new_steps)

    floors_changed = 0
    for step in steps:
        touchpoint = touchpoints[step.touchpoint_id]
        if touchpoint.floor_score != step.floor_score:
            touchpoint_update(touchpoint=touchpoint, data={"floor_score": step.floor_score})
            floors_changed += 1

    run = None
    if assembly_changed and journey_map.assembles:
        run = assembly_run_start(journey_map=journey_map, user=user)
    return MapSaved(journey_map, assembly_changed, floors_changed, run)


@transaction.atomic
def journey_map_publish(*, journey_map: JourneyMap, user=None) -> AssemblyRun:
    """Publish the map (and make it active): from now on it assembles journeys from new
    interactions, and a background run assembles them from every customer's history."""
    journey_map = _lock(journey_map)
    if journey_map.assembles:
        raise ValidationError(gettext("The journey map is already published."))
    if not JourneyMapStep.objects.filter(journey_map=journey_map).exists():
        raise ValidationError({"steps": gettext("Add at least one step before publishing the map.")})
    journey_map.status, journey_map.active = JourneyMapStatus.PUBLISHED, True
    journey_map.published_at = timezone.now()
    journey_map.save(update_fields=["status", "active", "published_at", "updated_at"])
    return assembly_run_start(journey_map=journey_map, user=user)


@transaction.atomic
def journey_map_withdraw(*, journey_map: JourneyMap, user=None) -> AssemblyRun:
    """Take the map back to draft: it assembles nothing more, and a background run removes the
    journeys it assembled (journeys a connected system created stay)."""
    journey_map = _lock(journey_map)
    if journey_map.status != JourneyMapStatus.PUBLISHED:
        raise ValidationError(gettext("The journey map is not published."))
    journey_map.status = JourneyMapStatus.DRAFT
    journey_map.save(update_fields=["status", "updated_at"])
    return assembly_run_start(journey_map=journey_map, user=user)
