"""The survey builder's form of a survey rule: after an interaction at a touchpoint, or at any
touchpoint of a stage, invite after a delay. The service ``survey_rule_create`` keeps the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.selectors.builder import touchpoint_choices
from touchpoints.models import Stage

from ..services.builder import RULE_DELAY_MAX_HOURS


class SurveyRuleForm(forms.Form):
    touchpoint = forms.ModelChoiceField(
        queryset=touchpoint_choices(),
        required=False,
        empty_label=_("— none: use a stage —"),
        label=_("After an interaction at touchpoint"),
    )
    stage = forms.ChoiceField(
        choices=[("", _("— none: use a touchpoint —")), *Stage.choices],
        required=False,
        label=_("…or at any touchpoint of stage"),
    )
    delay_hours = forms.IntegerField(
        min_value=0,
        max_value=RULE_DELAY_MAX_HOURS,
        initial=24,
        label=_("Invite after (hours)"),
        help_text=format_lazy(_("0–{hours} hours after the interaction."), hours=RULE_DELAY_MAX_HOURS),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoint_choices()

    def clean(self):
        cleaned = super().clean()
        touchpoint, stage = cleaned.get("touchpoint"), cleaned.get("stage")
        if touchpoint and stage:
            raise ValidationError(gettext("Choose a touchpoint or a stage, not both."))
        if not touchpoint and not stage and "touchpoint" not in self.errors:
            raise ValidationError(gettext("Choose a touchpoint or a stage."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"touchpoint": data["touchpoint"], "stage": data["stage"], "delay_hours": data["delay_hours"]}
