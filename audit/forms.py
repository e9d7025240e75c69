from django import forms

from .models import AuditAction


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(choices=[("", "Every action"), *AuditAction.choices], required=False)
