"""One customer's simulated journeys and contacts: what happened, when, and how it felt.

Experience scores (0–10, 5 neutral) come from the touchpoint's quality, the
customer's mood and, at a measured touchpoint, how far the delivered value
missed or beat the promise — so a late parcel is both a long "Delivery time"
and a low score.

The simulation writes contacts only. A journey walks its map's steps (skipping some) up to the
map's end step, then may bring after-care contacts; or the customer gives up before buying, most
often after a pre-sale contact that went badly, and the walk stops there. The journeys themselves
are assembled from the contacts by the maps' rules (``journeys.services.journeys_assemble``), so
a journey given up is abandoned once the map's timeout has passed. A customer's journeys follow
one another (the next starts once the previous one is over), so that each is assembled as the
simulation walked it; contacts outside the maps that fall inside an online purchase join it.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from journeys.models import JourneyMap
from touchpoints.models import Channel, Interaction, Stage, Touchpoint

from . import content_zh
from .catalogue import SPECS, STANDALONE, TouchpointSpec, category_name
from .journey_maps import JOURNEY_MAPS, MapSpec
from .people import CustomerDraft

JOURNEYS_PER_CUSTOMER = ((1, 0.4), (2, 0.35), (3, 0.25))
STANDALONE_PER_CUSTOMER = ((0, 0.4), (1, 0.35), (2, 0.17), (3, 0.08))
# Experience points per unit of log(promise ratio): a delivery twice as slow as
# promised costs about 1.4 points.
MEASURE_WEIGHT = 2.0
MOOD_WEIGHT = 0.6
AGENT_CHANNELS = (Channel.PHONE, Channel.IN_STORE)
AGENT_NOTES = {
    True: ("Customer happy with the outcome.", "Walked the customer through the options."),
    False: ("Customer frustrated; promised a call back.", "Escalated to the team lead."),
}
AGENT_NOTES_BY_LANGUAGE = {"en": AGENT_NOTES, "zh-hans": content_zh.AGENT_NOTES}
# Giving up before buying: after a pre-sale contact scored below GIVE_UP_BELOW the customer gives
# up with probability GIVE_UP_IF_BAD, after any other pre-sale contact with GIVE_UP_OTHERWISE.
GIVE_UP_BELOW = 5.5
GIVE_UP_IF_BAD = 0.4
GIVE_UP_OTHERWISE = 0.03
# Days between the end of one of a customer's journeys (its last contact, or its timeout for one
# given up) and the start of the next.
PAUSE_DAYS = (1.0, 30.0)
COMPLETED, GAVE_UP, ON_THE_WAY = "completed", "gave_up", "on_the_way"


@dataclass
class Catalogue:
    """The inserted catalogue the simulation refers to."""

    touchpoints: dict[str, Touchpoint]
    maps: dict[str, JourneyMap]  # by their spec's (English) name
    agent: object  # the demo agent user, on phone and in-store contacts
    language: str = "en"  # the demo's: interaction categories and agents' notes are written in it


@dataclass
class SimulatedJourney:
    """One journey as the simulation walked it: its contacts at the map's steps, in time order, and
    the after-care contacts that followed. ``outcome``: completed (it reached the map's end step),
    gave_up (the customer stopped before buying) or on_the_way (``now`` came before its next step)."""

    spec: MapSpec
    steps: list[Interaction]
    outcome: str
    after: list[Interaction] = field(default_factory=list)

    def over(self, timeout: timedelta, now: datetime) -> datetime:
        """When the journey stops being open: its last contact; for one given up, the timeout after
        it; for one on the way, ``now``."""
        if self.outcome == ON_THE_WAY:
            return now
        last = (self.after or self.steps)[-1].occurred_at
        return last + timeout if self.outcome == GAVE_UP else last


@dataclass
class CustomerActivity:
    draft: CustomerDraft
    journeys: list[SimulatedJourney] = field(default_factory=list)
    standalone: list[Interaction] = field(default_factory=list)

    @property
    def journey_interactions(self) -> list[list[Interaction]]:
        """Each journey's contacts in time order (its steps, then its after-care)."""
        return [journey.steps + journey.after for journey in self.journeys]

    @property
    def interactions(self) -> list[Interaction]:
        return [i for steps in self.journey_interactions for i in steps] + self.standalone


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights)[0]


def _measure(rng: random.Random, spec: TouchpointSpec) -> tuple[float | None, float | None, float]:
    """(promised, delivered, score shift) for a measured touchpoint; lower is better here."""
    if spec.measure is None:
        return None, None, 0.0
    delivered = rng.lognormvariate(math.log(spec.measure_typical), spec.measure_sigma)
    # Days are whole; minutes are read to the half minute.
    delivered = max(1.0, round(delivered)) if spec.measure[1] == "days" else round(delivered * 2) / 2
    ratio = spec.promised / max(delivered, 0.5)
    # Centred on the typical miss, so ``quality`` stays the touchpoint's mean score.
    shift = MEASURE_WEIGHT * (math.log(ratio) - math.log(spec.promised / spec.measure_typical))
    return float(spec.promised), delivered, shift


def _outcome(rng: random.Random, spec: TouchpointSpec, score: float) -> str:
    Outcome = Interaction.Outcome
    if spec.stage == Stage.PRE_SALE:
        return Outcome.INFORMED if rng.random() < 0.75 else Outcome.NOT_PURCHASED
    if spec.stage == Stage.MID_SALE:
        return {"payment": Outcome.RESOLVED, "order-confirmation": Outcome.INFORMED}.get(
            spec.code, Outcome.PURCHASED
        )
    if spec.code == "sms-notifications":
        return Outcome.INFORMED
    if score >= 6:
        return Outcome.RESOLVED
    if score >= 4:
        return Outcome.RESOLVED if rng.random() < 0.6 else Outcome.PENDING
    return Outcome.ESCALATED if rng.random() < 0.5 else Outcome.PENDING


def interaction_draft(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    code: str,
    occurred_at: datetime,
    *,
    external_id: str,
    promised: float | None = None,
    delivered: float | None = None,
    shift: float = 0.0,
) -> Interaction:
    spec = SPECS[code]
    if promised is None:
        promised, delivered, shift = _measure(rng, spec)
    raw = spec.quality + shift + MOOD_WEIGHT * draft.mood + rng.gauss(0, spec.spread)
    score = round(min(10.0, max(0.0, raw)), 1)
    by_agent = spec.channel in AGENT_CHANNELS
    if by_agent:
        source = Interaction.Source.AGENT if rng.random() < 0.85 else Interaction.Source.IMPORT
    else:
        source = Interaction.Source.API if rng.random() < 0.8 else Interaction.Source.IMPORT
    notes = ""
    if source == Interaction.Source.AGENT and rng.random() < 0.25:
        notes = rng.choice(AGENT_NOTES_BY_LANGUAGE[catalogue.language][score >= 5])
    return Interaction(
        # Agents' own logs have no id elsewhere; API and import rows carry the source's id.
        external_id=None if source == Interaction.Source.AGENT else external_id,
        customer=draft.customer,
        touchpoint=catalogue.touchpoints[code],
        channel=spec.channel,
        occurred_at=occurred_at,
        agent=catalogue.agent if by_agent else None,
        category=category_name(rng.choice(spec.categories), catalogue.language),
        outcome=_outcome(rng, spec, score),
        notes=notes,
        experience_score=score,
        expected_value=promised,
        actual_value=delivered,
        source=source,
    )


def _gives_up(rng: random.Random, interaction: Interaction) -> bool:
    """Whether the customer gives up after this pre-sale contact (``GIVE_UP_BELOW``)."""
    bad = interaction.experience_score < GIVE_UP_BELOW
    return rng.random() < (GIVE_UP_IF_BAD if bad else GIVE_UP_OTHERWISE)


def _journey_steps(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    spec: MapSpec,
    started_at: datetime,
    *,
    now: datetime,
    next_id: Callable[[], str],
) -> tuple[list[Interaction], str]:
    """The journey's interactions along ``spec`` (some steps skipped), and its outcome.

    A journey whose next step would fall after ``now`` stops there: the customer is still on the
    way. One the customer gives up after a pre-sale contact stops there too, that contact's
    outcome "not purchased".
    """
    at: datetime | None = None
    steps: list[Interaction] = []
    for step in spec.steps:
        if rng.random() < step.skip:
            continue
        promised, delivered, shift = _measure(rng, SPECS[step.code])
        if at is None:
            at = started_at
        else:
            gap = rng.uniform(*step.gap_hours)
            if step.code == "delivery":
                gap += 24 * delivered  # the parcel arrives when the measure says
            at += timedelta(hours=gap)
        if at > now:
            return steps, ON_THE_WAY
        interaction = interaction_draft(
            rng,
            catalogue,
            draft,
            step.code,
            at,
            external_id=next_id(),
            promised=promised,
            delivered=delivered,
            shift=shift,
        )
        steps.append(interaction)
        if SPECS[step.code].stage == Stage.PRE_SALE and _gives_up(rng, interaction):
            interaction.outcome = Interaction.Outcome.NOT_PURCHASED
            return steps, GAVE_UP
    return steps, COMPLETED


def _after_care(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    spec: MapSpec,
    at: datetime,
    *,
    now: datetime,
    next_id: Callable[[], str],
) -> list[Interaction]:
    """The after-care contacts following a journey completed at ``at`` (some skipped), up to ``now``."""
    contacts = []
    for step in spec.after:
        if rng.random() < step.skip:
            continue
        at += timedelta(hours=rng.uniform(*step.gap_hours))
        if at > now:
            break
        contacts.append(interaction_draft(rng, catalogue, draft, step.code, at, external_id=next_id()))
    return contacts


def _journey(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    spec: MapSpec,
    started_at: datetime,
    *,
    now: datetime,
    next_id: Callable[[], str],
) -> SimulatedJourney:
    """One journey along ``spec`` from ``started_at``: its steps, and after-care once completed."""
    steps, outcome = _journey_steps(rng, catalogue, draft, spec, started_at, now=now, next_id=next_id)
    journey = SimulatedJourney(spec, steps, outcome)
    if outcome == COMPLETED:
        journey.after = _after_care(
            rng, catalogue, draft, spec, steps[-1].occurred_at, now=now, next_id=next_id
        )
    return journey


def customer_activity(
    rng: random.Random, catalogue: Catalogue, draft: CustomerDraft, *, start: datetime, now: datetime
) -> CustomerActivity:
    """The customer's journeys (each along one map drawn by its share, one after the other) and
    their standalone contacts, between ``start`` and ``now``."""
    activity = CustomerActivity(draft)
    window = (now - start).total_seconds()
    serial = 0

    def next_id() -> str:
        nonlocal serial
        serial += 1
        return f"DEMO-{draft.customer.external_id}-{serial:03d}"

    planned = []
    for _ in range(_weighted(rng, JOURNEYS_PER_CUSTOMER)):
        spec = rng.choices(JOURNEY_MAPS, [m.share for m in JOURNEY_MAPS])[0]
        planned.append((start + timedelta(seconds=rng.uniform(0, window)), spec))
    free_from = start
    for started_at, spec in sorted(planned, key=lambda plan: plan[0]):
        started_at = max(started_at, free_from)
        if started_at > now:
            break
        journey = _journey(rng, catalogue, draft, spec, started_at, now=now, next_id=next_id)
        if not journey.steps:  # every step skipped (no map allows it; a guard all the same)
            continue
        activity.journeys.append(journey)
        pause = timedelta(days=rng.uniform(*PAUSE_DAYS))
        free_from = journey.over(timedelta(days=spec.timeout_days), now) + pause

    for _ in range(_weighted(rng, STANDALONE_PER_CUSTOMER)):
        code = _weighted(rng, STANDALONE)
        at = start + timedelta(seconds=rng.uniform(0, window))
        activity.standalone.append(interaction_draft(rng, catalogue, draft, code, at, external_id=next_id()))
    return activity
