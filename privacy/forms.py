"""The erasure confirmation form."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from touchpoints.models import Customer


class CustomerEraseForm(forms.Form):
    """Erasure is irreversible: the manager types the customer's external id to confirm it is this one."""

    confirm = forms.CharField(
        max_length=200,
        label=_("Type the customer's external id to confirm"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, customer: Customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm(self) -> str:
        typed = self.cleaned_data["confirm"].strip()
        if typed != self.customer.external_id:
            raise ValidationError(gettext("That is not this customer's external id; nothing was erased."))
        return typed
