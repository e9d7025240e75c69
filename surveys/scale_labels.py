"""The standard end labels of the NPS, CSAT and CES scales, per language (keys: ``QuestionType`` values)."""

from collections.abc import Iterator, Mapping

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

# The end labels of the standard questions' scales, (lowest, highest). The builder fills them into
# a new question in every language of the survey; Question.scale_labels_in falls back to them for
# a question stored without labels in a language (questions created before they existed). They
# are read from the catalogue of each language of ``settings.LANGUAGES`` (English where it has no
# translation), whatever language is active: they are survey content in the customer's language.
_STANDARD_ENDS: dict[str, tuple[Promise, Promise]] = {
    "nps": (
        pgettext_lazy("NPS scale end", "Not at all likely"),
        pgettext_lazy("NPS scale end", "Extremely likely"),
    ),
    "csat": (
        pgettext_lazy("CSAT scale end", "Very dissatisfied"),
        pgettext_lazy("CSAT scale end", "Very satisfied"),
    ),
    "ces": (
        pgettext_lazy("CES scale end", "Very difficult"),
        pgettext_lazy("CES scale end", "Very easy"),
    ),
}
NO_SCALE_LABELS = ("", "")


class StandardLabels(Mapping[str, tuple[str, str]]):
    """One standard scale's (lowest, highest) end labels per language code of ``settings.LANGUAGES``,
    as plain strings translated into that language."""

    def __init__(self, ends: tuple[Promise, Promise]):
        self._ends = ends

    def __getitem__(self, language: str) -> tuple[str, str]:
        if language not in self:
            raise KeyError(language)
        with translation.override(language):
            return str(self._ends[0]), str(self._ends[1])

    def __contains__(self, language: object) -> bool:
        return language in dict(settings.LANGUAGES)

    def __iter__(self) -> Iterator[str]:
        return iter([code for code, _name in settings.LANGUAGES])

    def __len__(self) -> int:
        return len(settings.LANGUAGES)

    def __repr__(self) -> str:
        return f"StandardLabels({dict(self)!r})"


STANDARD_SCALE_LABELS: dict[str, StandardLabels] = {
    question_type: StandardLabels(ends) for question_type, ends in _STANDARD_ENDS.items()
}


def scale_label_pair(value) -> tuple[str, str]:
    """A stored ``scale_labels`` entry as a (lowest, highest) pair of strings; anything else, no labels."""
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(end, str) for end in value):
        return value[0], value[1]
    return NO_SCALE_LABELS
