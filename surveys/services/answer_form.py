"""The answer form of one survey, built from its questions, in the customer's language.

Field names: ``q<id>`` per question, plus ``q<id>-expected`` for the expectation half of an
expectation/experience pair (``q<id>`` then holds the experience). Every value is checked against its
question: whole numbers on the question's scale, choices among the question's values, text within
``SURVEY_TEXT_MAX_LENGTH``, required questions answered. A posted ``q…`` field the survey does not
have (a stale or forged form) refuses the whole submission; other extra fields are ignored. Messages
come in the form's language from the gettext catalogues (``surveys.languages.fixed_words_in``),
whatever language is active.

The page is rendered by hand (fieldset and legend per question, radio buttons styled as a row of
buttons), so the form hands the template plain rows (:meth:`AnswerForm.rows`) instead of Django widgets.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext, ngettext, pgettext

from surveys.languages import fixed_words_in
from surveys.models import Question, QuestionType

# Scales fixed by definition (metrics.md; the database enforces them too).
FIXED_SCALES = {QuestionType.NPS: (0, 10), QuestionType.CSAT: (1, 5), QuestionType.CES: (1, 7)}
DEFAULT_RATING_SCALE = (1, 5)
DEFAULT_PAIR_SCALE = (1, 10)
# Up to this many points a scale is a row of buttons; a longer one is a number input.
MAX_BUTTONS = 11

_WHOLE_NUMBER = re.compile(r"[0-9]{1,6}")
_QUESTION_FIELD = re.compile(r"q[0-9]")
EXPECTED_SUFFIX = "-expected"


def question_scale(question: Question) -> tuple[int, int]:
    """The lowest and highest whole number a scale question accepts, and the buttons the page shows.

    NPS, CSAT and CES have fixed scales. A rating uses its own bounds (1–5 when unset), floored at 0
    because scores are never negative; an expectation pair asks both halves on its scale (1–10 when
    unset, as the builder stores a pair left without one), floored at 1 because an expectation must
    be above 0.
    """
    if question.type in FIXED_SCALES:
        return FIXED_SCALES[question.type]
    pair = question.type == QuestionType.EXPECTATION_EXPERIENCE
    default_low, default_high = DEFAULT_PAIR_SCALE if pair else DEFAULT_RATING_SCALE
    low = default_low if question.scale_min is None else question.scale_min
    high = default_high if question.scale_max is None else question.scale_max
    low = max(low, 1 if pair else 0)
    return low, max(low, high)


class _Repeated(list):
    """A single-valued field posted more than once: refused, never silently resolved."""


class _SingleValue(forms.Widget):
    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist") and len(data.getlist(name)) > 1:
            return _Repeated(data.getlist(name))
        return data.get(name)


class WholeNumberField(forms.Field):
    """A whole number within [low, high]; digits only, so "7.5", "7.0", "-1" and " 7" are refused."""

    widget = _SingleValue

    def __init__(self, *, low: int, high: int, message: str, **kwargs):
        super().__init__(**kwargs)
        self.low, self.high, self.message = low, high, message

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, str) or not _WHOLE_NUMBER.fullmatch(value):
            raise ValidationError(self.message, code="invalid")
        number = int(value)
        if not self.low <= number <= self.high:
            raise ValidationError(self.message, code="out_of_range")
        return number


class SingleChoiceField(forms.ChoiceField):
    widget = _SingleValue


class AnswerTextField(forms.CharField):
    widget = _SingleValue

    def to_python(self, value):
        if value not in self.empty_values and not isinstance(value, str):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


@dataclass(frozen=True)
class AnswerValue:
    """One valid answer, in the shape of an ``Answer`` row."""

    question: Question
    score: float | None = None
    expected: float | None = None
    text: str = ""
    choices: list[str] = field(default_factory=list)


@dataclass
class Option:
    id: str
    value: str
    label: str
    checked: bool
    hint: str = ""  # the end label of a scale's first and last button, for screen readers


@dataclass
class Scale:
    """One scale to render: a row of buttons, or a number input when it is long."""

    name: str
    id: str
    low: int
    high: int
    options: list[Option]
    as_number: bool
    value: str
    # ["0 = Not at all likely", "10 = Extremely likely"]; "" for an unlabelled end, [] for neither.
    ends: list[str]


@dataclass
class QuestionRow:
    """What the template needs to render one question."""

    question: Question
    kind: str  # scale, pair, single, multi, text
    number: int
    label: str  # "Question 2 of 5"
    text: str
    optional: bool
    id: str  # the first input's id: where the error summary links to
    error: str = ""
    scale: Scale | None = None
    expected: Scale | None = None  # pair only; ``scale`` is then the experience half
    options: list[Option] = field(default_factory=list)
    value: str = ""

    @property
    def error_id(self) -> str:
        return f"q{self.question.id}-error"

    @property
    def hint_id(self) -> str:
        return f"q{self.question.id}-hint"


def _choice_label(choice: dict, language: str) -> str:
    labels = choice.get("labels") or {}
    return labels.get(language) or next(iter(labels.values()), "") or str(choice["value"])


def _choices(question: Question) -> list[dict]:
    return [c for c in question.choices or [] if isinstance(c, dict) and "value" in c]


def _scale_end(value: int, label: str) -> str:
    """One end of a scale under its buttons ("0 = Not at all likely") in the active language; ""
    for an unlabelled end."""
    # Translators: one end of a scale under its buttons, e.g. "0 = Not at all likely".
    return pgettext("scale end", "%(value)s = %(label)s") % {"value": value, "label": label} if label else ""


def _form_messages() -> dict[str, str]:
    """The form's messages in the active language, but a scale's, which names its bounds."""
    limit = settings.SURVEY_TEXT_MAX_LENGTH
    return {
        "required": gettext("Please answer this question."),
        "pair": gettext("Please answer both parts: what you expected and what you got."),
        "choice": gettext("Choose one of the options shown."),
        "choices": gettext("Choose only among the options shown."),
        # Django fills in %(limit_value)d and %(show_value)d (the answer's length) when it refuses one.
        "text_length": ngettext(
            "Please keep your answer to %(limit_value)d character or fewer (it has %(show_value)d).",
            "Please keep your answer to %(limit_value)d characters or fewer (it has %(show_value)d).",
            limit,
        ),
        "character": gettext("Your answer contains a character that cannot be stored; please remove it."),
        "outdated": gettext(
            "This survey has changed since the page was opened. Please reload it and answer again."
        ),
    }


class AnswerForm(forms.Form):
    """Answers to ``questions`` (one survey's, in order), with messages in ``language``."""

    def __init__(self, *, questions: list[Question], language: str, data: Mapping | None = None):
        super().__init__(data=data)
        self.questions = questions
        self.language = language
        self._question_of: dict[str, Question] = {}
        with fixed_words_in(language):
            self.messages = _form_messages()
            for question in questions:
                for name, form_field in self._fields_for(question).items():
                    self.fields[name] = form_field
                    self._question_of[name] = question

    def _fields_for(self, question: Question) -> dict[str, forms.Field]:
        text, name = self.messages, f"q{question.id}"
        required_message = {"required": text["required"]}
        if question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
            values = [(str(c["value"]), str(c["value"])) for c in _choices(question)]
            if question.type == QuestionType.SINGLE_CHOICE:
                messages = required_message | {"invalid_choice": text["choice"]}
                return {
                    name: SingleChoiceField(
                        choices=values, required=question.required, error_messages=messages
                    )
                }
            messages = required_message | {
                "invalid_choice": text["choices"],
                "invalid_list": text["choices"],
            }
            return {
                name: forms.MultipleChoiceField(
                    choices=values, required=question.required, error_messages=messages
                )
            }
        if question.type == QuestionType.TEXT:
            limit = settings.SURVEY_TEXT_MAX_LENGTH
            messages = required_message | {
                "invalid": text["outdated"],
                "max_length": text["text_length"],
                "null_characters_not_allowed": text["character"],
            }
            return {
                name: AnswerTextField(required=question.required, max_length=limit, error_messages=messages)
            }
        low, high = question_scale(question)
        message = gettext("Choose a whole number from %(low)s to %(high)s.") % {"low": low, "high": high}
        if question.type == QuestionType.EXPECTATION_EXPERIENCE:
            # Both halves are checked together in clean(): one without the other is no answer.
            return {
                name + EXPECTED_SUFFIX: WholeNumberField(low=low, high=high, message=message, required=False),
                name: WholeNumberField(low=low, high=high, message=message, required=False),
            }
        return {
            name: WholeNumberField(
                low=low,
                high=high,
                message=message,
                required=question.required,
                error_messages=required_message,
            )
        }

    def clean(self):
        unknown = [key for key in self.data if _QUESTION_FIELD.match(key) and key not in self.fields]
        if unknown:
            raise ValidationError(self.messages["outdated"], code="unknown_question")
        for question in self.questions:
            if question.type != QuestionType.EXPECTATION_EXPERIENCE:
                continue
            name = f"q{question.id}"
            if name in self._errors or name + EXPECTED_SUFFIX in self._errors:
                continue
            halves = (self.cleaned_data.get(name + EXPECTED_SUFFIX), self.cleaned_data.get(name))
            if None not in halves:
                continue
            if halves != (None, None):
                self.add_error(name, self.messages["pair"])
            elif question.required:
                self.add_error(name, self.messages["required"])
        return self.cleaned_data

    def question_errors(self) -> dict[int | None, str]:
        """The first message per question id (``None``: about the form as a whole)."""
        errors: dict[int | None, str] = {}
        for name, messages in self.errors.items():
            key = None if name == NON_FIELD_ERRORS else self._question_of[name].id
            errors.setdefault(key, messages[0])
        return errors

    def answer_values(self) -> list[AnswerValue]:
        """The valid answers, one per answered question (call after ``is_valid()``)."""
        values = []
        for question in self.questions:
            value = self.cleaned_data.get(f"q{question.id}")
            if question.type == QuestionType.EXPECTATION_EXPERIENCE:
                expected = self.cleaned_data.get(f"q{question.id}{EXPECTED_SUFFIX}")
                if value is not None and expected is not None:
                    values.append(AnswerValue(question, score=float(value), expected=float(expected)))
            elif question.type == QuestionType.MULTI_CHOICE:
                chosen = set(value or [])
                if chosen:
                    ordered = [str(c["value"]) for c in _choices(question) if str(c["value"]) in chosen]
                    values.append(AnswerValue(question, choices=ordered))
            elif question.type == QuestionType.SINGLE_CHOICE:
                if value:
                    values.append(AnswerValue(question, choices=[value]))
            elif question.type == QuestionType.TEXT:
                if value:
                    values.append(AnswerValue(question, text=value))
            elif value is not None:
                values.append(AnswerValue(question, score=float(value)))
        return values

    # --- rendering ----------------------------------------------------------------------------

    def _posted(self, name: str) -> str:
        value = self.data.get(name) if self.is_bound else None
        return value if isinstance(value, str) else ""

    def _posted_list(self, name: str) -> set[str]:
        if not self.is_bound:
            return set()
        values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name)
        return {v for v in values if isinstance(v, str)} if isinstance(values, list) else set()

    def _scale(self, question: Question, name: str) -> Scale:
        low, high = question_scale(question)
        posted = self._posted(name)
        # Stored labels, else the standard wording of NPS, CSAT and CES (Question.scale_labels_in).
        labels = question.scale_labels_in(self.language)
        # Both ends keep their place (start, end) when only one is labelled.
        ends = [_scale_end(low, labels[0]), _scale_end(high, labels[1])] if any(labels) else []
        as_number = high - low + 1 > MAX_BUTTONS
        hints = {str(low): labels[0], str(high): labels[1]}
        numbers = [] if as_number else [str(n) for n in range(low, high + 1)]
        options = [
            Option(id=f"{name}-{n}", value=n, label=n, checked=posted == n, hint=hints.get(n, ""))
            for n in numbers
        ]
        return Scale(
            name=name,
            id=name if as_number else f"{name}-{low}",
            low=low,
            high=high,
            options=options,
            as_number=as_number,
            value=posted,
            ends=ends,
        )

    def rows(self, errors: Mapping[int | None, str] | None = None) -> list[QuestionRow]:
        """One row per question, with posted values kept and ``errors`` (question id → message) placed,
        its words in the form's language."""
        errors, rows, total = errors or {}, [], len(self.questions)
        with fixed_words_in(self.language):
            for number, question in enumerate(self.questions, start=1):
                name = f"q{question.id}"
                row = QuestionRow(
                    question=question,
                    kind="scale",
                    number=number,
                    label=gettext("Question %(number)s of %(total)s") % {"number": number, "total": total},
                    text=question.text_in(self.language),
                    optional=not question.required,
                    id=name,
                    error=errors.get(question.id, ""),
                )
                if question.type == QuestionType.TEXT:
                    row.kind, row.value = "text", self._posted(name)
                elif question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTI_CHOICE):
                    single = question.type == QuestionType.SINGLE_CHOICE
                    chosen = {self._posted(name)} if single else self._posted_list(name)
                    row.kind = "single" if single else "multi"
                    row.options = [
                        Option(
                            id=f"{name}-{index}",
                            value=str(choice["value"]),
                            label=_choice_label(choice, self.language),
                            checked=str(choice["value"]) in chosen,
                        )
                        for index, choice in enumerate(_choices(question), start=1)
                    ]
                    row.id = row.options[0].id if row.options else name
                elif question.type == QuestionType.EXPECTATION_EXPERIENCE:
                    row.kind = "pair"
                    row.expected = self._scale(question, name + EXPECTED_SUFFIX)
                    row.scale = self._scale(question, name)
                    row.id = row.expected.id
                else:
                    row.scale = self._scale(question, name)
                    row.id = row.scale.id
                rows.append(row)
        return rows
