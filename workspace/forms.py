"""Forms of the agent workspace: finding a customer and logging an interaction.

They check what a person typed field by field; ``interaction_log`` applies the model's rules
again, and its refusals come back onto the form through ``add_service_error``.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext, pgettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from journeys.selectors import journey_reference_owner
from touchpoints.models import (
    SCORE_MAX,
    SCORE_MIN,
    Channel,
    Customer,
    Interaction,
    InteractionOutcome,
    Touchpoint,
)
from touchpoints.selectors import SEARCH_MAX_LENGTH, touchpoints_for_logging

JOURNEY_REF_MAX_LENGTH = Interaction._meta.get_field("journey_ref").max_length


def add_service_error(form: forms.Form, error: ValidationError) -> None:
    """Show a service's refusal on the field it names where the form has it, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX_LENGTH * 2,
        label=_("Find a customer"),
        widget=forms.SearchInput(
            attrs={
                "placeholder": _("Name, email, phone or customer id"),
                "autocomplete": "off",
                "spellcheck": "false",
                "autofocus": True,
                "data-search-input": "",
            }
        ),
    )


class TouchpointSelect(forms.Select):
    """Options carry the touchpoint's channel and measure, so the page can pre-fill the channel
    and show the expected/actual fields only where they mean something."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        touchpoint = getattr(value, "instance", None)
        if isinstance(touchpoint, Touchpoint):
            option["attrs"]["data-channel"] = touchpoint.channel
            if touchpoint.has_measure:
                option["attrs"]["data-measure"] = touchpoint.measure_name
                option["attrs"]["data-unit"] = touchpoint.measure_unit
        return option


class TouchpointChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Touchpoint) -> str:
        return pgettext("touchpoint option: name · stage", "%(name)s · %(stage)s") % {
            "name": obj.name,
            "stage": obj.get_stage_display(),
        }


class InteractionLogForm(forms.Form):
    touchpoint = TouchpointChoiceField(
        queryset=None,
        widget=TouchpointSelect(attrs={"data-touchpoint-select": ""}),
        label=_("Touchpoint"),
        empty_label=_("Choose a touchpoint…"),
        error_messages={"required": _("Choose the touchpoint this contact was at.")},
    )
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[("", _("As touchpoint")), *Channel.choices],
        required=False,
        widget=forms.Select(attrs={"data-channel-select": ""}),
    )
    category = forms.CharField(
        label=_("Category"),
        max_length=100,
        required=False,
        help_text=_("What it was about, e.g. “Late delivery”."),
        widget=forms.TextInput(attrs={"list": "interaction-categories", "autocomplete": "off"}),
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *InteractionOutcome.choices], required=False
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("What the customer said, what you did.")}),
    )
    experience_score = forms.IntegerField(
        required=False,
        min_value=SCORE_MIN,
        max_value=SCORE_MAX,
        label=_("Experience (0–10)"),
        help_text=_(
            "How it went for the customer, as you judge it: 0 awful, 5 neutral, 10 delighted. "
            "Leave it empty if you cannot tell."
        ),
        error_messages={
            "min_value": _("The experience is on a 0–10 scale."),
            "max_value": _("The experience is on a 0–10 scale."),
            "invalid": _("Enter a whole number from 0 to 10."),
        },
    )
    expected_value = forms.FloatField(
        required=False,
        label=pgettext_lazy("measure value", "Expected"),
        help_text=_("The value promised to the customer."),
    )
    actual_value = forms.FloatField(
        required=False,
        min_value=0,
        label=pgettext_lazy("measure value", "Actual"),
        help_text=_("The value delivered."),
        error_messages={"min_value": _("The actual value cannot be negative.")},
    )
    # The agent does not pick a journey: the journey maps' rules place the contact. A reference the
    # customer gives (an order or ticket number) puts it on that journey instead, created if need be.
    journey_ref = forms.CharField(
        label=_("Journey reference"),
        max_length=JOURNEY_REF_MAX_LENGTH,
        required=False,
        help_text=_(
            "Optional: the order or ticket number this contact is about. Contacts with the same "
            "reference make one journey; leave it empty and the journey maps place the contact."
        ),
        error_messages={
            "max_length": _(
                "A journey reference has at most %(limit_value)d characters (this one has %(show_value)d)."
            )
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer
        self.fields["touchpoint"].queryset = touchpoints_for_logging()

    def clean_journey_ref(self) -> str:
        reference = self.cleaned_data.get("journey_ref", "").strip()
        owner = journey_reference_owner(external_id=reference) if reference else None
        if owner is not None and owner != self.customer.id:
            raise ValidationError(
                _("This reference belongs to another customer's journey."), code="other_customer"
            )
        return reference

    def clean_expected_value(self):
        value = self.cleaned_data.get("expected_value")
        if value is not None and not value > 0:
            raise ValidationError(_("The expected value must be greater than 0."), code="not_positive")
        return value

    def clean(self):
        cleaned = super().clean()
        touchpoint = cleaned.get("touchpoint")
        if touchpoint is not None and not touchpoint.has_measure:
            for field in ("expected_value", "actual_value"):
                if cleaned.get(field) is not None:
                    message = gettext("%(touchpoint)s has no measure: leave this empty.")
                    self.add_error(field, message % {"touchpoint": touchpoint.name})
        return cleaned

    def service_kwargs(self) -> dict:
        """The keyword arguments of ``interaction_log`` (besides customer and agent)."""
        data = self.cleaned_data
        score = data.get("experience_score")
        return {
            "touchpoint": data["touchpoint"],
            "channel": data.get("channel") or "",
            "category": data.get("category", "").strip(),
            "outcome": data.get("outcome") or "",
            "notes": data.get("notes", "").strip(),
            "experience_score": float(score) if score is not None else None,
            "expected_value": data.get("expected_value"),
            "actual_value": data.get("actual_value"),
            "journey_ref": data.get("journey_ref", ""),
        }
