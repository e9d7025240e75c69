"""Writes of the survey builder: surveys, their questions, publishing, and survey rules.

Every function takes keyword-only arguments, runs in one transaction and
raises ``django.core.exceptions.ValidationError`` (keyed by model field where
one is to blame) when the change is refused; nothing is written then.

The rules the builder keeps:

* **Status.** A survey is built as a *draft*, published (draft → live) once it
  can be answered in every language it offers, and closed (live → closed).
  A closed survey is read-only: its details and questions no longer change
  (its rules may still be deactivated or deleted).
* **Live surveys** stay editable where no answer can be harmed: details,
  texts and labels, the required flag, drivers, the order of questions, and
  new questions, which are appended at the end. Any change must leave the
  survey answerable in every offered language, so a language can be added to
  a live survey only once its title and every question text exist in it, and
  a live survey keeps at least one question.
* **Answered questions** (at least one stored Answer) are never changed
  destructively; see ``question_update`` and ``question_delete``.
"""

from .common import (
    CHOICE_TYPES,
    CHOICE_VALUE_MAX_LENGTH,
    DRIVER_TYPES,
    FIXED_SCALES,
    PAIR_SCALE_LOWEST,
    RATING_SCALE_HIGHEST,
    RATING_SCALE_LOWEST,
    RULE_DELAY_MAX_HOURS,
    SCALE_HELP,
    SCALED_TYPES,
    language_names,
)
from .questions import question_create, question_delete, question_move, question_update
from .rules import survey_rule_create, survey_rule_delete, survey_rule_set_active
from .surveys import survey_close, survey_create, survey_publish, survey_update

__all__ = [
    "CHOICE_TYPES",
    "CHOICE_VALUE_MAX_LENGTH",
    "DRIVER_TYPES",
    "FIXED_SCALES",
    "PAIR_SCALE_LOWEST",
    "RATING_SCALE_HIGHEST",
    "RATING_SCALE_LOWEST",
    "RULE_DELAY_MAX_HOURS",
    "SCALED_TYPES",
    "SCALE_HELP",
    "language_names",
    "question_create",
    "question_delete",
    "question_move",
    "question_update",
    "survey_close",
    "survey_create",
    "survey_publish",
    "survey_rule_create",
    "survey_rule_delete",
    "survey_rule_set_active",
    "survey_update",
]
