"""The demo touchpoint catalogue, and the two journey maps that string it together (``journey_maps``).

Each touchpoint carries, besides its model fields, the knobs the simulation turns:
its typical experience (``quality``, 0–10) and, for a measured touchpoint, how the
delivered value is spread around the promise. Delivery and the support call are
built to disappoint (late parcels, long queues), the in-store purchase to delight.
"""

from dataclasses import dataclass
from datetime import datetime

from journeys.models import JourneyMap
from touchpoints.models import Channel, Direction, Stage, Touchpoint

from . import content_zh
from .journey_maps import journey_maps_create
from .languages import TouchpointWords

BATCH_SIZE = 1000


@dataclass(frozen=True)
class TouchpointSpec:
    code: str
    name: str
    stage: str
    channel: str
    description: str
    quality: float  # mean experience score, 0–10 (5 neutral)
    spread: float = 1.6  # standard deviation of the experience score
    floor: float | None = None
    categories: tuple[str, ...] = ("General",)
    # How likely an interaction here is followed by a transactional survey.
    survey_weight: float = 0.05
    # An operational measure: name, unit, direction, the promise, and the
    # delivered value as a lognormal around ``measure_typical``.
    measure: tuple[str, str, str] | None = None
    promised: float | None = None
    measure_typical: float | None = None
    measure_sigma: float = 0.45


PRE, MID, POST = Stage.PRE_SALE, Stage.MID_SALE, Stage.POST_SALE

TOUCHPOINTS: tuple[TouchpointSpec, ...] = (
    TouchpointSpec(
        code="web-ad",
        name="Web advert",
        stage=PRE,
        channel=Channel.SOCIAL,
        description="Paid adverts on social media.",
        quality=6.8,
        categories=("Campaign click", "Retargeting"),
    ),
    TouchpointSpec(
        code="website-browse",
        name="Website browse",
        stage=PRE,
        channel=Channel.WEB,
        description="Browsing the catalogue online.",
        quality=7.3,
        categories=("Catalogue", "Search", "Product page"),
    ),
    TouchpointSpec(
        code="product-comparison",
        name="Product comparison",
        stage=PRE,
        channel=Channel.APP,
        description="Comparing models side by side in the app.",
        quality=7.0,
        categories=("Comparison",),
    ),
    TouchpointSpec(
        code="store-visit",
        name="Store visit",
        stage=PRE,
        channel=Channel.IN_STORE,
        description="Looking around a store, talking to staff.",
        quality=7.8,
        categories=("Advice", "Demo"),
        survey_weight=0.15,
    ),
    TouchpointSpec(
        code="sales-call",
        name="Sales call",
        stage=PRE,
        channel=Channel.PHONE,
        description="A call with the sales team.",
        quality=7.3,
        categories=("Quote", "Product question", "Availability"),
        survey_weight=0.1,
    ),
    TouchpointSpec(
        code="presale-chat",
        name="Live chat (pre-sale)",
        stage=PRE,
        channel=Channel.CHAT,
        description="Questions before buying, by chat.",
        quality=7.2,
        categories=("Product question", "Stock", "Pricing"),
    ),
    TouchpointSpec(
        code="checkout-online",
        name="Online checkout",
        stage=MID,
        channel=Channel.WEB,
        description="Basket and checkout on the website.",
        quality=7.4,
        floor=4.0,
        categories=("Checkout",),
        survey_weight=0.25,
    ),
    TouchpointSpec(
        code="instore-purchase",
        name="In-store purchase",
        stage=MID,
        channel=Channel.IN_STORE,
        description="Buying at the till with a sales adviser.",
        quality=9.1,
        spread=0.8,
        categories=("Purchase", "Trade-in"),
        survey_weight=0.5,
    ),
    TouchpointSpec(
        code="payment",
        name="Payment",
        stage=MID,
        channel=Channel.OTHER,
        description="Card, wallet or instalment payment.",
        quality=7.6,
        floor=5.0,
        categories=("Card", "Wallet", "Instalments"),
    ),
    TouchpointSpec(
        code="order-confirmation",
        name="Order confirmation email",
        stage=MID,
        channel=Channel.EMAIL,
        description="The email confirming the order and its delivery date.",
        quality=7.5,
        categories=("Confirmation",),
    ),
    TouchpointSpec(
        code="app-checkout",
        name="App checkout",
        stage=MID,
        channel=Channel.APP,
        description="Buying in the mobile app.",
        quality=7.6,
        floor=4.0,
        categories=("Checkout",),
        survey_weight=0.25,
    ),
    TouchpointSpec(
        code="delivery",
        name="Delivery",
        stage=POST,
        channel=Channel.OTHER,
        description="Home delivery by the carrier.",
        quality=4.7,
        spread=1.3,
        floor=4.0,
        categories=("Standard delivery", "Missed slot", "Damaged parcel"),
        survey_weight=0.5,
        measure=("Delivery time", "days", Direction.LOWER_IS_BETTER),
        promised=3,
        measure_typical=4.6,
        measure_sigma=0.35,
    ),
    TouchpointSpec(
        code="installation",
        name="Installation",
        stage=POST,
        channel=Channel.OTHER,
        description="A technician installs at home.",
        quality=8.1,
        spread=1.3,
        categories=("Installation", "Set-up"),
        survey_weight=0.4,
    ),
    TouchpointSpec(
        code="support-call",
        name="Support call",
        stage=POST,
        channel=Channel.PHONE,
        description="A call to the contact centre.",
        quality=4.5,
        spread=1.4,
        floor=4.0,
        categories=("Fault", "How-to", "Order status", "Complaint"),
        survey_weight=0.5,
        measure=("Waiting time", "minutes", Direction.LOWER_IS_BETTER),
        promised=5,
        measure_typical=10.0,
        measure_sigma=0.45,
    ),
    TouchpointSpec(
        code="returns",
        name="Returns",
        stage=POST,
        channel=Channel.IN_STORE,
        description="Returning or exchanging a product.",
        quality=6.4,
        categories=("Refund", "Exchange"),
        survey_weight=0.2,
    ),
    TouchpointSpec(
        code="billing",
        name="Billing",
        stage=POST,
        channel=Channel.EMAIL,
        description="Invoices and billing questions.",
        quality=6.7,
        categories=("Invoice", "Refund status", "Wrong charge"),
    ),
    TouchpointSpec(
        code="repair",
        name="Repair",
        stage=POST,
        channel=Channel.IN_STORE,
        description="Repairs under warranty.",
        quality=6.3,
        floor=4.0,
        categories=("Warranty repair", "Paid repair"),
        survey_weight=0.2,
    ),
    TouchpointSpec(
        code="loyalty-programme",
        name="Loyalty programme",
        stage=POST,
        channel=Channel.APP,
        description="Points, rewards and member offers.",
        quality=7.4,
        categories=("Points", "Rewards"),
    ),
    TouchpointSpec(
        code="social-care",
        name="Social media care",
        stage=POST,
        channel=Channel.SOCIAL,
        description="Questions answered on social media.",
        quality=6.7,
        categories=("Question", "Complaint"),
        survey_weight=0.1,
    ),
    TouchpointSpec(
        code="sms-notifications",
        name="SMS notifications",
        stage=POST,
        channel=Channel.SMS,
        description="Dispatch and delivery updates by text message.",
        quality=7.2,
        categories=("Dispatch", "Delivery slot"),
    ),
)
SPECS = {spec.code: spec for spec in TOUCHPOINTS}


# Contacts outside any designed journey, with their relative frequency.
STANDALONE: tuple[tuple[str, float], ...] = (
    ("support-call", 3.0),
    ("app-checkout", 2.0),
    ("sms-notifications", 2.0),
    ("returns", 1.5),
    ("repair", 1.2),
    ("social-care", 1.2),
    ("loyalty-programme", 1.0),
    ("billing", 1.0),
)


def touchpoint_words(spec: TouchpointSpec, language: str) -> TouchpointWords:
    """The touchpoint's name, description and measure in the demo's ``language``."""
    if language == "zh-hans":
        return content_zh.TOUCHPOINTS[spec.code]
    measure_name, measure_unit = spec.measure[:2] if spec.measure else ("", "")
    return TouchpointWords(spec.name, spec.description, measure_name, measure_unit)


def category_name(category: str, language: str) -> str:
    """An interaction category (as the spec names it in English) in the demo's ``language``."""
    return content_zh.CATEGORIES[category] if language == "zh-hans" else category


def _touchpoint(spec: TouchpointSpec, language: str) -> Touchpoint:
    words = touchpoint_words(spec, language)
    return Touchpoint(
        code=spec.code,
        name=words.name,
        stage=spec.stage,
        channel=spec.channel,
        description=words.description,
        floor_score=spec.floor,
        measure_name=words.measure_name,
        measure_unit=words.measure_unit,
        measure_direction=spec.measure[2] if spec.measure else "",
    )


def catalogue_create(
    language: str = "en", *, published_at: datetime | None = None
) -> tuple[dict[str, Touchpoint], dict[str, JourneyMap]]:
    """Insert the touchpoints, and the journey maps along them (``journey_maps_create``: published,
    with their assembly rules), named in ``language``.

    Returns the touchpoints by code and the maps by their spec's (English) name, the keys the
    simulation uses whatever the language.
    """
    touchpoints = Touchpoint.objects.bulk_create(
        [_touchpoint(spec, language) for spec in TOUCHPOINTS], batch_size=BATCH_SIZE
    )
    by_code = {touchpoint.code: touchpoint for touchpoint in touchpoints}
    return by_code, journey_maps_create(by_code, language, published_at=published_at)
