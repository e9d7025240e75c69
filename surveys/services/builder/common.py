"""Constants and helpers the survey builder's services share."""

from django.conf import settings
from django.core.exceptions import ValidationError

from surveys.models import Question, Survey

# Fixed scales of the standard questions (metrics.md); a rating's scale is chosen by its author.
FIXED_SCALES: dict[str, tuple[int, int]] = {
    Question.Type.NPS: (0, 10),
    Question.Type.CSAT: (1, 5),
    Question.Type.CES: (1, 7),
}
# One button per point on a phone: at most 11 points, and never a negative score.
RATING_SCALE_LOWEST = 0
RATING_SCALE_HIGHEST = 10
CHOICE_TYPES = frozenset({Question.Type.SINGLE_CHOICE, Question.Type.MULTI_CHOICE})
SCALED_TYPES = frozenset({*FIXED_SCALES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE})
# Questions whose score can be an experience dimension in key-driver analysis; NPS is the outcome.
DRIVER_TYPES = frozenset(
    {Question.Type.CSAT, Question.Type.CES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE}
)
CHOICE_VALUE_MAX_LENGTH = 50
RULE_DELAY_MAX_HOURS = 720


def language_names() -> dict[str, str]:
    """The languages a survey may offer, code → name, from ``settings.LANGUAGES``."""
    return dict(settings.LANGUAGES)


def _refuse_if_closed(survey: Survey) -> None:
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(
            "This survey is closed and can no longer be edited. Create a new survey instead."
        )


def _lock_survey(survey: Survey) -> Survey:
    """The survey's row, locked until the transaction ends, so concurrent edits queue up."""
    return Survey.objects.select_for_update().get(pk=survey.pk)
