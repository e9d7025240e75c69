"""Customers, the touchpoint catalogue and the interactions logged at touchpoints."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from .phones import PhoneNumberField

# Experience scores everywhere are on a 0–10 scale, 5 being neutral (metrics.md).
SCORE_MIN = 0
SCORE_MAX = 10
SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


def validate_positive(value: float) -> None:
    """An expectation must be above zero: the expectation ratio divides by it."""
    if value is not None and not value > 0:
        raise ValidationError("Must be greater than 0.", code="not_positive")


def segment_label(segment: str) -> str:
    """A customer segment as people read it. Segments are the CRM's free text: a code
    (``small_business``, ``key-accounts``) reads "Small business", "Key accounts"; anything else
    ("SMB", "Key accounts") is shown as written; no segment is ""."""
    if segment and segment == segment.lower() and segment.replace("_", "").replace("-", "").isalnum():
        words = segment.replace("_", " ").replace("-", " ").split()
        return " ".join(words).capitalize()
    return segment


class Stage(models.TextChoices):
    PRE_SALE = "pre_sale", "Pre-sale"
    MID_SALE = "mid_sale", "Purchase"
    POST_SALE = "post_sale", "Post-sale"


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    WEB = "web", "Web"
    IN_STORE = "in_store", "In store"
    SOCIAL = "social", "Social media"
    SMS = "sms", "SMS"
    APP = "app", "Mobile app"
    OTHER = "other", "Other"


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better"


class ValueTier(models.TextChoices):
    STANDARD = "standard", "Standard"
    SILVER = "silver", "Silver"
    GOLD = "gold", "Gold"
    PLATINUM = "platinum", "Platinum"


def score_in_range(field: str) -> Q:
    """A CHECK condition: ``field`` is null or within the 0–10 experience scale."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX})


class Customer(models.Model):
    external_id = models.CharField(
        max_length=100,
        unique=True,
        help_text="The customer's id in the CRM; bulk paths upsert by it.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = PhoneNumberField(
        blank=True,
        help_text="Stored in E.164 (+447700900496); a number without its country code is read as one "
        "of the PHONE_DEFAULT_REGION setting.",
    )
    locale = models.CharField(
        max_length=16,
        default="en",
        help_text="Preferred language for surveys (e.g. en, zh-hans).",
    )
    segment = models.CharField(max_length=50, blank=True, db_index=True)
    value_tier = models.CharField(max_length=16, choices=ValueTier.choices, default=ValueTier.STANDARD)
    email_opt_out = models.BooleanField(default=False, help_text="Never email this customer (unsubscribed).")
    email_opt_out_at = models.DateTimeField(null=True, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["email"], name="customer_email_idx"),
            models.Index(fields=["phone"], name="customer_phone_idx"),
            models.Index(fields=["value_tier"], name="customer_value_tier_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(external_id=""), name="customer_external_id_not_empty"),
            models.CheckConstraint(
                condition=Q(value_tier__in=ValueTier.values),
                name="customer_value_tier_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.external_id})"

    def get_segment_display(self) -> str:
        return segment_label(self.segment)


class Touchpoint(models.Model):
    """A designed moment of contact, e.g. "Delivery" in the post-sale stage."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    stage = models.CharField(max_length=16, choices=Stage.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    description = models.TextField(blank=True)
    floor_score = models.FloatField(
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text="The bottom line (0–10) no experience at this touchpoint may fall below.",
    )
    measure_name = models.CharField(
        max_length=100,
        blank=True,
        help_text="An operational measure with a promised value, e.g. 'Delivery time'.",
    )
    measure_unit = models.CharField(max_length=30, blank=True, help_text="e.g. days, minutes")
    measure_direction = models.CharField(max_length=16, choices=Direction.choices, blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stage", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="touchpoint_stage_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="touchpoint_channel_valid"),
            models.CheckConstraint(
                condition=score_in_range("floor_score"),
                name="touchpoint_floor_score_range",
            ),
            # A measure has a direction, and a direction belongs to a measure.
            models.CheckConstraint(
                condition=(Q(measure_name="") & Q(measure_direction=""))
                | (~Q(measure_name="") & Q(measure_direction__in=Direction.values)),
                name="touchpoint_measure_has_direction",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_measure(self) -> bool:
        return bool(self.measure_name)


class InteractionSource(models.TextChoices):
    AGENT = "agent", "Agent"
    API = "api", "API"
    IMPORT = "import", "Import"


class InteractionOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    PENDING = "pending", "Pending"
    ESCALATED = "escalated", "Escalated"
    PURCHASED = "purchased", "Purchased"
    NOT_PURCHASED = "not_purchased", "Not purchased"
    INFORMED = "informed", "Information given"
    OTHER = "other", "Other"


class Interaction(models.Model):
    """One logged contact between a customer and the company at a touchpoint."""

    Source = InteractionSource
    Outcome = InteractionOutcome

    # NULL, not "", for "no external id": many rows may lack one, yet ids present are unique.
    external_id = models.CharField(  # noqa: DJ001
        max_length=100,
        null=True,
        blank=True,
        help_text="The interaction's id in the source system; bulk paths upsert by it.",
    )
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions")
    touchpoint = models.ForeignKey(Touchpoint, on_delete=models.PROTECT, related_name="interactions")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    occurred_at = models.DateTimeField()
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    category = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(blank=True)
    experience_score = models.FloatField(
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text="Experience at this moment, 0–10 (5 is neutral).",
    )
    expected_value = models.FloatField(
        null=True,
        blank=True,
        validators=[validate_positive],
        help_text="The promised value of the touchpoint's measure.",
    )
    actual_value = models.FloatField(
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="The delivered value of the touchpoint's measure.",
    )
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
    )
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.AGENT)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_idx"),
            models.Index(
                fields=["touchpoint", "occurred_at"],
                name="interaction_touchpoint_idx",
            ),
            models.Index(fields=["journey", "occurred_at"], name="interaction_journey_idx"),
            models.Index(fields=["occurred_at"], name="interaction_time_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="interaction_external_id_unique",
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values),
                name="interaction_channel_valid",
            ),
            models.CheckConstraint(
                condition=Q(source__in=InteractionSource.values),
                name="interaction_source_valid",
            ),
            models.CheckConstraint(
                condition=score_in_range("experience_score"),
                name="interaction_experience_score_range",
            ),
            # An expectation must be positive (metrics.md: the ratio divides by it).
            models.CheckConstraint(
                condition=Q(expected_value__isnull=True) | Q(expected_value__gt=0),
                name="interaction_expected_value_positive",
            ),
            models.CheckConstraint(
                condition=Q(actual_value__isnull=True) | Q(actual_value__gte=0),
                name="interaction_actual_value_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.touchpoint} · {self.customer} · {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def stage(self) -> str:
        return self.touchpoint.stage
