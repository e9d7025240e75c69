"""Display labels of dimension values (touchpoint names, stage labels, …) for breakdowns."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from journeys.models import JourneyMap
from surveys.models import Survey
from touchpoints.models import Channel, Stage, Touchpoint

NONE_LABEL = {
    "survey": _("No survey"),
    "touchpoint": _("No touchpoint"),
    "stage": _("No stage"),
    "channel": _("No channel"),
    "segment": _("No segment"),
    "journey_map": _("Unmapped"),
}


def dimension_labels(dimension: str, keys: Iterable) -> dict:
    """``{key: label}`` for the values of ``dimension`` (one query at most), labels in the active
    language where they are the product's words (stages, channels, "No survey"), not data."""
    keys = list(keys)
    present = [key for key in keys if key not in (None, "")]
    if dimension == "touchpoint":
        names = dict(Touchpoint.objects.filter(id__in=present).values_list("id", "name"))
    elif dimension == "survey":
        names = dict(Survey.objects.filter(id__in=present).values_list("id", "name"))
    elif dimension == "journey_map":
        names = dict(JourneyMap.objects.filter(id__in=present).values_list("id", "name"))
    elif dimension == "stage":
        names = dict(Stage.choices)
    elif dimension == "channel":
        names = dict(Channel.choices)
    else:
        names = {key: str(key) for key in present}
    return {
        key: str(names.get(key, key)) if key not in (None, "") else str(NONE_LABEL[dimension]) for key in keys
    }
