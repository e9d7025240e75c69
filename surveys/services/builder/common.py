"""Constants and helpers the survey builder's services share."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import get_language_info, gettext, gettext_lazy

from surveys.models import Question, Survey
from surveys.services.answer_form import DEFAULT_PAIR_SCALE

# Fixed scales of the standard questions (metrics.md); a rating's scale is chosen by its author.
FIXED_SCALES: dict[str, tuple[int, int]] = {
    Question.Type.NPS: (0, 10),
    Question.Type.CSAT: (1, 5),
    Question.Type.CES: (1, 7),
}
# One button per point on a phone: at most 11 points, and never a negative score.
RATING_SCALE_LOWEST = 0
RATING_SCALE_HIGHEST = 10
# An expectation must be above 0, so a pair's scale starts at 1 or higher.
PAIR_SCALE_LOWEST = 1
# The builder's promise about scales, kept next to the rules it describes (``_clean_scale`` and
# the public page's ``question_scale``): an expectation/experience pair asks both halves on one
# scale of buttons with its end labels, DEFAULT_PAIR_SCALE when both ends are left empty.
SCALE_HELP = format_lazy(
    gettext_lazy(
        "Ratings: {rating_low}–{rating_high}. Expectation pairs: {pair_low}–{rating_high}, or leave both "
        "ends empty for {default_low}–{default_high}; customers answer both halves (what they expected, "
        "what they got) on this scale, with the end labels below."
    ),
    rating_low=RATING_SCALE_LOWEST,
    rating_high=RATING_SCALE_HIGHEST,
    pair_low=PAIR_SCALE_LOWEST,
    default_low=DEFAULT_PAIR_SCALE[0],
    default_high=DEFAULT_PAIR_SCALE[1],
)
CHOICE_TYPES = frozenset({Question.Type.SINGLE_CHOICE, Question.Type.MULTI_CHOICE})
SCALED_TYPES = frozenset({*FIXED_SCALES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE})
# Questions whose score can be an experience dimension in key-driver analysis; NPS is the outcome.
DRIVER_TYPES = frozenset(
    {Question.Type.CSAT, Question.Type.CES, Question.Type.RATING, Question.Type.EXPECTATION_EXPERIENCE}
)
CHOICE_VALUE_MAX_LENGTH = 50
RULE_DELAY_MAX_HOURS = 720


def language_name(code: str) -> str:
    """A language's name in the language of the page ("Simplified Chinese", "简体中文"), for staff;
    the name ``settings.LANGUAGES`` gives (its own name) when Django does not know the language."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return dict(settings.LANGUAGES).get(code, code)


def language_names() -> dict[str, str]:
    """The languages a survey may offer, code → name in the language of the page, in the order of
    ``settings.LANGUAGES``. Call it while the request's language is active."""
    return {code: language_name(code) for code, _own_name in settings.LANGUAGES}


def _refuse_if_closed(survey: Survey) -> None:
    if survey.status == Survey.Status.CLOSED:
        raise ValidationError(
            gettext("This survey is closed and can no longer be edited. Create a new survey instead.")
        )


def _lock_survey(survey: Survey) -> Survey:
    """The survey's row, locked until the transaction ends, so concurrent edits queue up."""
    return Survey.objects.select_for_update().get(pk=survey.pk)


def _survey_edited(survey: Survey) -> None:
    """Stamp ``survey`` as changed (``updated_at``) after an edit of its questions: the survey page
    keeps the questions per survey and ``updated_at`` (``surveys.selectors.public``)."""
    Survey.objects.filter(pk=survey.pk).update(updated_at=timezone.now())
