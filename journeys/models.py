"""Journey maps (the designed path) and journeys (one customer's actual path)."""

from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _


class JourneyMap(models.Model):
    """The designed path: touchpoints in order, each belonging to a stage."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("journey map")
        verbose_name_plural = _("journey maps")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


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


class Journey(models.Model):
    """One customer's path; its steps are its interactions in time order."""

    Status = JourneyStatus
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
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["-started_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "started_at"], name="journey_customer_idx"),
            models.Index(fields=["journey_map", "started_at"], name="journey_map_start_idx"),
        ]
        constraints = [
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
