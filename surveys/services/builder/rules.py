"""Survey rules: which interactions invite customers to a survey."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from surveys.models import Survey, SurveyRule
from touchpoints.models import Stage, Touchpoint

from .common import RULE_DELAY_MAX_HOURS, _lock_survey, _refuse_if_closed


@transaction.atomic
def survey_rule_create(
    *, survey: Survey, touchpoint: Touchpoint | None = None, stage: str = "", delay_hours: int = 24
) -> SurveyRule:
    """ "After an interaction at ``touchpoint`` — or at any touchpoint of ``stage`` — invite with
    ``survey`` after ``delay_hours`` (0–720)." Exactly one of touchpoint and stage is given.
    Refused on a closed survey, which takes no new invitations."""
    survey = _lock_survey(survey)
    _refuse_if_closed(survey)
    errors: dict[str, list[str]] = {}
    if (touchpoint is None) == (not stage):
        message = (
            gettext("Choose a touchpoint or a stage, not both.")
            if touchpoint
            else gettext("Choose a touchpoint or a stage.")
        )
        errors["__all__"] = [message]
    elif stage and stage not in Stage.values:
        errors["stage"] = [gettext("Choose one of the stages.")]
    if delay_hours is None or not 0 <= delay_hours <= RULE_DELAY_MAX_HOURS:
        message = gettext("The delay is between 0 and %(hours)s hours (30 days).")
        errors["delay_hours"] = [message % {"hours": RULE_DELAY_MAX_HOURS}]
    if errors:
        raise ValidationError(errors)
    return SurveyRule.objects.create(
        survey=survey, touchpoint=touchpoint, stage=stage, delay_hours=delay_hours
    )


@transaction.atomic
def survey_rule_set_active(*, rule: SurveyRule, active: bool) -> SurveyRule:
    """Switch a rule on or off; a rule of a closed survey can only be switched off."""
    if active and rule.survey.status == Survey.Status.CLOSED:
        raise ValidationError(gettext("This survey is closed; its rules cannot be switched on."))
    SurveyRule.objects.filter(pk=rule.pk).update(active=active)
    rule.active = active
    return rule


@transaction.atomic
def survey_rule_delete(*, rule: SurveyRule) -> None:
    """Delete a rule; invitations it created stay, without their rule."""
    SurveyRule.objects.filter(pk=rule.pk).delete()
