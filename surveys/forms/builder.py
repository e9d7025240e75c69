"""Forms of the survey builder. They check what a person typed field by field and hand the
values to ``surveys.services.builder``; the rules a survey must keep live in the services,
whose refusals come back onto the form through ``add_service_error``."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from surveys.selectors.builder import touchpoint_choices
from touchpoints.models import Direction

from ..models import Question, Survey
from ..scale_labels import STANDARD_SCALE_LABELS, scale_label_pair
from ..services.builder import (
    CHOICE_TYPES,
    CHOICE_VALUE_MAX_LENGTH,
    SCALE_HELP,
    language_names,
)

LANGUAGE_CODES = [code for code, _own_name in settings.LANGUAGES]
NO_CHOICE = pgettext_lazy("empty choice", "— none —")
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
    return [*offered, *(code for code in LANGUAGE_CODES if code not in offered)]


def _language_choices() -> list[tuple[str, str]]:
    """(code, name in the page's language) per configured language; a callable, so that each form
    reads the names in the language of its request."""
    return list(language_names().items())


class SurveyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=200, error_messages={"required": _("Give the survey a name.")}
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Survey.Kind.choices,
        error_messages={"required": _("Choose a kind of survey.")},
    )
    languages = forms.MultipleChoiceField(
        choices=_language_choices,
        widget=forms.CheckboxSelectMultiple,
        label=_("Languages offered"),
        error_messages={"required": _("Offer at least one language.")},
    )
    default_language = forms.ChoiceField(
        choices=_language_choices,
        label=_("Default language"),
        help_text=_("Customers whose language is not offered get this one."),
    )
    touchpoint = forms.ModelChoiceField(
        queryset=touchpoint_choices(),
        required=False,
        label=_("Touchpoint"),
        empty_label=NO_CHOICE,
        help_text=_("For a transactional survey: the touchpoint it asks about."),
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
        self.language_names = language_names()
        for code, language in self.language_names.items():
            self.fields[f"title_{code}"] = forms.CharField(
                max_length=200,
                required=False,
                label=gettext("Title (%(language)s)") % {"language": language},
                widget=forms.TextInput(attrs={"lang": code}),
            )
            self.fields[f"intro_{code}"] = forms.CharField(
                required=False,
                label=gettext("Introduction (%(language)s)") % {"language": language},
                widget=forms.Textarea(attrs={"rows": 3, "lang": code}),
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
        for code in LANGUAGE_CODES:
            initial[f"title_{code}"] = survey.titles.get(code, "")
            initial[f"intro_{code}"] = survey.intros.get(code, "")
        return initial

    def language_sections(self) -> list[dict]:
        """Per configured language: its name and its title and introduction fields."""
        return [
            {"code": code, "name": language, "title": self[f"title_{code}"], "intro": self[f"intro_{code}"]}
            for code, language in self.language_names.items()
        ]

    def clean(self):
        cleaned = super().clean()
        offered = cleaned.get("languages") or []
        default = cleaned.get("default_language")
        if offered and default and default not in offered:
            message = gettext("The default language must be one of the languages offered.")
            self.add_error("default_language", message)
        for code in offered:
            if not (cleaned.get(f"title_{code}") or "").strip():
                message = gettext("Write the title in %(language)s: the survey offers it.")
                self.add_error(f"title_{code}", message % {"language": self.language_names[code]})
        return cleaned

    def service_kwargs(self) -> dict:
        """The cleaned values as ``survey_create``/``survey_update`` take them."""
        data = self.cleaned_data
        default = data["default_language"]
        offered = [
            default,
            *(code for code in LANGUAGE_CODES if code in data["languages"] and code != default),
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

    type = forms.ChoiceField(choices=Question.Type.choices, label=_("Question type"))
    required = forms.BooleanField(required=False, initial=True, label=_("An answer is required"))
    scale_min = forms.IntegerField(required=False, label=_("Lowest point"), help_text=SCALE_HELP)
    scale_max = forms.IntegerField(required=False, label=_("Highest point"))
    direction = forms.ChoiceField(
        choices=Direction.choices,
        required=False,
        label=_("Direction"),
        initial=Direction.HIGHER_IS_BETTER,
        help_text=_("Expectation pairs only: is a higher number better (quality) or worse (waiting time)?"),
    )
    driver = forms.ChoiceField(
        choices=[("", NO_CHOICE), *Question.Driver.choices],
        required=False,
        label=_("Driver dimension"),
        help_text=_("CSAT, CES, rating and expectation questions: the experience dimension it measures."),
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
        self.language_names = language_names()
        for code in self.languages:
            self._add_language_fields(code, offered=code in survey.languages)
        existing = len(question.choices) if question is not None else 0
        self.choice_row_count = min(
            MAX_CHOICE_ROWS, max(existing + EXTRA_CHOICE_ROWS, 4, self._posted_choice_rows())
        )
        for row in range(self.choice_row_count):
            self._add_choice_fields(row)

    def _add_language_fields(self, code: str, *, offered: bool) -> None:
        """The question's text and its scale's end labels in the language ``code``."""
        language = {"language": self.language_names[code]}
        self.fields[f"text_{code}"] = forms.CharField(
            required=offered,
            label=gettext("Question text (%(language)s)") % language,
            help_text="" if offered else gettext("Optional: the survey does not offer this language yet."),
            widget=forms.Textarea(attrs={"rows": 2, "lang": code}),
            error_messages={
                "required": gettext("Write the question in %(language)s: the survey offers it.") % language
            },
        )
        self.fields[f"scale_low_{code}"] = forms.CharField(
            required=False,
            max_length=100,
            label=gettext("Label of the lowest point (%(language)s)") % language,
        )
        self.fields[f"scale_high_{code}"] = forms.CharField(
            required=False,
            max_length=100,
            label=gettext("Label of the highest point (%(language)s)") % language,
        )

    def _add_choice_fields(self, row: int) -> None:
        """Row ``row`` of the choices: its value and its label in each language. Laid out as a table
        whose headers name the columns; aria-label names each input."""
        label = gettext("Choice %(number)s: value") % {"number": row + 1}
        self.fields[f"choice_{row}_value"] = forms.CharField(
            required=False,
            max_length=CHOICE_VALUE_MAX_LENGTH,
            label=label,
            widget=forms.TextInput(attrs={"aria-label": label}),
        )
        for code in self.languages:
            label = gettext("Choice %(number)s: label (%(language)s)") % {
                "number": row + 1,
                "language": self.language_names[code],
            }
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
        for code in LANGUAGE_CODES:
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
            for code in LANGUAGE_CODES:
                initial[f"choice_{row}_label_{code}"] = choice.get("labels", {}).get(code, "")
        return initial

    # What the template lays out.
    def text_fields(self) -> list:
        return [self[f"text_{code}"] for code in self.languages]

    def scale_label_rows(self) -> list[dict]:
        return [
            {
                "name": self.language_names[code],
                "low": self[f"scale_low_{code}"],
                "high": self[f"scale_high_{code}"],
            }
            for code in self.languages
        ]

    def standard_label_rows(self) -> list[dict]:
        """Per standard question type: its name and, as one line, its standard end labels in this
        form's languages ("Likelihood to recommend (0–10): English “…” / “…”; …")."""
        rows = []
        for question_type, labels in STANDARD_SCALE_LABELS.items():
            name = Question.Type(question_type).label
            pairs = pgettext("list separator between languages", "; ").join(
                gettext("%(language)s “%(low)s” / “%(high)s”")
                % {"language": self.language_names[code], "low": labels[code][0], "high": labels[code][1]}
                for code in self.languages
                if code in labels
            )
            summary = gettext("%(question_type)s: %(labels)s") % {"question_type": name, "labels": pairs}
            rows.append({"type": question_type, "name": name, "summary": summary})
        return rows

    def language_headers(self) -> list[str]:
        return [self.language_names[code] for code in self.languages]

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
                self.add_error(f"choice_{row}_value", gettext("Give this choice a value, e.g. price."))
                continue
            if value in seen:
                message = gettext("The value “%(value)s” is already used by another choice.")
                self.add_error(f"choice_{row}_value", message % {"value": value})
            seen.add(value)
            for code in self.survey.languages:
                if not labels.get(code):
                    message = gettext("Label this choice in %(language)s: the survey offers it.")
                    language = self.language_names[code]
                    self.add_error(f"choice_{row}_label_{code}", message % {"language": language})
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
