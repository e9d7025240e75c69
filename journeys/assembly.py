"""How a customer's interactions become journeys: the assembly rules, as a pure function.

``assemble(moments, maps, now)`` walks one customer's interactions in time order (ties: the
later-recorded last) and returns the journeys they make along the published maps. It reads no
database, so the same interactions and rules always give the same journeys: replaying an
interaction, or a whole day of them, changes nothing (``journeys.services.assembly`` stores the
result and keeps journeys' ids by the interaction that started them).

The rules of one map (``MapRules``):

- An interaction at a *start* touchpoint starts a journey; if the customer already has one open
  on the map and the map allows only one at a time, it joins that one instead.
- An interaction at another step of the map joins an open journey of the map: with several open,
  the earliest-started one that has not yet reached that step, else the latest-started one. With
  none open it starts nothing.
- An interaction at an *end* touchpoint completes the journey it joined (``ended_at`` = its time).
- An interaction at a touchpoint outside the map joins the latest-started open journey of the
  first map, by id, that includes outside touchpoints, if no map took it as a step.
- An open journey whose last interaction is more than ``timeout`` before the next interaction
  offered, or before ``now``, is abandoned, ended at its last interaction.
- One interaction joins at most one journey: maps are offered it in id order, the first to take
  it as a step wins, and only then may a map take it as an outside touchpoint.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

IN_PROGRESS, COMPLETED, ABANDONED = "in_progress", "completed", "abandoned"


@dataclass(frozen=True, slots=True)
class MapRules:
    """A published map as assembly sees it: its steps (touchpoint id → 1-based position)."""

    id: int
    positions: dict[int, int]
    starts: frozenset[int]
    ends: frozenset[int]
    timeout: timedelta
    concurrent: bool = False
    include_outside: bool = False

    @classmethod
    def of(
        cls,
        *,
        id: int,
        steps: Sequence[tuple[int, int, bool, bool]],
        timeout: timedelta,
        concurrent: bool = False,
        include_outside: bool = False,
    ) -> "MapRules":
        """From ``steps`` as (touchpoint id, position, starts, ends): with no step marked as a
        start the first step starts journeys, with none marked as an end the last one ends them."""
        ordered = sorted(steps, key=lambda step: step[1])
        positions = {touchpoint: position for touchpoint, position, _, _ in ordered}
        starts = frozenset(touchpoint for touchpoint, _, start, _ in ordered if start)
        ends = frozenset(touchpoint for touchpoint, _, _, end in ordered if end)
        if ordered and not starts:
            starts = frozenset([ordered[0][0]])
        if ordered and not ends:
            ends = frozenset([ordered[-1][0]])
        return cls(id, positions, starts, ends, timeout, concurrent, include_outside)


@dataclass(frozen=True, slots=True)
class Moment:
    """One interaction offered to assembly."""

    id: int
    touchpoint_id: int
    occurred_at: datetime


@dataclass(slots=True)
class AssembledJourney:
    """One journey assembly made: ``key`` is the interaction that started it."""

    map_id: int
    key: int
    started_at: datetime
    last_at: datetime
    interaction_ids: list[int] = field(default_factory=list)
    reached: set[int] = field(default_factory=set)
    status: str = IN_PROGRESS
    ended_at: datetime | None = None

    @property
    def furthest_step(self) -> int | None:
        return max(self.reached) if self.reached else None

    def join(self, moment: Moment, position: int | None) -> None:
        self.interaction_ids.append(moment.id)
        self.last_at = moment.occurred_at
        if position is not None:
            self.reached.add(position)


def _timed_out(journey: AssembledJourney, rules: MapRules, at: datetime) -> bool:
    return at - journey.last_at > rules.timeout


class _Walk:
    """The state of one customer's walk: the journeys made so far and those still open."""

    def __init__(self, maps: Iterable[MapRules]):
        self.maps = sorted(maps, key=lambda rules: rules.id)
        self.made: list[AssembledJourney] = []
        self.open: dict[int, list[AssembledJourney]] = {rules.id: [] for rules in self.maps}

    def close_timed_out(self, at: datetime) -> None:
        for rules in self.maps:
            still = []
            for journey in self.open[rules.id]:
                if _timed_out(journey, rules, at):
                    journey.status, journey.ended_at = ABANDONED, journey.last_at
                else:
                    still.append(journey)
            self.open[rules.id] = still

    def offer(self, moment: Moment) -> None:
        self.close_timed_out(moment.occurred_at)
        for rules in self.maps:
            if self._as_step(rules, moment):
                return
        for rules in self.maps:
            opened = self.open[rules.id]
            if rules.include_outside and opened and moment.touchpoint_id not in rules.positions:
                opened[-1].join(moment, None)
                return

    def _as_step(self, rules: MapRules, moment: Moment) -> bool:
        position = rules.positions.get(moment.touchpoint_id)
        if position is None:
            return False
        opened = self.open[rules.id]
        if moment.touchpoint_id in rules.starts and (rules.concurrent or not opened):
            journey = AssembledJourney(rules.id, moment.id, moment.occurred_at, moment.occurred_at)
            self.made.append(journey)
            opened.append(journey)
        elif opened:
            journey = next((j for j in opened if (j.furthest_step or 0) < position), opened[-1])
        else:
            return False
        journey.join(moment, position)
        if moment.touchpoint_id in rules.ends:
            journey.status, journey.ended_at = COMPLETED, moment.occurred_at
            opened.remove(journey)
        return True


def assemble(moments: Iterable[Moment], maps: Iterable[MapRules], now: datetime) -> list[AssembledJourney]:
    """The journeys one customer's ``moments`` make along ``maps`` (module docstring), by start.

    ``moments`` need not be sorted; they are walked by (occurred_at, id). Journeys still open are
    abandoned if their last interaction is more than their map's timeout before ``now``.
    """
    walk = _Walk(maps)
    for moment in sorted(moments, key=lambda m: (m.occurred_at, m.id)):
        walk.offer(moment)
    walk.close_timed_out(now)
    return sorted(walk.made, key=lambda journey: (journey.started_at, journey.key))


@dataclass(frozen=True, slots=True)
class Span:
    """An existing assembled journey, as far as choosing a re-assembly window needs: it is open from
    ``start`` up to ``close`` (None: still open)."""

    start: datetime
    close: datetime | None


def window_start(since: datetime | None, spans: Iterable[Span]) -> datetime | None:
    """Where re-assembly after a change at ``since`` must begin: ``since``, moved back to the start
    of every journey open at that moment, until no journey is open across it (None: the whole
    history). Journeys that started before it are left as they are: no interaction from it on can
    change them, so re-assembling from it gives what re-assembling everything would."""
    if since is None:
        return None
    spans = list(spans)
    start = since
    moved = True
    while moved:
        moved = False
        for span in spans:
            if span.start < start and (span.close is None or start <= span.close):
                start, moved = span.start, True
    return start
