"""Forms of the journey-map editor.

The editor is one form: the map's details and rules (``JourneyMapForm``) and its steps in order
(``StepFormSet``: per step a touchpoint, its position, whether it starts or ends a journey, and
the touchpoint's floor). ``MapEditor`` is the working copy a manager edits: built from the saved
map, or from a post. Without script, the step buttons (add, move up or down, remove) post the
whole form and come back with the change made and nothing saved; "Save" writes it all at once
through ``journeys.services.journey_map_update``. The script (``journey-map-editor.js``) makes the
same changes in the page and posts only to save or preview.
"""

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.forms import formset_factory
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from touchpoints.models import SCORE_MAX, SCORE_MIN, Stage, Touchpoint

from .models import TIMEOUT_DAYS_MAX, JourneyMap
from .services import STEPS_MAX, StepSpec

STEPS_PREFIX = "steps"


class JourneyMapCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("What customers are doing, e.g. “Online purchase” or “Moving house”."),
        error_messages={"required": _("Give the journey map a name.")},
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class JourneyMapForm(JourneyMapCreateForm):
    timeout_days = forms.IntegerField(
        label=_("Inactivity timeout (days)"),
        min_value=1,
        max_value=TIMEOUT_DAYS_MAX,
        help_text=_("An open journey with no interaction for this many days is abandoned (1–365)."),
        error_messages={"required": _("Say after how many days without contact a journey is abandoned.")},
    )
    concurrent = forms.BooleanField(
        label=_("A customer may have several open journeys of this map at once (e.g. two orders)"),
        required=False,
    )
    include_outside = forms.BooleanField(
        label=_("Interactions at touchpoints outside the map join an open journey (e.g. a support call)"),
        required=False,
    )

    @staticmethod
    def initial_for(journey_map: JourneyMap) -> dict:
        return {
            "name": journey_map.name,
            "description": journey_map.description,
            "timeout_days": journey_map.timeout_days,
            "concurrent": journey_map.concurrent,
            "include_outside": journey_map.include_outside,
        }


class StepForm(forms.Form):
    touchpoint = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    position = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=STEPS_MAX)
    starts = forms.BooleanField(label=_("Starts a journey"), required=False)
    ends = forms.BooleanField(label=_("Ends a journey"), required=False)
    floor_score = forms.FloatField(
        label=_("Floor (0–10)"),
        required=False,
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "class": "floor-input"}),
    )


class BaseStepFormSet(forms.BaseFormSet):
    """The steps, each knowing its touchpoint (``form.step_touchpoint``, None if there is no such one)."""

    def __init__(self, *args, catalogue: Mapping[int, Touchpoint], **kwargs):
        self.catalogue = catalogue
        super().__init__(*args, prefix=STEPS_PREFIX, **kwargs)

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.empty_permitted = False  # every row posted is a step: a blank one is an error, not skipped
        form.step_touchpoint = self.catalogue.get(_integer(form["touchpoint"].value()))
        return form

    def clean(self):
        if any(self.errors):
            return
        rows = [form.cleaned_data for form in self.forms]
        if not rows:
            raise ValidationError(gettext("A journey map needs at least one step: add a touchpoint."))
        problems, seen = [], set()
        for row in rows:
            touchpoint = self.catalogue.get(row["touchpoint"])
            if touchpoint is None:
                problems.append(gettext("There is no touchpoint %(id)s.") % {"id": row["touchpoint"]})
            elif row["touchpoint"] in seen:
                message = gettext("“%(touchpoint)s” is in the map twice: a touchpoint can be one step only.")
                problems.append(message % {"touchpoint": touchpoint.name})
            seen.add(row["touchpoint"])
        if sorted(row["position"] for row in rows) != list(range(1, len(rows) + 1)):
            problems.append(gettext("Step positions must run 1, 2, 3… without gaps or repeats."))
        if problems:
            raise ValidationError(problems)


StepFormSet = formset_factory(
    StepForm,
    formset=BaseStepFormSet,
    extra=0,
    max_num=STEPS_MAX,
    validate_max=True,
    absolute_max=STEPS_MAX,
)


def _integer(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


ACTIONS = ("save", "preview", "add", "move", "remove")
NO_CHOICE = pgettext_lazy("empty choice", "— choose a touchpoint —")


class MapEditor:
    """The editor's working copy of one map: ``form`` (details and rules) and ``steps`` (the
    formset), with the touchpoint catalogue grouped by stage for the "add a step" control.

    From the saved map (no ``data``), or from a post whose ``action`` is one of ``ACTIONS``:
    "save" and "preview" validate the post as it is; "add", "move" and "remove" apply that change
    to the posted rows and show the result unvalidated and unsaved (``changed``).
    """

    def __init__(self, *, journey_map: JourneyMap, catalogue: Iterable[Touchpoint], data=None):
        self.journey_map = journey_map
        self.catalogue = {touchpoint.id: touchpoint for touchpoint in catalogue}
        self.action = _action_of(data)
        self.add_error_message = ""
        self.other_errors: list[str] = []
        # Where the page puts the focus after a change made without script: the "add" control, or
        # the move button ("up", "down") of the step now at ``focus_index``.
        self.focus, self.focus_index = "", None
        if data is None:
            steps = journey_map.step_list
            self.form = JourneyMapForm(initial=JourneyMapForm.initial_for(journey_map))
            self._rows([self._row(s.touchpoint, s.position, s.starts, s.ends) for s in steps])
        elif self.action in ("save", "preview"):
            self.form = JourneyMapForm(data)
            self.steps = StepFormSet(data, catalogue=self.catalogue)
        else:
            posted = StepFormSet(data, catalogue=self.catalogue)
            rows = [{name: form[name].value() for name in StepForm.base_fields} for form in posted.forms]
            bound = JourneyMapForm(data)
            self.form = JourneyMapForm(initial={name: bound[name].value() for name in bound.fields})
            self._rows(getattr(self, f"_{self.action}")(rows, data))

    @property
    def changed(self) -> bool:
        """Whether the page shows something other than the saved map."""
        return self.action is not None

    def _row(self, touchpoint: Touchpoint, position: int, starts: bool, ends: bool) -> dict:
        return {
            "touchpoint": touchpoint.id,
            "position": position,
            "starts": starts,
            "ends": ends,
            "floor_score": touchpoint.floor_score,
        }

    def _rows(self, rows: list[dict]) -> None:
        for position, row in enumerate(rows, start=1):
            row["position"] = position
        self.steps = StepFormSet(initial=rows, catalogue=self.catalogue)

    def _add(self, rows: list[dict], data) -> list[dict]:
        touchpoint = self.catalogue.get(_integer(data.get("add_touchpoint")))
        self.focus = "add"
        if touchpoint is None or not touchpoint.active:
            self.add_error_message = gettext("Choose a touchpoint to add.")
        elif any(_integer(row["touchpoint"]) == touchpoint.id for row in rows):
            message = gettext("“%(touchpoint)s” is already a step of this map.")
            self.add_error_message = message % {"touchpoint": touchpoint.name}
        elif len(rows) >= STEPS_MAX:
            self.add_error_message = gettext("A journey map has at most %(max)s steps.") % {"max": STEPS_MAX}
        else:
            rows.append(self._row(touchpoint, len(rows) + 1, False, False))
        return rows

    def _move(self, rows: list[dict], data) -> list[dict]:
        index, _, direction = str(data.get("move", "")).partition(":")
        index = _integer(index)
        target = None if index is None else index + (-1 if direction == "up" else 1)
        if direction in ("up", "down") and 0 <= index < len(rows) and 0 <= target < len(rows):
            rows[index], rows[target] = rows[target], rows[index]
            self.focus, self.focus_index = direction, target
        return rows

    def _remove(self, rows: list[dict], data) -> list[dict]:
        index = _integer(data.get("remove"))
        if index is not None and 0 <= index < len(rows):
            del rows[index]
            self.focus = "add"
        return rows

    def is_valid(self) -> bool:
        """Whether a "save" or "preview" post is valid (False for the other actions: nothing to save)."""
        if self.action not in ("save", "preview"):
            return False
        return self.form.is_valid() & self.steps.is_valid()

    def add_service_error(self, error: ValidationError) -> None:
        """A refusal of the service, on the field it names, or above the steps."""
        if not hasattr(error, "error_dict"):
            self.other_errors += error.messages
            return
        for field, errors in error.error_dict.items():
            if field in self.form.fields:
                self.form.add_error(field, errors)
            else:
                self.other_errors += [message for e in errors for message in e.messages]

    def step_specs(self) -> list[StepSpec]:
        rows = sorted((form.cleaned_data for form in self.steps.forms), key=lambda row: row["position"])
        return [
            StepSpec(row["touchpoint"], row["position"], row["starts"], row["ends"], row["floor_score"])
            for row in rows
        ]

    def service_kwargs(self) -> dict:
        """What ``journey_map_update`` takes, from a valid post."""
        data = self.form.cleaned_data
        return {
            "name": data["name"],
            "description": data["description"],
            "timeout_days": data["timeout_days"],
            "concurrent": data["concurrent"],
            "include_outside": data["include_outside"],
            "steps": self.step_specs(),
        }

    def preview_kwargs(self) -> dict:
        """What ``journey_map_preview`` takes, from a valid post."""
        data = self.form.cleaned_data
        return {
            "map_id": self.journey_map.id,
            "steps": [(s.touchpoint_id, s.position, s.starts, s.ends) for s in self.step_specs()],
            "timeout_days": data["timeout_days"],
            "concurrent": data["concurrent"],
            "include_outside": data["include_outside"],
        }

    def errors_above(self) -> list[str]:
        """The errors of the steps as a whole, and the service's, shown above the steps."""
        formset_errors = list(self.steps.non_form_errors()) if self.steps.is_bound else []
        return formset_errors + self.other_errors

    def stages(self) -> list[dict]:
        """The catalogue by stage, in journey order, for the "add a step" control: each touchpoint
        with ``in_map`` (already a step of the working copy: not offered again)."""
        in_map = {_integer(form["touchpoint"].value()) for form in self.steps.forms}
        groups = []
        for stage, label in Stage.choices:
            touchpoints = [
                {"touchpoint": touchpoint, "in_map": touchpoint.id in in_map}
                for touchpoint in self.catalogue.values()
                if touchpoint.stage == stage and touchpoint.active
            ]
            if touchpoints:
                groups.append({"stage": stage, "label": label, "touchpoints": touchpoints})
        return groups


def _action_of(data) -> str | None:
    """What a post asks: a step button's name, else the "action" button's value (Enter: save)."""
    if data is None:
        return None
    for name in ("add", "move", "remove"):
        if name in data:
            return name
    return "preview" if data.get("action") == "preview" else "save"
