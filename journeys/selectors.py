"""Reads of journeys: one customer's journeys with their peak–end summaries; and the journey-map
editor's reads: the maps, one map with its steps, the touchpoint catalogue, re-assembly runs, and
the preview of a map's rules over the last 90 days."""

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby
from operator import itemgetter

from django.db.models import Count, F, OuterRef, QuerySet, Subquery, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from touchpoints.models import Interaction, Touchpoint
from touchpoints.selectors import touchpoints_for_logging

from . import assembly
from .models import (
    AssemblyMark,
    AssemblyRun,
    Journey,
    JourneyMap,
    JourneyMapStatus,
    JourneyMapStep,
    JourneyOrigin,
    JourneyStatus,
)

# A customer page shows at most this many journeys; older ones stay in the API.
CUSTOMER_JOURNEYS_MAX = 100


def journeys_of_customer(*, customer_id: int, limit: int = CUSTOMER_JOURNEYS_MAX) -> list[Journey]:
    """The customer's journeys, latest start first, each with its map and its peak–end summary.

    ``journey.summary`` is the journey's ``analytics.JourneyScore`` (peak, end, peak–end, mean,
    gap, and the peak and end touchpoints: the journey's moments of truth), or None while the
    journey has no scored moment. One query.
    """
    journeys = list(
        Journey.objects.filter(customer_id=customer_id)
        .select_related("journey_map", "score", "score__peak_touchpoint", "score__end_touchpoint")
        .order_by("-started_at", "-id")[:limit]
    )
    for journey in journeys:
        try:
            journey.summary = journey.score
        except Journey.score.RelatedObjectDoesNotExist:
            journey.summary = None
    return journeys


def journeys_open_of_customer(*, customer_id: int) -> QuerySet[Journey]:
    """The customer's journeys still in progress, latest first: those a new interaction may join."""
    return (
        Journey.objects.filter(customer_id=customer_id, status=JourneyStatus.IN_PROGRESS)
        .select_related("journey_map")
        .order_by("-started_at", "-id")
    )


# --- the journey-map editor ---------------------------------------------------------------------

PREVIEW_DAYS = 90
PREVIEW_CUSTOMERS_MAX = 20_000  # customers a preview assembles; past it, a sample of this many


def journey_maps_for_editor() -> list[JourneyMap]:
    """Every map by name, each with ``step_count``, ``journey_count`` (all its journeys, assembled
    or explicit) and its latest re-assembly (``latest_run_id``, ``latest_run_status``). One query:
    the counts are subqueries, so a map's steps never multiply its journeys."""
    steps = (
        JourneyMapStep.objects.filter(journey_map=OuterRef("pk"))
        .order_by()
        .values("journey_map")
        .annotate(n=Count("*"))
        .values("n")
    )
    journeys = (
        Journey.objects.filter(journey_map=OuterRef("pk"))
        .order_by()
        .values("journey_map")
        .annotate(n=Count("*"))
        .values("n")
    )
    latest = AssemblyRun.objects.filter(journey_map=OuterRef("pk")).order_by("-created_at", "-id")
    return list(
        JourneyMap.objects.annotate(
            step_count=Coalesce(Subquery(steps), 0),
            journey_count=Coalesce(Subquery(journeys), 0),
            latest_run_id=Subquery(latest.values("id")[:1]),
            latest_run_status=Subquery(latest.values("status")[:1]),
        ).order_by("name", "id")
    )


def journey_map_for_editor(*, map_id: int) -> JourneyMap:
    """The map with ``step_list`` (its steps in order, each with its touchpoint) and
    ``latest_run`` (its latest re-assembly, or None). Three queries; ``JourneyMap.DoesNotExist``."""
    journey_map = JourneyMap.objects.get(id=map_id)
    journey_map.step_list = list(
        JourneyMapStep.objects.filter(journey_map=journey_map)
        .select_related("touchpoint")
        .order_by("position")
    )
    journey_map.latest_run = (
        AssemblyRun.objects.filter(journey_map=journey_map).order_by("-created_at", "-id").first()
    )
    return journey_map


def touchpoint_catalogue(*, including: Iterable[Touchpoint] = ()) -> list[Touchpoint]:
    """The touchpoints a map may take as steps: the active ones in journey order (pre-sale,
    purchase, post-sale; by name), and ``including`` (a map's own steps' touchpoints, which stay
    even once deactivated). One query."""
    catalogue = list(touchpoints_for_logging())
    known = {touchpoint.id for touchpoint in catalogue}
    catalogue += [touchpoint for touchpoint in including if touchpoint.id not in known]
    return catalogue


def assembly_run_of_map(*, map_id: int, run_id: int) -> AssemblyRun:
    """One re-assembly of the map, with the map; ``AssemblyRun.DoesNotExist`` if it is another's."""
    return AssemblyRun.objects.select_related("journey_map").get(id=run_id, journey_map_id=map_id)


@dataclass(frozen=True, slots=True)
class MapPreview:
    """What a map's rules would have made of the last ``days`` days: of the ``customers`` who had an
    interaction at one of its start touchpoints (a sample of ``customers_total`` when
    ``sampled``), how many it would have given a journey (``matched``), and those journeys by
    status at ``now``. Counts of customers and journeys."""

    days: int
    since: datetime
    customers: int
    customers_total: int
    matched: int
    journeys: int
    completed: int
    abandoned: int
    in_progress: int

    @property
    def sampled(self) -> bool:
        return self.customers_total > self.customers


def _preview_customers(starting: QuerySet[Interaction], cap: int) -> tuple[list[int], int]:
    """The first ``cap`` customers (by id) of these interactions, and how many there are in all
    (counted only when there are more)."""
    ids = starting.values_list("customer_id", flat=True)
    customers = list(ids.order_by("customer_id").distinct()[: cap + 1])
    if len(customers) <= cap:
        return customers, len(customers)
    return customers[:cap], ids.order_by().aggregate(n=Count("customer_id", distinct=True))["n"]


def _preview_walk(
    moments: QuerySet[Interaction] | None, rules: assembly.MapRules, now: datetime
) -> tuple[int, Counter]:
    """Assemble each customer's ``moments`` (streamed in customer order): the customers who got a
    journey, and the journeys by status."""
    if moments is None:
        return 0, Counter()
    rows = moments.order_by("customer_id", "occurred_at", "id").values_list(
        "customer_id", "id", "touchpoint_id", "occurred_at"
    )
    matched, statuses = 0, Counter()
    for _customer, offered in groupby(rows.iterator(chunk_size=5000), key=itemgetter(0)):
        moments_of_customer = [assembly.Moment(i, touchpoint, at) for _, i, touchpoint, at in offered]
        made = assembly.assemble(moments_of_customer, [rules], now)
        matched += bool(made)
        statuses.update(journey.status for journey in made)
    return matched, statuses


def journey_map_preview(
    *,
    map_id: int,
    steps: Sequence[tuple[int, int, bool, bool]],
    timeout_days: int,
    concurrent: bool,
    include_outside: bool,
    now: datetime | None = None,
    days: int = PREVIEW_DAYS,
    cap: int | None = None,
) -> MapPreview:
    """Assemble the last ``days`` days with these rules (``steps`` as (touchpoint id, position,
    starts, ends); this map alone, as if no other map were published) and count the result.

    Read set-based in two or three queries: the customers with an interaction at a start
    touchpoint since then (at most ``cap``, by default ``PREVIEW_CUSTOMERS_MAX``, by id; the total
    counted only when capped), and their interactions since then that assembly may place (no
    journey reference, on no explicit journey; outside the map's touchpoints only when the rules
    take them), walked customer by customer through ``journeys.assembly.assemble``.
    """
    now = now or timezone.now()
    cap = PREVIEW_CUSTOMERS_MAX if cap is None else cap
    since = now - timedelta(days=days)
    rules = assembly.MapRules.of(
        id=map_id,
        steps=steps,
        timeout=timedelta(days=timeout_days),
        concurrent=concurrent,
        include_outside=include_outside,
    )
    placeable = Interaction.objects.filter(
        occurred_at__gte=since, occurred_at__lte=now, journey_ref=""
    ).exclude(journey__origin=JourneyOrigin.EXPLICIT)
    customers, total = _preview_customers(placeable.filter(touchpoint_id__in=sorted(rules.starts)), cap)
    moments = placeable.filter(customer_id__in=customers)
    if not include_outside:
        moments = moments.filter(touchpoint_id__in=list(rules.positions))
    matched, statuses = _preview_walk(moments if customers else None, rules, now)
    return MapPreview(
        days=days,
        since=since,
        customers=len(customers),
        customers_total=total,
        matched=matched,
        journeys=sum(statuses.values()),
        completed=statuses[assembly.COMPLETED],
        abandoned=statuses[assembly.ABANDONED],
        in_progress=statuses[assembly.IN_PROGRESS],
    )


# --- the customer 360 (workspace) -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JourneyProgress:
    """Where one journey stands on its map, for the agent.

    ``step`` is the highest map position it reached (``Journey.furthest_step``; None while it
    reached none of its map's steps, or has no map) out of ``steps`` (its map's steps; 0 without a
    map), and ``step_touchpoint`` names the touchpoint at that position ("" without one).
    ``low_point`` is its lowest-scored moment so far: the interaction with the lowest experience
    score (0–10; the latest of equal lows), with its touchpoint; None while no moment is scored.
    """

    step: int | None
    steps: int
    step_touchpoint: str
    low_point: Interaction | None


def journeys_progress(*, journeys: Sequence[Journey]) -> dict[int, JourneyProgress]:
    """The progress of these journeys, by journey id. Two queries whatever their number (none for
    no journeys): their maps' steps, and each journey's lowest-scored interaction."""
    if not journeys:
        return {}
    map_ids = {journey.journey_map_id for journey in journeys if journey.journey_map_id}
    steps: dict[int, dict[int, str]] = {map_id: {} for map_id in map_ids}
    if map_ids:
        rows = JourneyMapStep.objects.filter(journey_map_id__in=map_ids).values_list(
            "journey_map_id", "position", "touchpoint__name"
        )
        for map_id, position, name in rows:
            steps[map_id][position] = name
    ranked = Interaction.objects.filter(
        journey_id__in=[journey.id for journey in journeys], experience_score__isnull=False
    ).annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("journey_id")],
            order_by=[F("experience_score").asc(), F("occurred_at").desc(), F("id").desc()],
        )
    )
    lows = {low.journey_id: low for low in ranked.filter(rank=1).select_related("touchpoint")}
    progress = {}
    for journey in journeys:
        positions = steps.get(journey.journey_map_id, {})
        step = journey.furthest_step if journey.furthest_step in positions else None
        progress[journey.id] = JourneyProgress(
            step=step,
            steps=len(positions),
            step_touchpoint=positions.get(step, ""),
            low_point=lows.get(journey.id),
        )
    return progress


def journey_reference_owner(*, external_id: str) -> int | None:
    """The customer (id) whose journey carries this external id, None when no journey does."""
    return Journey.objects.filter(external_id=external_id).values_list("customer_id", flat=True).first()


def journey_of_interaction(*, interaction_id: int) -> Journey | None:
    """The journey (with its map) an interaction is a step of, None while it is on none."""
    return Journey.objects.filter(interactions__id=interaction_id).select_related("journey_map").first()


def journey_assembly_pending(*, customer_id: int) -> bool:
    """Whether the customer's journeys are still to be assembled (a mark not yet consumed) while a
    map assembles: what they just logged joins its journey in a moment. Two small queries."""
    return (
        AssemblyMark.objects.filter(customer_id=customer_id).exists()
        and JourneyMap.objects.filter(active=True, status=JourneyMapStatus.PUBLISHED).exists()
    )
