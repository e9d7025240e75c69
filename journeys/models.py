"""Journey maps (the designed path) and journeys (one customer's actual path)."""

from django.db import models
from django.db.models import F, Q


class JourneyMap(models.Model):
    """The designed path: touchpoints in order, each belonging to a stage."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class JourneyMapStep(models.Model):
    """One touchpoint at its position in a journey map."""

    journey_map = models.ForeignKey(JourneyMap, on_delete=models.CASCADE, related_name="steps")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.PROTECT, related_name="map_steps"
    )
    position = models.PositiveSmallIntegerField()

    class Meta:
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
        return f"{self.journey_map} #{self.position}: {self.touchpoint}"


class JourneyStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    ABANDONED = "abandoned", "Abandoned"


class Journey(models.Model):
    """One customer's path; its steps are its interactions in time order."""

    Status = JourneyStatus
    customer = models.ForeignKey("touchpoints.Customer", on_delete=models.CASCADE, related_name="journeys")
    journey_map = models.ForeignKey(
        JourneyMap,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="journeys",
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_PROGRESS)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
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
        map_name = self.journey_map.name if self.journey_map_id else "Unmapped journey"
        return f"{map_name} · {self.customer_id} · {self.started_at:%Y-%m-%d}"
