"""Survey rules and the email suppression list."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Stage

from .surveys import Survey


class SurveyRule(models.Model):
    """A rule: after an interaction at touchpoint T (or any touchpoint of stage S), invite with this
    survey after D hours. Evaluated whenever an interaction is logged, from any source."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="rules", verbose_name=_("survey")
    )
    touchpoint = models.ForeignKey(
        "touchpoints.Touchpoint",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_rules",
        verbose_name=_("touchpoint"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, blank=True)
    delay_hours = models.PositiveSmallIntegerField(
        _("delay (hours)"),
        default=24,
        help_text=_("Hours after the interaction before the invitation may be emailed (0–720)."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey rule")
        verbose_name_plural = _("survey rules")
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
        return gettext("After %(target)s: %(survey)s (+%(hours)s h)") % {
            "target": target,
            "survey": self.survey,
            "hours": self.delay_hours,
        }


class EmailSuppression(models.Model):
    """An address never to email again (it bounced, or its owner complained)."""

    email = models.EmailField(_("email address"), unique=True, help_text=_("Stored lower-cased."))
    reason = models.CharField(_("reason"), max_length=200)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("email suppression")
        verbose_name_plural = _("email suppressions")
        ordering = ["email"]

    def __str__(self) -> str:
        return f"{self.email} ({self.reason})"
