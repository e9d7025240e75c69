"""The demo's two journey maps: their steps along the touchpoint catalogue, how the simulation walks
them (skips, gaps, after-care) and their assembly rules (which steps start and end a journey, the
inactivity timeout, whether contacts outside the map join). The maps are published: the demo's
journeys are not written by the simulation but assembled from its interactions by those rules, as
live ones are.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone

from journeys.models import JourneyMap, JourneyMapStatus, JourneyMapStep
from touchpoints.models import Touchpoint

from . import content_zh


@dataclass(frozen=True)
class MapStep:
    code: str
    skip: float = 0.0  # probability the customer skips this step
    gap_hours: tuple[float, float] = (0.1, 24.0)  # time since the previous step
    starts: bool = False  # the map's rule: a contact here starts a journey
    ends: bool = False  # the map's rule: a contact here completes the journey


@dataclass(frozen=True)
class MapSpec:
    """A journey map: its steps and rules, and how the simulation walks it.

    ``steps`` are the map's (in order); ``after`` the after-care contacts that may follow a
    completed journey, at touchpoints off the map (they join no journey: it has ended).
    """

    name: str
    description: str
    share: float  # share of journeys that follow this map
    steps: tuple[MapStep, ...] = field(default_factory=tuple)
    after: tuple[MapStep, ...] = field(default_factory=tuple)
    timeout_days: int = 30
    include_outside: bool = False


# The delivery step's gap is its delivered value (days), so the timeline and the
# measure agree; ``gap_hours`` there is only the dispatch delay.
JOURNEY_MAPS: tuple[MapSpec, ...] = (
    MapSpec(
        "Online purchase",
        "From an advert or a search to the parcel at the door; a support call on the way joins it.",
        0.58,
        (
            MapStep("web-ad", skip=0.45, starts=True),
            MapStep("website-browse", gap_hours=(0.05, 48), starts=True),
            MapStep("product-comparison", skip=0.5, gap_hours=(0.1, 72)),
            MapStep("presale-chat", skip=0.6, gap_hours=(0.05, 24)),
            MapStep("checkout-online", skip=0.08, gap_hours=(0.1, 96)),
            MapStep("payment", gap_hours=(0.01, 0.05)),
            MapStep("order-confirmation", gap_hours=(0.01, 0.1)),
            MapStep("delivery", gap_hours=(1, 6), ends=True),
        ),
        after=(
            MapStep("billing", skip=0.75, gap_hours=(24, 24 * 20)),
            MapStep("support-call", skip=0.5, gap_hours=(6, 24 * 25)),
        ),
        include_outside=True,
    ),
    MapSpec(
        "In-store purchase",
        "A call or a visit, the purchase at the till, and installation at home.",
        0.42,
        (
            MapStep("sales-call", skip=0.55, starts=True),
            MapStep("store-visit", gap_hours=(2, 24 * 7), starts=True),
            MapStep("instore-purchase", skip=0.08, gap_hours=(0.1, 24 * 5)),
            MapStep("payment", gap_hours=(0.01, 0.05)),
            MapStep("installation", gap_hours=(24, 24 * 6), ends=True),
        ),
        after=(
            MapStep("billing", skip=0.7, gap_hours=(24, 24 * 20)),
            MapStep("loyalty-programme", skip=0.55, gap_hours=(24, 24 * 30)),
        ),
    ),
)


def journey_map_words(spec: MapSpec, language: str) -> tuple[str, str]:
    """The journey map's (name, description) in the demo's ``language``."""
    return content_zh.JOURNEY_MAPS[spec.name] if language == "zh-hans" else (spec.name, spec.description)


def _journey_map(spec: MapSpec, language: str, published_at: datetime | None) -> JourneyMap:
    name, description = journey_map_words(spec, language)
    return JourneyMap(
        name=name,
        description=description,
        status=JourneyMapStatus.PUBLISHED,
        published_at=published_at or timezone.now(),
        timeout_days=spec.timeout_days,
        include_outside=spec.include_outside,
    )


def journey_maps_create(
    touchpoints: dict[str, Touchpoint], language: str, *, published_at: datetime | None = None
) -> dict[str, JourneyMap]:
    """Insert the journey maps with their ordered steps (``touchpoints`` by code) and assembly rules,
    named in ``language`` and published (at ``published_at``, default now), so that they assemble
    journeys. Returns them by their spec's (English) name."""
    maps = JourneyMap.objects.bulk_create(
        [_journey_map(spec, language, published_at) for spec in JOURNEY_MAPS]
    )
    JourneyMapStep.objects.bulk_create(
        [
            JourneyMapStep(
                journey_map=journey_map,
                touchpoint=touchpoints[step.code],
                position=position,
                starts=step.starts,
                ends=step.ends,
            )
            for journey_map, spec in zip(maps, JOURNEY_MAPS, strict=True)
            for position, step in enumerate(spec.steps, start=1)
        ]
    )
    return {spec.name: journey_map for journey_map, spec in zip(maps, JOURNEY_MAPS, strict=True)}
