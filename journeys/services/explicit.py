"""Journeys a connected system controls: start one (by its ``external_id``), attach interactions to
it, end it; and the journeys named by interactions' ``journey_ref`` (created when need be).

Explicit control wins over the maps' rules: a journey started, fed or ended here is *explicit*
(an assembled one becomes explicit when touched), assembly never moves its interactions, and the
customer's assembled journeys are re-made from the moment the moved interactions left them.

Each service owns its transaction, validates with the model's rules (``ValidationError`` by field,
nothing saved) and calls ``journeys_changed`` so the journey's peak–end score and the journey
rollups are recomputed. The interactions themselves belong to the ledger: attaching goes through
``touchpoints.services``.
"""

from collections.abc import Collection, Sequence
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max, Min
from django.utils import timezone
from django.utils.translation import gettext

from journeys.hooks import journeys_changed
from journeys.models import Journey, JourneyMap, JourneyMapStep, JourneyOrigin, JourneyStatus
from touchpoints.models import Customer, Interaction
from touchpoints.services import interactions_journeys_assign

from .assembly import assembly_mark, assembly_mark_interactions
from .events import journey_events_publish

ENDED = (JourneyStatus.COMPLETED, JourneyStatus.ABANDONED)


def journey_start(
    *,
    customer: Customer,
    journey_map: JourneyMap | None,
    started_at: datetime | None = None,
    external_id: str | None = None,
) -> Journey:
    """A new journey of ``customer`` along ``journey_map`` (None: unmapped), in progress, explicit."""
    journey, _ = journey_open(
        customer=customer, journey_map=journey_map, started_at=started_at, external_id=external_id
    )
    return journey


@transaction.atomic
def journey_open(
    *,
    customer: Customer,
    journey_map: JourneyMap | None,
    started_at: datetime | None = None,
    external_id: str | None = None,
) -> tuple[Journey, bool]:
    """``journey_start``, idempotent by ``external_id``: the journey already known by it (created:
    False) if it is the same customer's, else a ``ValidationError`` naming the field. Returns
    (journey, created); two concurrent calls with one id create one journey."""
    if external_id:
        journey = _by_external_id(external_id, customer)
        if journey is not None:
            return journey, False
    if journey_map is not None and not journey_map.active:
        raise ValidationError({"journey_map": gettext("This journey map is not active.")})
    started_at = started_at or timezone.now()
    journey = Journey(
        customer=customer,
        journey_map=journey_map,
        started_at=started_at,
        external_id=external_id or None,
        origin=JourneyOrigin.EXPLICIT,
        last_activity_at=started_at,
    )
    journey.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            journey.save()
    except IntegrityError:  # another call created it meanwhile
        existing = _by_external_id(external_id, customer) if external_id else None
        if existing is None:
            raise
        return existing, False
    journeys_changed(journey_ids=[journey.id])
    return journey, True


def _by_external_id(external_id: str, customer: Customer) -> Journey | None:
    journey = Journey.objects.filter(external_id=external_id).first()
    if journey is not None and journey.customer_id != customer.id:
        message = gettext("This external id belongs to another customer's journey.")
        raise ValidationError({"external_id": ValidationError(message, code="other_customer")})
    return journey


def _make_explicit(journey: Journey) -> None:
    """An assembled journey taken over by explicit control; its customer is re-assembled from its
    start (the interactions left to the rules may now make other journeys)."""
    if journey.origin == JourneyOrigin.ASSEMBLED:
        Journey.objects.filter(id=journey.id).update(origin=JourneyOrigin.EXPLICIT, assembly_key=None)
        journey.origin, journey.assembly_key = JourneyOrigin.EXPLICIT, None
        assembly_mark({journey.customer_id: journey.started_at})


def _progress_refresh(journey_ids: Collection[int]) -> None:
    """Set explicit journeys' start (never after their first interaction), last activity and
    furthest step from their interactions: two reads and one bulk update of those that changed."""
    ids = list(journey_ids)
    spans = {
        span["journey_id"]: span
        for span in Interaction.objects.filter(journey_id__in=ids)
        .values("journey_id")
        .annotate(first=Min("occurred_at"), last=Max("occurred_at"))
        .order_by()
    }
    furthest = dict(
        Interaction.objects.filter(
            journey_id__in=ids, touchpoint__map_steps__journey_map=F("journey__journey_map")
        )
        .values("journey_id")
        .annotate(furthest=Max("touchpoint__map_steps__position"))
        .values_list("journey_id", "furthest")
        .order_by()
    )
    changed = []
    for journey in Journey.objects.filter(id__in=list(spans)):
        span = spans[journey.id]
        progress = (min(journey.started_at, span["first"]), span["last"], furthest.get(journey.id))
        if progress == (journey.started_at, journey.last_activity_at, journey.furthest_step):
            continue  # a replayed interaction moves nothing: the journey is left as it was
        journey.started_at, journey.last_activity_at, journey.furthest_step = progress
        journey.updated_at = timezone.now()
        changed.append(journey)
    Journey.objects.bulk_update(changed, ["started_at", "last_activity_at", "furthest_step", "updated_at"])


def _attach(journey_of: dict[int, int]) -> set[int]:
    """Put interactions on journeys (interaction → journey); the journeys they left or joined."""
    current = dict(Interaction.objects.filter(id__in=list(journey_of)).values_list("id", "journey_id"))
    moves = {i: j for i, j in journey_of.items() if i in current and current[i] != j}
    left = {current[i] for i in moves if current[i] is not None}
    interactions_journeys_assign(moves)
    return left | set(moves.values())


@transaction.atomic
def journey_interactions_attach(*, journey: Journey, interaction_ids: Collection[int]) -> int:
    """Make these interactions steps of ``journey`` (moving them off any other journey); returns how
    many. Every one must be the journey's customer's: otherwise nothing moves."""
    ids = set(interaction_ids)
    rows = list(
        Interaction.objects.filter(id__in=list(ids), customer_id=journey.customer_id).values_list(
            "id", "occurred_at", "journey__origin"
        )
    )
    if len(rows) != len(ids):
        raise ValidationError(
            {"interactions": gettext("Only this customer's interactions can join the journey.")}
        )
    journey = Journey.objects.select_for_update().get(id=journey.id)
    _make_explicit(journey)
    changed = _attach(dict.fromkeys(ids, journey.id)) | {journey.id}
    left_assembled = [when for _, when, origin in rows if origin == JourneyOrigin.ASSEMBLED]
    if left_assembled:
        assembly_mark({journey.customer_id: min(left_assembled)})
    _progress_refresh([journey.id])
    journeys_changed(journey_ids=sorted(changed))
    return len(ids)


@transaction.atomic
def journey_end(*, journey: Journey, status: str, ended_at: datetime | None = None) -> Journey:
    """End ``journey`` as completed or abandoned at ``ended_at`` (default now, or the end it has when
    its status stays; not before its start), or re-open it (``in_progress``, ``ended_at`` cleared).
    A call that changes neither writes nothing."""
    if status not in JourneyStatus.values:
        message = gettext("A journey's status is one of: %(statuses)s.") % {
            "statuses": ", ".join(JourneyStatus.values)
        }
        raise ValidationError({"status": message})
    journey = Journey.objects.select_for_update().get(id=journey.id)
    was = journey.status
    if status == JourneyStatus.IN_PROGRESS:
        ended_at = None
    elif ended_at is None:  # the same end sent again keeps its time
        ended_at = journey.ended_at if status == was else timezone.now()
    if (status, ended_at) == (was, journey.ended_at):
        return journey  # nothing changes: a repeated call writes nothing
    if ended_at is not None and ended_at < journey.started_at:
        raise ValidationError({"ended_at": gettext("A journey cannot end before it started.")})
    _make_explicit(journey)
    journey.status, journey.ended_at = status, ended_at
    journey.full_clean()
    journey.save(update_fields=["status", "ended_at", "updated_at"])
    journeys_changed(journey_ids=[journey.id])
    if status != was and status in ENDED:
        journey_events_publish({status: [journey.id]})
    return journey


def _map_of_touchpoint(touchpoint_ids: Collection[int]) -> dict[int, int]:
    """For each touchpoint, the first assembling map (by id) that has it as a step."""
    maps: dict[int, int] = {}
    steps = JourneyMapStep.objects.filter(
        touchpoint_id__in=list(touchpoint_ids), journey_map__active=True, journey_map__status="published"
    ).order_by("journey_map_id")
    for touchpoint_id, map_id in steps.values_list("touchpoint_id", "journey_map_id"):
        maps.setdefault(touchpoint_id, map_id)
    return maps


def interactions_offer(interaction_ids: Collection[int]) -> None:
    """What journeys does with interactions just written, in the writer's transaction: those naming
    a journey join it (``journeys_of_references_attach``), the others' customers are marked for
    assembly. One read and one insert when no interaction names a journey."""
    if not interaction_ids:
        return
    rows = list(
        Interaction.objects.filter(id__in=list(interaction_ids))
        .order_by("occurred_at", "id")
        .values_list("id", "customer_id", "journey_ref", "occurred_at", "touchpoint_id", "journey__origin")
    )
    named = [row for row in rows if row[2]]
    if named:
        journeys_of_references_attach(named)
    assembly_mark_interactions([(customer, when, ref, origin) for _, customer, ref, when, _, origin in rows])


@transaction.atomic
def journeys_of_references_attach(rows: Sequence[tuple]) -> int:
    """Put interactions that carry a ``journey_ref``, given as (id, customer id, journey_ref,
    occurred_at, touchpoint id, journey origin) in time order, on the journey with that external
    id, created (explicit, on the first assembling map that has the earliest one's touchpoint, else
    unmapped) when there is none. A reference to another customer's journey is left unattached (the
    writers refuse it). Set-based; returns how many interactions it placed."""
    if not rows:
        return 0
    refs = {ref for _, _, ref, _, _, _ in rows}
    journeys = {j.external_id: j for j in Journey.objects.filter(external_id__in=refs).select_for_update()}
    first: dict[str, tuple] = {}
    for row in rows:
        first.setdefault(row[2], row)
    maps = _map_of_touchpoint({row[4] for row in first.values()})
    new = [
        Journey(
            customer_id=customer_id,
            external_id=ref,
            journey_map_id=maps.get(touchpoint_id),
            started_at=occurred_at,
            last_activity_at=occurred_at,
            origin=JourneyOrigin.EXPLICIT,
        )
        for ref, (_, customer_id, _, occurred_at, touchpoint_id, _) in first.items()
        if ref not in journeys
    ]
    for journey in Journey.objects.bulk_create(new):
        journeys[journey.external_id] = journey
    placed = {i: journeys[ref].id for i, c, ref, *_ in rows if journeys[ref].customer_id == c}
    for journey in {journeys[ref] for ref in refs if journeys[ref].customer_id in {r[1] for r in rows}}:
        _make_explicit(journey)
    changed = _attach(placed)
    left = {}
    for _, customer_id, _, occurred_at, _, origin in rows:
        if origin == JourneyOrigin.ASSEMBLED:
            left[customer_id] = min(occurred_at, left.get(customer_id, occurred_at))
    assembly_mark(left)
    _progress_refresh(set(placed.values()))
    journeys_changed(journey_ids=sorted(changed | set(placed.values())))
    return len(placed)
