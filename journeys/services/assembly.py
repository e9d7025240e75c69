"""Assembling journeys from the interaction stream: marks, the batch that re-makes a customer's
assembled journeys, and the timeout sweep.

A write of interactions (agent form, API, CSV import) calls the ledger's hooks; the receivers
(``journeys.receivers``) mark the customers in the same transaction (``assembly_mark``) and ask for
``journeys.tasks.journeys_assemble_pending`` on commit; beat runs it every minute too, so a lost
task delays assembly, never loses it. The task consumes the marks and calls ``journeys_assemble``,
which re-makes each customer's assembled journeys from the earliest moment the change can reach
(``assembly.window_start``) with the pure rules of ``journeys.assembly``, and writes only the
difference: journeys keep their id as long as the interaction that started them does, so a replay
writes nothing. Explicit journeys (``Journey.Origin.EXPLICIT``) and their interactions are never
touched.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from infra.tasks import enqueue_on_commit
from journeys import assembly
from journeys.hooks import journeys_changed
from journeys.models import AssemblyMark, Journey, JourneyMap, JourneyMapStep, JourneyOrigin, JourneyStatus
from touchpoints.models import Customer, Interaction
from touchpoints.services import interactions_journeys_assign
from touchpoints.services.sql import update_by_id

from .events import journey_events_publish

BATCH_CUSTOMERS = 500  # customers re-assembled in one transaction
_FIELDS = ("started_at", "ended_at", "status", "last_activity_at", "furthest_step")


def assembly_mark(since_by_customer: Mapping[int, datetime | None]) -> int:
    """Mark customers for re-assembly from a moment on (None: their whole history), in the caller's
    transaction, and ask for assembly once it commits. Returns how many marks."""
    if not since_by_customer:
        return 0
    AssemblyMark.objects.bulk_create(
        [
            AssemblyMark(customer_id=customer_id, since=since)
            for customer_id, since in since_by_customer.items()
        ]
    )
    enqueue_on_commit("journeys.tasks.journeys_assemble_pending")
    return len(since_by_customer)


def assembly_mark_interactions(rows: Collection[tuple[int, datetime, str, str | None]]) -> int:
    """Mark the customers of these interactions, given as (customer id, occurred_at, journey_ref,
    journey origin), from their earliest one (one statement). Interactions naming a journey, or on
    an explicit one, need no assembly."""
    since: dict[int, datetime] = {}
    for customer_id, occurred_at, ref, origin in rows:
        if not ref and origin != JourneyOrigin.EXPLICIT:
            since[customer_id] = min(occurred_at, since.get(customer_id, occurred_at))
    return assembly_mark(since)


def rules_of_maps() -> tuple[list[assembly.MapRules], dict[int, JourneyMap]]:
    """The rules of every map that assembles (published and active), and every map by id (their
    timeouts decide the window of journeys of maps that no longer assemble). Two queries."""
    maps = {journey_map.id: journey_map for journey_map in JourneyMap.objects.all()}
    steps: dict[int, list[tuple[int, int, bool, bool]]] = {}
    for step in JourneyMapStep.objects.filter(journey_map__in=[m for m in maps.values() if m.assembles]):
        steps.setdefault(step.journey_map_id, []).append(
            (step.touchpoint_id, step.position, step.starts, step.ends)
        )
    rules = [
        assembly.MapRules.of(
            id=map_id,
            steps=map_steps,
            timeout=maps[map_id].timeout,
            concurrent=maps[map_id].concurrent,
            include_outside=maps[map_id].include_outside,
        )
        for map_id, map_steps in sorted(steps.items())
    ]
    return rules, maps


@dataclass
class AssemblyResult:
    """What one ``journeys_assemble`` call wrote."""

    customers: int = 0
    interactions: int = 0  # offered to the rules
    created: int = 0
    updated: int = 0
    deleted: int = 0
    moved: int = 0  # interactions put on another journey (or off one)
    ended: dict[str, list[int]] = field(default_factory=dict)  # status → journeys that just ended

    def add(self, other: "AssemblyResult") -> None:
        for name in ("customers", "interactions", "created", "updated", "deleted", "moved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for status, ids in other.ended.items():
            self.ended.setdefault(status, []).extend(ids)


def _close(journey: dict, maps: Mapping[int, JourneyMap]) -> datetime | None:
    """When an existing assembled journey stops being open (``assembly.Span.close``)."""
    if journey["status"] == JourneyStatus.COMPLETED:
        return journey["ended_at"]
    last = journey["last_activity_at"] or journey["started_at"]
    journey_map = maps.get(journey["journey_map_id"])
    return last + journey_map.timeout if journey_map else last


def _lock_customers(customer_ids: list[int]) -> list[int]:
    """Lock the customers (in id order: no deadlock between two batches); those that still exist."""
    customers = Customer.objects.filter(id__in=customer_ids).order_by("id")
    if connection.features.has_select_for_update:
        customers = customers.select_for_update(no_key=True)
    return list(customers.values_list("id", flat=True))


@transaction.atomic
def journeys_assemble(
    since_by_customer: Mapping[int, datetime | None],
    *,
    now: datetime | None = None,
    publish_events: bool = True,
) -> AssemblyResult:
    """Re-make the assembled journeys of these customers, each from its own moment on (None: the
    whole history), in one transaction; see the module docstring. ``publish_events=False`` sends no
    ``journey.completed``/``abandoned`` webhook (a seeded history is no news to a connected system)."""
    now = now or timezone.now()
    rules, maps = rules_of_maps()
    customer_ids = _lock_customers(sorted(since_by_customer))
    existing: dict[int, list[dict]] = {customer_id: [] for customer_id in customer_ids}
    stored = Journey.objects.filter(customer_id__in=customer_ids, origin=JourneyOrigin.ASSEMBLED)
    if connection.features.has_select_for_update:  # the timeout sweep skips them meanwhile
        stored = stored.select_for_update(no_key=True)
    for journey in stored.values("id", "customer_id", "journey_map_id", "assembly_key", *_FIELDS):
        existing[journey["customer_id"]].append(journey)
    windows = {
        customer_id: assembly.window_start(
            since_by_customer[customer_id],
            [assembly.Span(j["started_at"], _close(j, maps)) for j in existing[customer_id]],
        )
        for customer_id in customer_ids
    }
    moments = _moments(windows)
    result = AssemblyResult(customers=len(customer_ids))
    plan = _Plan()
    for customer_id in customer_ids:
        window = windows[customer_id]
        offered = moments.get(customer_id, [])
        result.interactions += len(offered)
        made = assembly.assemble(
            [assembly.Moment(m["id"], m["touchpoint_id"], m["occurred_at"]) for m in offered], rules, now
        )
        in_window = [j for j in existing[customer_id] if window is None or j["started_at"] >= window]
        plan.customer(customer_id, made, in_window, offered)
    plan.write(result, publish_events=publish_events)
    return result


def _moments(windows: Mapping[int, datetime | None]) -> dict[int, list[dict]]:
    """Each customer's interactions from its window on that assembly may place: not carrying a
    journey reference, not on an explicit journey. Two queries."""
    if not windows:
        return {}
    bounded = [when for when in windows.values() if when is not None]
    customers = list(windows)
    scope = Interaction.objects.filter(customer_id__in=customers, journey_ref="")
    # An explicit journey holds only its own customer's interactions: these customers' (by the
    # customer index, usually none) are looked up first, which spares joining every journey there is.
    explicit = Journey.objects.filter(customer_id__in=customers, origin=JourneyOrigin.EXPLICIT)
    explicit_ids = list(explicit.values_list("id", flat=True))
    if explicit_ids:
        scope = scope.exclude(journey_id__in=explicit_ids)
    if len(bounded) == len(windows):
        scope = scope.filter(occurred_at__gte=min(bounded))
    by_customer: dict[int, list[dict]] = {}
    for row in scope.values("id", "customer_id", "touchpoint_id", "occurred_at", "journey_id").order_by(
        "customer_id", "occurred_at", "id"
    ):
        window = windows[row["customer_id"]]
        if window is None or row["occurred_at"] >= window:
            by_customer.setdefault(row["customer_id"], []).append(row)
    return by_customer


class _Plan:
    """The difference between the journeys assembly made and those stored, and its writing."""

    def __init__(self):
        self.new: list[tuple[Journey, list[int]]] = []
        self.changed: list[Journey] = []
        self.members: dict[int, list[int]] = {}  # existing journey id → its interactions now
        self.deleted: list[int] = []
        self.current: dict[int, int | None] = {}  # interaction → its journey now
        self.ended: dict[str, list[int]] = {}
        self.touched: set[int] = set()

    def customer(self, customer_id: int, made: list, stored: list[dict], offered: list[dict]) -> None:
        by_key = {(j["journey_map_id"], j["assembly_key"]): j for j in stored}
        for moment in offered:
            self.current[moment["id"]] = moment["journey_id"]
        kept = set()
        for journey in made:
            values = {
                "started_at": journey.started_at,
                "ended_at": journey.ended_at,
                "status": journey.status,
                "last_activity_at": journey.last_at,
                "furthest_step": journey.furthest_step,
            }
            old = by_key.get((journey.map_id, journey.key))
            if old is None:
                row = Journey(
                    customer_id=customer_id,
                    journey_map_id=journey.map_id,
                    origin=JourneyOrigin.ASSEMBLED,
                    assembly_key=journey.key,
                    **values,
                )
                self.new.append((row, journey.interaction_ids))
                if journey.status != JourneyStatus.IN_PROGRESS:
                    self.ended.setdefault(journey.status, []).append(row)
                continue
            kept.add(old["id"])
            self.members[old["id"]] = journey.interaction_ids
            if any(old[name] != value for name, value in values.items()):
                self.changed.append(Journey(id=old["id"], **values))
                self.touched.add(old["id"])
                if journey.status != old["status"] and journey.status != JourneyStatus.IN_PROGRESS:
                    self.ended.setdefault(journey.status, []).append(old["id"])
        self.deleted += [j["id"] for j in stored if j["id"] not in kept]

    def write(self, result: AssemblyResult, *, publish_events: bool = True) -> None:
        now = timezone.now()
        for row, _ in self.new:
            row.created_at = row.updated_at = now
        Journey.objects.bulk_create([row for row, _ in self.new], batch_size=1000)
        for row, interaction_ids in self.new:
            self.members[row.id] = interaction_ids
        for row in self.changed:
            row.updated_at = now
        self._update_changed()
        wanted: dict[int, int | None] = dict.fromkeys(self.current)
        for journey_id, interaction_ids in self.members.items():
            wanted.update(dict.fromkeys(interaction_ids, journey_id))
        moves = {i: j for i, j in wanted.items() if self.current[i] != j}
        self.touched |= {j for j in moves.values() if j is not None}
        self.touched |= {self.current[i] for i in moves if self.current[i] is not None}
        self.touched |= {row.id for row, _ in self.new}
        interactions_journeys_assign(moves)
        if self.touched:  # before the deletes: the marks are dated by the journeys' start days
            journeys_changed(journey_ids=sorted(self.touched))
        if self.deleted:
            Journey.objects.filter(id__in=self.deleted, origin=JourneyOrigin.ASSEMBLED).delete()
        ended = {
            status: [j.id if isinstance(j, Journey) else j for j in journeys]
            for status, journeys in self.ended.items()
        }
        if publish_events:
            journey_events_publish(ended)
        result.add(
            AssemblyResult(
                created=len(self.new),
                updated=len(self.changed),
                deleted=len(self.deleted),
                moved=len(moves),
                ended=ended,
            )
        )

    def _update_changed(self) -> None:
        """The journeys whose figures changed, in one statement (``bulk_update`` builds a CASE per
        row and field: most of a batch's time when many journeys change)."""
        columns = [*_FIELDS, "updated_at"]
        rows = [(row.id, *(getattr(row, name) for name in columns)) for row in self.changed]
        if not update_by_id(Journey, columns, rows):
            Journey.objects.bulk_update(self.changed, columns, batch_size=1000)


def journeys_assemble_pending(*, batch: int = BATCH_CUSTOMERS, now: datetime | None = None) -> AssemblyResult:
    """Consume the assembly marks, a batch of customers at a time, each batch in its own
    transaction with its marks (a failed batch leaves its marks for the next run). Returns the
    total."""
    total = AssemblyResult()
    while True:
        with transaction.atomic():
            since = _marks_take(batch)
            if not since:
                return total
            total.add(journeys_assemble(since, now=now))


def _marks_take(batch: int) -> dict[int, datetime | None]:
    """Delete the marks of up to ``batch`` customers (skipping those another run holds); each
    customer's earliest ``since`` (None wins: the whole history)."""
    marks = AssemblyMark.objects.order_by("id")
    if connection.features.has_select_for_update_skip_locked:
        marks = marks.select_for_update(skip_locked=True)
    customers: list[int] = []
    for customer_id in marks.values_list("customer_id", flat=True)[: batch * 4]:
        if customer_id not in customers:
            customers.append(customer_id)
        if len(customers) == batch:
            break
    if not customers:
        return {}
    taken = AssemblyMark.objects.filter(customer_id__in=customers)
    if connection.features.has_select_for_update_skip_locked:
        taken = taken.select_for_update(skip_locked=True)
    since: dict[int, datetime | None] = {}
    ids = []
    for mark_id, customer_id, when in taken.values_list("id", "customer_id", "since"):
        ids.append(mark_id)
        if customer_id not in since:
            since[customer_id] = when
        elif since[customer_id] is not None:
            since[customer_id] = None if when is None else min(since[customer_id], when)
    AssemblyMark.objects.filter(id__in=ids).delete()
    return since


@transaction.atomic
def journeys_timeout_close(*, now: datetime | None = None, limit: int = 10_000) -> int:
    """Abandon the open assembled journeys whose last interaction is older than their map's
    timeout (ended at that interaction); returns how many. Beat runs it; it gives what assembly at
    ``now`` would give."""
    now = now or timezone.now()
    expired = Q()
    for journey_map in JourneyMap.objects.all():
        expired |= Q(journey_map_id=journey_map.id, last_activity_at__lt=now - journey_map.timeout)
    if not expired:
        return 0
    scope = Journey.objects.filter(expired, status=JourneyStatus.IN_PROGRESS, origin=JourneyOrigin.ASSEMBLED)
    if connection.features.has_select_for_update_skip_locked:
        scope = scope.select_for_update(skip_locked=True)
    rows = list(scope.order_by("id").values_list("id", "last_activity_at")[:limit])
    if not rows:
        return 0
    journeys = [
        Journey(id=journey_id, status=JourneyStatus.ABANDONED, ended_at=last, updated_at=now)
        for journey_id, last in rows
    ]
    Journey.objects.bulk_update(journeys, ["status", "ended_at", "updated_at"], batch_size=1000)
    ids = [journey.id for journey in journeys]
    journeys_changed(journey_ids=ids)
    journey_events_publish({JourneyStatus.ABANDONED: ids})
    return len(ids)
