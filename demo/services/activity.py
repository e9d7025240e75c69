"""One customer's simulated journeys and contacts: what happened, when, and how it felt.

Experience scores (0–10, 5 neutral) come from the touchpoint's quality, the
customer's mood and, at a measured touchpoint, how far the delivered value
missed or beat the promise — so a late parcel is both a long "Delivery time"
and a low score.
"""

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from journeys.models import Journey, JourneyMap
from touchpoints.models import Channel, Interaction, Stage, Touchpoint

from . import content_zh
from .catalogue import JOURNEY_MAPS, SPECS, STANDALONE, MapSpec, TouchpointSpec, category_name
from .people import CustomerDraft

JOURNEYS_PER_CUSTOMER = ((1, 0.5), (2, 0.33), (3, 0.17))
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


@dataclass
class Catalogue:
    """The inserted catalogue the simulation refers to."""

    touchpoints: dict[str, Touchpoint]
    maps: dict[str, JourneyMap]  # by their spec's (English) name
    agent: object  # the demo agent user, on phone and in-store contacts
    language: str = "en"  # the demo's: interaction categories and agents' notes are written in it


@dataclass
class CustomerActivity:
    draft: CustomerDraft
    journeys: list[Journey] = field(default_factory=list)
    # Each journey's interactions in time order, then the standalone contacts.
    journey_interactions: list[list[Interaction]] = field(default_factory=list)
    standalone: list[Interaction] = field(default_factory=list)

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


def _journey_steps(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    spec: MapSpec,
    started_at: datetime,
    *,
    now: datetime,
    next_id: Callable[[], str],
) -> tuple[list[Interaction], bool]:
    """The journey's interactions along ``spec`` (some steps skipped), and whether it is completed.

    A journey whose next step would fall after ``now`` stops there: the customer is still on the way.
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
            return steps, False
        steps.append(
            interaction_draft(
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
        )
    return steps, True


def _journey(
    rng: random.Random,
    catalogue: Catalogue,
    draft: CustomerDraft,
    *,
    start: datetime,
    now: datetime,
    next_id: Callable[[], str],
) -> tuple[Journey, list[Interaction]]:
    """One journey along a map drawn by its share, started between ``start`` and ``now``, with its steps."""
    spec = rng.choices(JOURNEY_MAPS, [m.share for m in JOURNEY_MAPS])[0]
    started_at = start + timedelta(seconds=rng.uniform(0, (now - start).total_seconds()))
    steps, completed = _journey_steps(rng, catalogue, draft, spec, started_at, now=now, next_id=next_id)
    journey = Journey(
        customer=draft.customer,
        journey_map=catalogue.maps[spec.name],
        started_at=started_at,
        ended_at=steps[-1].occurred_at if completed else None,
        status=Journey.Status.COMPLETED if completed else Journey.Status.IN_PROGRESS,
    )
    for interaction in steps:
        interaction.journey = journey
    return journey, steps


def customer_activity(
    rng: random.Random, catalogue: Catalogue, draft: CustomerDraft, *, start: datetime, now: datetime
) -> CustomerActivity:
    """The customer's journeys (each along one map, some steps skipped) and standalone contacts."""
    activity = CustomerActivity(draft)
    window = (now - start).total_seconds()
    serial = 0

    def next_id() -> str:
        nonlocal serial
        serial += 1
        return f"DEMO-{draft.customer.external_id}-{serial:03d}"

    for _ in range(_weighted(rng, JOURNEYS_PER_CUSTOMER)):
        journey, steps = _journey(rng, catalogue, draft, start=start, now=now, next_id=next_id)
        activity.journeys.append(journey)
        activity.journey_interactions.append(steps)

    for _ in range(_weighted(rng, STANDALONE_PER_CUSTOMER)):
        code = _weighted(rng, STANDALONE)
        at = start + timedelta(seconds=rng.uniform(0, window))
        activity.standalone.append(interaction_draft(rng, catalogue, draft, code, at, external_id=next_id()))
    return activity
