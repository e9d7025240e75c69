"""The standard end labels of the NPS, CSAT and CES scales, per language (keys: ``QuestionType`` values)."""

# The end labels of the standard questions' scales, (lowest, highest), in every language the
# product has standard wording for. They are survey content in the customer's language, like
# surveys/public_text.py, not staff-facing text, hence a dictionary rather than gettext.
# The builder fills them into a new question; Question.scale_labels_in falls back to them for
# a question stored without labels in a language (questions created before they existed).
STANDARD_SCALE_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "nps": {
        "en": ("Not at all likely", "Extremely likely"),
        "zh-hans": ("完全不可能", "极有可能"),
    },
    "csat": {"en": ("Very dissatisfied", "Very satisfied"), "zh-hans": ("非常不满意", "非常满意")},
    "ces": {"en": ("Very difficult", "Very easy"), "zh-hans": ("非常困难", "非常容易")},
}
NO_SCALE_LABELS = ("", "")


def scale_label_pair(value) -> tuple[str, str]:
    """A stored ``scale_labels`` entry as a (lowest, highest) pair of strings; anything else, no labels."""
    if isinstance(value, list | tuple) and len(value) == 2 and all(isinstance(end, str) for end in value):
        return value[0], value[1]
    return NO_SCALE_LABELS
