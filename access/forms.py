"""The header's language switcher."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class LanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        choices=[("", _("As my browser")), *settings.LANGUAGES],
    )
    next = forms.CharField(required=False, max_length=2000)
