"""Survey rules and the email suppression list."""

from django.db import models
from django.db.models import Q

from touchpoints.models import Stage

from .surveys import Survey


class SurveyRule(models.Model):
    """A rule: after an interaction at touchpoint T (or any touchpoint of stage S), invite with this
    survey after D hours. Evaluated whenever an interaction is logged, from any source."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="rules")
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint", on_delete=models.CASCADE, null=True, blank=True, related_name="survey_rules"
    )
    stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    delay_hours = models.PositiveSmallIntegerField(
        default=24, help_text="Hours after the interaction before the invitation may be emailed (0–720)."
    )
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(touchpoint__isnull=False) & Q(stage=""))
                | (Q(touchpoint__isnull=True) & Q(stage__in=Stage.values)),
                name="survey_rule_touchpoint_or_stage",
            ),
            models.CheckConstraint(condition=Q(delay_hours__lte=720), name="survey_rule_delay_at_most_30d"),
        ]

    def __str__(self) -> str:
        target = self.touchpoint or self.get_stage_display()
        return f"After {target}: {self.survey} (+{self.delay_hours} h)"


class EmailSuppression(models.Model):
    """An address never to email again (it bounced, or its owner complained)."""

    email = models.EmailField(unique=True, help_text="Stored lower-cased.")
    reason = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"
