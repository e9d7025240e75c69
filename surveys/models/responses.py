"""Responses and their answers."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .invitations import Invitation
from .surveys import Question, Survey


class Response(models.Model):
    """A customer's submitted answers to one invitation (at most one per invitation)."""

    invitation = models.OneToOneField(
        Invitation, on_delete=models.PROTECT, related_name="response", verbose_name=_("invitation")
    )
    survey = models.ForeignKey(
        Survey, on_delete=models.PROTECT, related_name="responses", verbose_name=_("survey")
    )
    customer = models.ForeignKey(
        "touchpoints.Customer", on_delete=models.CASCADE, related_name="responses", verbose_name=_("customer")
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    language = models.CharField(_("language"), max_length=16)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["survey", "submitted_at"], name="response_survey_time_idx"),
            models.Index(fields=["customer", "submitted_at"], name="response_customer_idx"),
            models.Index(fields=["submitted_at"], name="response_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey} · {self.customer} · {self.submitted_at:%Y-%m-%d}"


def _scale_check(question_type: str, low: int, high: int, *, whole: bool) -> Q:
    """Rows of ``question_type`` carry a score within [low, high] (whole numbers if ``whole``)."""
    in_range = Q(score__in=list(range(low, high + 1))) if whole else Q(score__gte=low, score__lte=high)
    return ~Q(question_type=question_type) | Q(score__isnull=True) | in_range


class Answer(models.Model):
    """One answer. Typed columns keep numbers queryable for the rollups.

    ``score`` holds the numeric answer (NPS 0–10, CSAT 1–5, CES 1–7, a rating, or
    the experience half of an expectation/experience pair); ``expected`` the
    expectation half; ``text`` free text; ``choices`` the chosen values.
    ``question_type`` repeats the question's type so the database itself can
    refuse a score outside its scale.
    """

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("question")
    )
    question_type = models.CharField(_("question type"), max_length=24, choices=Question.Type.choices)
    score = models.FloatField(_("score"), null=True, blank=True)
    expected = models.FloatField(_("expectation"), null=True, blank=True)
    text = models.TextField(_("text"), blank=True)
    choices = models.JSONField(_("choices chosen"), default=list, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["response", "question__order"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.NPS, 0, 10, whole=True),
                name="answer_nps_score_0_10",
            ),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.CSAT, 1, 5, whole=True),
                name="answer_csat_score_1_5",
            ),
            models.CheckConstraint(
                condition=_scale_check(Question.Type.CES, 1, 7, whole=True),
                name="answer_ces_score_1_7",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0),
                name="answer_score_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(expected__isnull=True) | Q(expected__gt=0),
                name="answer_expected_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response_id} · Q{self.question_id}"
