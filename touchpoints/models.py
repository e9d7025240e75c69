"""Customers, the touchpoint catalogue and the interactions logged at touchpoints."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .phones import PhoneNumberField

# Experience scores everywhere are on a 0–10 scale, 5 being neutral (metrics.md).
SCORE_MIN = 0
SCORE_MAX = 10
SCORE_VALIDATORS = [MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]


def validate_positive(value: float) -> None:
    """An expectation must be above zero: the expectation ratio divides by it."""
    if value is not None and not value > 0:
        raise ValidationError(_("Must be greater than 0."), code="not_positive")


def segment_label(segment: str) -> str:
    """A customer segment as people read it. Segments are the CRM's free text: a code
    (``small_business``, ``key-accounts``) reads "Small business", "Key accounts"; anything else
    ("SMB", "Key accounts") is shown as written; no segment is ""."""
    if segment and segment == segment.lower() and segment.replace("_", "").replace("-", "").isalnum():
        words = segment.replace("_", " ").replace("-", " ").split()
        return " ".join(words).capitalize()
    return segment


class Stage(models.TextChoices):
    PRE_SALE = "pre_sale", pgettext_lazy("journey stage", "Pre-sale")
    MID_SALE = "mid_sale", pgettext_lazy("journey stage", "Purchase")
    POST_SALE = "post_sale", pgettext_lazy("journey stage", "Post-sale")


class Channel(models.TextChoices):
    PHONE = "phone", pgettext_lazy("channel", "Phone")
    EMAIL = "email", pgettext_lazy("channel", "Email")
    CHAT = "chat", pgettext_lazy("channel", "Chat")
    WEB = "web", pgettext_lazy("channel", "Web")
    IN_STORE = "in_store", pgettext_lazy("channel", "In store")
    SOCIAL = "social", pgettext_lazy("channel", "Social media")
    SMS = "sms", pgettext_lazy("channel", "SMS")
    APP = "app", pgettext_lazy("channel", "Mobile app")
    OTHER = "other", pgettext_lazy("channel", "Other")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", _("Higher is better")
    LOWER_IS_BETTER = "lower_is_better", _("Lower is better")


class ValueTier(models.TextChoices):
    STANDARD = "standard", pgettext_lazy("value tier", "Standard")
    SILVER = "silver", pgettext_lazy("value tier", "Silver")
    GOLD = "gold", pgettext_lazy("value tier", "Gold")
    PLATINUM = "platinum", pgettext_lazy("value tier", "Platinum")


def score_in_range(field: str) -> Q:
    """A CHECK condition: ``field`` is null or within the 0–10 experience scale."""
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": SCORE_MIN, f"{field}__lte": SCORE_MAX})


class Customer(models.Model):
    external_id = models.CharField(
        _("external id"),
        max_length=100,
        unique=True,
        help_text=_("The customer's id in the CRM; bulk paths upsert by it."),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"), blank=True)
    phone = PhoneNumberField(
        _("phone"),
        blank=True,
        help_text=_(
            "Stored in E.164 (+447700900496); a number without its country code is read as one "
            "of the PHONE_DEFAULT_REGION setting."
        ),
    )
    locale = models.CharField(
        _("locale"),
        max_length=16,
        default="en",
        help_text=_("Preferred language for surveys (e.g. en, zh-hans)."),
    )
    segment = models.CharField(_("segment"), max_length=50, blank=True, db_index=True)
    value_tier = models.CharField(
        _("value tier"), max_length=16, choices=ValueTier.choices, default=ValueTier.STANDARD
    )
    email_opt_out = models.BooleanField(
        _("email opt out"), default=False, help_text=_("Never email this customer (unsubscribed).")
    )
    email_opt_out_at = models.DateTimeField(_("email opt out at"), null=True, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
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

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("description"), blank=True)
    floor_score = models.FloatField(
        _("floor score"),
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text=_("The bottom line (0–10) no experience at this touchpoint may fall below."),
    )
    measure_name = models.CharField(
        _("measure name"),
        max_length=100,
        blank=True,
        help_text=_("An operational measure with a promised value, e.g. 'Delivery time'."),
    )
    measure_unit = models.CharField(
        _("measure unit"), max_length=30, blank=True, help_text=_("e.g. days, minutes")
    )
    measure_direction = models.CharField(
        _("measure direction"), max_length=16, choices=Direction.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("touchpoint")
        verbose_name_plural = _("touchpoints")
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
    AGENT = "agent", pgettext_lazy("interaction source", "Agent")
    API = "api", pgettext_lazy("interaction source", "API")
    IMPORT = "import", pgettext_lazy("interaction source", "Import")


class InteractionOutcome(models.TextChoices):
    RESOLVED = "resolved", pgettext_lazy("interaction outcome", "Resolved")
    PENDING = "pending", pgettext_lazy("interaction outcome", "Pending")
    ESCALATED = "escalated", pgettext_lazy("interaction outcome", "Escalated")
    PURCHASED = "purchased", pgettext_lazy("interaction outcome", "Purchased")
    NOT_PURCHASED = "not_purchased", pgettext_lazy("interaction outcome", "Not purchased")
    INFORMED = "informed", pgettext_lazy("interaction outcome", "Information given")
    OTHER = "other", pgettext_lazy("interaction outcome", "Other")


class Interaction(models.Model):
    """One logged contact between a customer and the company at a touchpoint."""

    Source = InteractionSource
    Outcome = InteractionOutcome

    # NULL, not "", for "no external id": many rows may lack one, yet ids present are unique.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("The interaction's id in the source system; bulk paths upsert by it."),
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="interactions", verbose_name=_("customer")
    )
    touchpoint = models.ForeignKey(
        Touchpoint, on_delete=models.PROTECT, related_name="interactions", verbose_name=_("touchpoint")
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("agent"),
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    experience_score = models.FloatField(
        _("experience score"),
        null=True,
        blank=True,
        validators=SCORE_VALIDATORS,
        help_text=_("Experience at this moment, 0–10 (5 is neutral)."),
    )
    expected_value = models.FloatField(
        _("expected value"),
        null=True,
        blank=True,
        validators=[validate_positive],
        help_text=_("The promised value of the touchpoint's measure."),
    )
    actual_value = models.FloatField(
        _("actual value"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("The delivered value of the touchpoint's measure."),
    )
    journey = models.ForeignKey(
        "journeys.Journey",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interactions",
        verbose_name=_("journey"),
    )
    journey_ref = models.CharField(
        _("journey external id"),
        max_length=100,
        blank=True,
        default="",
        db_default="",  # rows written by COPY or by older code get it too
        help_text=_(
            "The id, in the connected system, of the journey this contact belongs to (an order or "
            "ticket id): it joins that journey, created if need be, whatever the map's rules say."
        ),
    )
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.AGENT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
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
        when = formats.date_format(timezone.localtime(self.occurred_at), "SHORT_DATETIME_FORMAT")
        return f"{self.touchpoint} · {self.customer} · {when}"

    @property
    def stage(self) -> str:
        return self.touchpoint.stage
