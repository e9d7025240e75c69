"""Forms of the survey builder. They check what a person typed field by field and hand the
values to ``surveys.services.builder``; the rules a survey must keep live in the services,
whose refusals come back onto the form through ``add_service_error``."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from surveys.selectors.builder import touchpoint_choices
from touchpoints.models import Direction, Stage

from ..models import Question, Survey
from ..scale_labels import STANDARD_SCALE_LABELS, scale_label_pair
from ..services.builder import CHOICE_TYPES, CHOICE_VALUE_MAX_LENGTH, RULE_DELAY_MAX_HOURS, SCALE_HELP

LANGUAGE_NAMES = dict(settings.LANGUAGES)
EXTRA_CHOICE_ROWS = 3
MAX_CHOICE_ROWS = 60
_CHOICE_VALUE_KEY = re.compile(r"^choice_(\d+)_value$")


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on ``form``: on the field it names where the form has that
    field, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _languages_offered_first(offered: list[str]) -> list[str]:
    """Every configured language code, the offered ones first (in their order)."""
    return [*offered, *(code for code in LANGUAGE_NAMES if code not in offered)]


class SurveyForm(forms.Form):
    name = forms.CharField(max_length=200, error_messages={"required": "Give the survey a name."})
    kind = forms.ChoiceField(
        choices=Survey.Kind.choices, error_messages={"required": "Choose a kind of survey."}
    )
    languages = forms.MultipleChoiceField(
        choices=settings.LANGUAGES,
        widget=forms.CheckboxSelectMultiple,
        label="Languages offered",
        error_messages={"required": "Offer at least one language."},
    )
    default_language = forms.ChoiceField(
        choices=settings.LANGUAGES,
        label="Default language",
        help_text="Customers whose language is not offered get this one.",
    )
    touchpoint = forms.ModelChoiceField(
        queryset=touchpoint_choices(),
        required=False,
        empty_label="— none —",
        help_text="For a transactional survey: the touchpoint it asks about.",
    )

    def __init__(self, *args, survey: Survey | None = None, **kwargs):
        if "initial" not in kwargs:
            default = settings.LANGUAGE_CODE
            kwargs["initial"] = (
                self.initial_for(survey) if survey else {"languages": [default], "default_language": default}
            )
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoint_choices(
            including_id=survey.touchpoint_id if survey else None
        )
        for code, language in LANGUAGE_NAMES.items():
            self.fields[f"title_{code}"] = forms.CharField(
                max_length=200, required=False, label=f"Title ({language})"
            )
            self.fields[f"intro_{code}"] = forms.CharField(
                required=False,
                label=f"Introduction ({language})",
                widget=forms.Textarea(attrs={"rows": 3}),
            )

    @staticmethod
    def initial_for(survey: Survey) -> dict:
        initial = {
            "name": survey.name,
            "kind": survey.kind,
            "languages": survey.languages,
            "default_language": survey.default_language,
            "touchpoint": survey.touchpoint_id,
        }
        for code in LANGUAGE_NAMES:
            initial[f"title_{code}"] = survey.titles.get(code, "")
            initial[f"intro_{code}"] = survey.intros.get(code, "")
        return initial

    def language_sections(self) -> list[dict]:
        """Per configured language: its name and its title and introduction fields."""
        return [
            {"code": code, "name": language, "title": self[f"title_{code}"], "intro": self[f"intro_{code}"]}
            for code, language in LANGUAGE_NAMES.items()
        ]

    def clean(self):
        cleaned = super().clean()
        offered = cleaned.get("languages") or []
        default = cleaned.get("default_language")
        if offered and default and default not in offered:
            self.add_error("default_language", "The default language must be one of the languages offered.")
        for code in offered:
            if not (cleaned.get(f"title_{code}") or "").strip():
                self.add_error(
                    f"title_{code}", f"Write the title in {LANGUAGE_NAMES[code]}: the survey offers it."
                )
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned values as ``survey_create``/``survey_update`` take them."""
        data = self.cleaned_data
        default = data["default_language"]
        offered = [
            default,
            *(code for code in LANGUAGE_NAMES if code in data["languages"] and code != default),
        ]
        return {
            "name": data["name"],
            "kind": data["kind"],
            "languages": offered,
            "titles": {code: data[f"title_{code}"] for code in offered},
            "intros": {code: data[f"intro_{code}"] for code in offered},
            "touchpoint": data["touchpoint"],
        }


class QuestionForm(forms.Form):
    """One question: its type, text and labels in every configured language (required in the
    languages the survey offers), its scale, choices, direction and driver.

    Choices are rows of fields, ``choice_<i>_value`` and ``choice_<i>_label_<code>``: the
    existing choices plus a few empty rows; a row left wholly empty is ignored.
    """

    type = forms.ChoiceField(choices=Question.Type.choices, label="Question type")
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    scale_min = forms.IntegerField(required=False, label="Lowest point", help_text=SCALE_HELP)
    scale_max = forms.IntegerField(required=False, label="Highest point")
    direction = forms.ChoiceField(
        choices=Direction.choices,
        required=False,
        initial=Direction.HIGHER_IS_BETTER,
        help_text="Expectation pairs only: is a higher number better (quality) or worse (waiting time)?",
    )
    driver = forms.ChoiceField(
        choices=[("", "— none —"), *Question.Driver.choices],
        required=False,
        label="Driver dimension",
        help_text="CSAT, CES, rating and expectation questions: the experience dimension it measures.",
    )

    def __init__(self, *args, survey: Survey, question: Question | None = None, new_type: str = "", **kwargs):
        """``new_type``: for a new question, the type to start from, its standard labels filled in."""
        self.survey = survey
        if question is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(question)
        elif question is None and new_type in Question.Type.values and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(Question(survey=survey, type=new_type, texts={}))
        super().__init__(*args, **kwargs)
        self.languages = _languages_offered_first(survey.languages)
        for code in self.languages:
            language = LANGUAGE_NAMES[code]
            offered = code in survey.languages
            self.fields[f"text_{code}"] = forms.CharField(
                required=offered,
                label=f"Question text ({language})",
                help_text="" if offered else "Optional: the survey does not offer this language yet.",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Write the question in {language}: the survey offers it."},
            )
            self.fields[f"scale_low_{code}"] = forms.CharField(
                required=False, max_length=100, label=f"Label of the lowest point ({language})"
            )
            self.fields[f"scale_high_{code}"] = forms.CharField(
                required=False, max_length=100, label=f"Label of the highest point ({language})"
            )
        existing = len(question.choices) if question is not None else 0
        self.choice_row_count = min(
            MAX_CHOICE_ROWS, max(existing + EXTRA_CHOICE_ROWS, 4, self._posted_choice_rows())
        )
        for row in range(self.choice_row_count):
            # Laid out as a table whose headers name the columns; aria-label names each input.
            label = f"Choice {row + 1}: value"
            self.fields[f"choice_{row}_value"] = forms.CharField(
                required=False,
                max_length=CHOICE_VALUE_MAX_LENGTH,
                label=label,
                widget=forms.TextInput(attrs={"aria-label": label}),
            )
            for code in self.languages:
                label = f"Choice {row + 1}: label ({LANGUAGE_NAMES[code]})"
                self.fields[f"choice_{row}_label_{code}"] = forms.CharField(
                    required=False,
                    max_length=200,
                    label=label,
                    widget=forms.TextInput(attrs={"aria-label": label}),
                )

    def _posted_choice_rows(self) -> int:
        if not self.is_bound:
            return 0
        rows = [int(match[1]) + 1 for key in self.data if (match := _CHOICE_VALUE_KEY.match(key))]
        return max(rows, default=0)

    @staticmethod
    def initial_for(question: Question) -> dict:
        initial = {
            "type": question.type,
            "required": question.required,
            "scale_min": question.scale_min,
            "scale_max": question.scale_max,
            "direction": question.direction,
            "driver": question.driver,
        }
        standard = STANDARD_SCALE_LABELS.get(question.type, {})
        for code in LANGUAGE_NAMES:
            initial[f"text_{code}"] = question.texts.get(code, "")
            # What the public page shows in this language, so saving the form keeps it: the
            # stored labels, or for a standard question stored without them its standard ones.
            if code in question.scale_labels:
                low, high = scale_label_pair(question.scale_labels[code])
            else:
                low, high = standard.get(code, ("", ""))
            initial[f"scale_low_{code}"], initial[f"scale_high_{code}"] = low, high
        for row, choice in enumerate(question.choices):
            initial[f"choice_{row}_value"] = choice.get("value", "")
            for code in LANGUAGE_NAMES:
                initial[f"choice_{row}_label_{code}"] = choice.get("labels", {}).get(code, "")
        return initial

    # What the template lays out.
    def text_fields(self) -> list:
        return [self[f"text_{code}"] for code in self.languages]

    def scale_label_rows(self) -> list[dict]:
        return [
            {
                "name": LANGUAGE_NAMES[code],
                "low": self[f"scale_low_{code}"],
                "high": self[f"scale_high_{code}"],
            }
            for code in self.languages
        ]

    def standard_label_rows(self) -> list[dict]:
        """The standard end labels per standard question type, in this form's languages."""
        return [
            {
                "type": question_type,
                "name": Question.Type(question_type).label,
                "labels": [
                    {"name": LANGUAGE_NAMES[code], "low": labels[code][0], "high": labels[code][1]}
                    for code in self.languages
                    if code in labels
                ],
            }
            for question_type, labels in STANDARD_SCALE_LABELS.items()
        ]

    def language_headers(self) -> list[str]:
        return [LANGUAGE_NAMES[code] for code in self.languages]

    def choice_rows(self) -> list[dict]:
        return [
            {
                "number": row + 1,
                "value": self[f"choice_{row}_value"],
                "labels": [self[f"choice_{row}_label_{code}"] for code in self.languages],
            }
            for row in range(self.choice_row_count)
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("type") not in CHOICE_TYPES:
            return cleaned
        seen: set[str] = set()
        for row in range(self.choice_row_count):
            value = (cleaned.get(f"choice_{row}_value") or "").strip()
            labels = {
                code: (cleaned.get(f"choice_{row}_label_{code}") or "").strip() for code in self.languages
            }
            if not value and not any(labels.values()):
                continue
            if not value:
                self.add_error(f"choice_{row}_value", "Give this choice a value, e.g. price.")
                continue
            if value in seen:
                self.add_error(
                    f"choice_{row}_value", f"The value “{value}” is already used by another choice."
                )
            seen.add(value)
            for code in self.survey.languages:
                if not labels.get(code):
                    self.add_error(
                        f"choice_{row}_label_{code}",
                        f"Label this choice in {LANGUAGE_NAMES[code]}: the survey offers it.",
                    )
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned values as ``question_create``/``question_update`` take them."""
        data = self.cleaned_data
        choices = []
        for row in range(self.choice_row_count):
            value = data[f"choice_{row}_value"].strip()
            if value:
                labels = {code: data[f"choice_{row}_label_{code}"] for code in self.languages}
                choices.append({"value": value, "labels": labels})
        return {
            "type": data["type"],
            "texts": {code: data[f"text_{code}"] for code in self.languages},
            "required": data["required"],
            "choices": choices,
            "scale_min": data["scale_min"],
            "scale_max": data["scale_max"],
            "scale_labels": {
                code: [data[f"scale_low_{code}"], data[f"scale_high_{code}"]] for code in self.languages
            },
            "direction": data["direction"] or Direction.HIGHER_IS_BETTER,
            "driver": data["driver"],
        }


class SurveyRuleForm(forms.Form):
    touchpoint = forms.ModelChoiceField(
        queryset=touchpoint_choices(),
        required=False,
        empty_label="— none: use a stage —",
        label="After an interaction at touchpoint",
    )
    stage = forms.ChoiceField(
        choices=[("", "— none: use a touchpoint —"), *Stage.choices],
        required=False,
        label="…or at any touchpoint of stage",
    )
    delay_hours = forms.IntegerField(
        min_value=0,
        max_value=RULE_DELAY_MAX_HOURS,
        initial=24,
        label="Invite after (hours)",
        help_text=f"0–{RULE_DELAY_MAX_HOURS} hours after the interaction.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["touchpoint"].queryset = touchpoint_choices()

    def clean(self):
        cleaned = super().clean()
        touchpoint, stage = cleaned.get("touchpoint"), cleaned.get("stage")
        if touchpoint and stage:
            raise ValidationError("Choose a touchpoint or a stage, not both.")
        if not touchpoint and not stage and "touchpoint" not in self.errors:
            raise ValidationError("Choose a touchpoint or a stage.")
        return cleaned

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {"touchpoint": data["touchpoint"], "stage": data["stage"], "delay_hours": data["delay_hours"]}
