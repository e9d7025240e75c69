"""Journey maps (the designed path, with the rules that assemble journeys from interactions) and
journeys (one customer's actual path)."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class JourneyMapStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("journey map status", "Draft")
    PUBLISHED = "published", pgettext_lazy("journey map status", "Published")


TIMEOUT_DAYS_MAX = 365


class JourneyMap(models.Model):
    """The designed path: touchpoints in order, each belonging to a stage; and how a customer's
    interactions become journeys along it (``journeys.assembly``). Only published, active maps
    assemble journeys."""

    Status = JourneyMapStatus
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=JourneyMapStatus.choices, default=JourneyMapStatus.DRAFT
    )
    timeout_days = models.PositiveSmallIntegerField(
        _("inactivity timeout (days)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(TIMEOUT_DAYS_MAX)],
        help_text=_("An open journey with no interaction for this many days is abandoned."),
    )
    concurrent = models.BooleanField(
        _("several open journeys at once"),
        default=False,
        help_text=_("A customer may have more than one open journey of this map (e.g. two orders)."),
    )
    include_outside = models.BooleanField(
        _("include touchpoints outside the map"),
        default=False,
        help_text=_("Interactions at other touchpoints join an open journey (e.g. a support call)."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("journey map")
        verbose_name_plural = _("journey maps")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=JourneyMapStatus.values), name="journey_map_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(timeout_days__gte=1, timeout_days__lte=TIMEOUT_DAYS_MAX),
                name="journey_map_timeout_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def assembles(self) -> bool:
        """Whether the map assembles journeys from new interactions (published and active)."""
        return self.active and self.status == JourneyMapStatus.PUBLISHED

    @property
    def timeout(self) -> timedelta:
        return timedelta(days=self.timeout_days)


class JourneyMapStep(models.Model):
    """One touchpoint at its position in a journey map."""

    journey_map = models.ForeignKey(
        JourneyMap, on_delete=models.CASCADE, related_name="steps", verbose_name=_("journey map")
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.PROTECT,
        related_name="map_steps",
        verbose_name=_("touchpoint"),
    )
    position = models.PositiveSmallIntegerField(_("position"))
    starts = models.BooleanField(
        _("starts a journey"),
        default=False,
        help_text=_("An interaction here starts a journey. With no step marked, the first one does."),
    )
    ends = models.BooleanField(
        _("ends a journey"),
        default=False,
        help_text=_("An interaction here completes the journey. With no step marked, the last one does."),
    )

    class Meta:
        verbose_name = _("journey map step")
        verbose_name_plural = _("journey map steps")
        ordering = ["journey_map", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey_map", "position"],
                name="journey_map_step_position_unique",
            ),
            models.UniqueConstraint(
                fields=["journey_map", "touchpoint"],
                name="journey_map_step_touchpoint_unique",
            ),
        ]

    def __str__(self) -> str:
        return gettext("%(map)s, step %(position)s: %(touchpoint)s") % {
            "map": self.journey_map,
            "position": self.position,
            "touchpoint": self.touchpoint,
        }


class JourneyStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", pgettext_lazy("journey status", "In progress")
    COMPLETED = "completed", pgettext_lazy("journey status", "Completed")
    ABANDONED = "abandoned", pgettext_lazy("journey status", "Abandoned")


class JourneyOrigin(models.TextChoices):
    ASSEMBLED = "assembled", pgettext_lazy("journey origin", "Assembled by the map's rules")
    EXPLICIT = "explicit", pgettext_lazy("journey origin", "Set by a connected system")


class Journey(models.Model):
    """One customer's path; its steps are its interactions in time order.

    An *assembled* journey is derived data: ``journeys.services.assembly`` makes it from the
    customer's interactions and the map's rules, and may re-make it. An *explicit* one was created
    or fed by a connected system (``external_id``, ``Interaction.journey_ref``); the rules never
    touch it or its interactions.
    """

    Status = JourneyStatus
    Origin = JourneyOrigin
    # NULL, not "", for "no external id": ids present are unique.
    external_id = models.CharField(  # noqa: DJ001
        _("external id"),
        max_length=100,
        null=True,
        blank=True,
        help_text=_("The journey's id in the connected system (an order or ticket id)."),
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=JourneyOrigin.choices, default=JourneyOrigin.EXPLICIT
    )
    customer = models.ForeignKey(
        "touchpoints.Customer", on_delete=models.CASCADE, related_name="journeys", verbose_name=_("customer")
    )
    journey_map = models.ForeignKey(
        JourneyMap,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journeys",
        verbose_name=_("journey map"),
    )
    started_at = models.DateTimeField(_("started at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    last_activity_at = models.DateTimeField(
        _("last activity"), null=True, blank=True, help_text=_("When its latest interaction occurred.")
    )
    furthest_step = models.PositiveSmallIntegerField(
        _("furthest step"), null=True, blank=True, help_text=_("The highest map position it reached.")
    )
    assembly_key = models.BigIntegerField(
        _("assembly key"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("For an assembled journey: the interaction that started it."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "started_at"], name="journey_customer_idx"),
            models.Index(fields=["journey_map", "started_at"], name="journey_map_start_idx"),
            # The timeout sweep: open assembled journeys by their last activity.
            models.Index(
                fields=["journey_map", "last_activity_at"],
                condition=Q(status="in_progress", origin="assembled"),
                name="journey_open_activity_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=Q(external_id__isnull=False),
                name="journey_external_id_unique",
            ),
            models.UniqueConstraint(
                fields=["journey_map", "assembly_key"],
                condition=Q(assembly_key__isnull=False),
                name="journey_assembly_key_unique",
            ),
            models.CheckConstraint(condition=Q(origin__in=JourneyOrigin.values), name="journey_origin_valid"),
            models.CheckConstraint(
                condition=Q(status__in=JourneyStatus.values),
                name="journey_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at")),
                name="journey_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        map_name = self.journey_map.name if self.journey_map_id else gettext("Unmapped journey")
        started = formats.date_format(timezone.localtime(self.started_at), "SHORT_DATE_FORMAT")
        return f"{map_name} · {self.customer_id} · {started}"


class AssemblyMark(models.Model):
    """A customer whose assembled journeys must be re-made from ``since`` on: written in the
    transaction that logged or moved their interactions, consumed by ``journeys_assemble_pending``
    (on commit, and every minute by beat, so a lost task loses nothing)."""

    customer = models.ForeignKey(
        "touchpoints.Customer", on_delete=models.CASCADE, related_name="+", verbose_name=_("customer")
    )
    since = models.DateTimeField(_("since"), null=True, blank=True, help_text=_("Empty: the whole history."))
    marked_at = models.DateTimeField(_("marked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assembly mark")
        verbose_name_plural = _("assembly marks")
        indexes = [models.Index(fields=["customer"], name="assembly_mark_customer_idx")]

    def __str__(self) -> str:
        return f"{self.customer_id} since {self.since}"


class AssemblyRunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("assembly run status", "Queued")
    RUNNING = "running", pgettext_lazy("assembly run status", "Running")
    DONE = "done", pgettext_lazy("assembly run status", "Done")
    FAILED = "failed", pgettext_lazy("assembly run status", "Failed")


class AssemblyRun(models.Model):
    """Re-assembling every customer's journeys after a map was published or edited, in the
    background, with its progress (customers done of ``total``)."""

    Status = AssemblyRunStatus
    journey_map = models.ForeignKey(
        JourneyMap, on_delete=models.CASCADE, related_name="assembly_runs", verbose_name=_("journey map")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssemblyRunStatus.choices, default=AssemblyRunStatus.QUEUED
    )
    total = models.PositiveIntegerField(_("customers"), default=0)
    done = models.PositiveIntegerField(_("customers done"), default=0)
    last_customer_id = models.BigIntegerField(
        _("last customer done"), default=0, help_text=_("A resumed run goes on after this customer.")
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assembly run")
        verbose_name_plural = _("assembly runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=AssemblyRunStatus.values), name="assembly_run_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.journey_map_id}: {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))
