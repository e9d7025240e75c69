"""Display labels of dimension values (touchpoint names, stage labels, …) for breakdowns."""

from collections.abc import Iterable

from journeys.models import JourneyMap
from surveys.models import Survey
from touchpoints.models import Channel, Stage, Touchpoint

NONE_LABEL = {
    "survey": "No survey",
    "touchpoint": "No touchpoint",
    "stage": "No stage",
    "channel": "No channel",
    "segment": "No segment",
    "journey_map": "Unmapped",
}


def dimension_labels(dimension: str, keys: Iterable) -> dict:
    """``{key: label}`` for the values of ``dimension`` (one query at most)."""
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
    return {key: names.get(key, str(key)) if key not in (None, "") else NONE_LABEL[dimension] for key in keys}
