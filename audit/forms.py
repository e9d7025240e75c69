from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Every action")), *AuditAction.choices], required=False
    )
