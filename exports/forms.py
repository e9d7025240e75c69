"""The raw-export form: what to export and as what; the rows are narrowed by the dashboards'
filter bar (``analytics.forms.DashboardFilterForm``), posted with it."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ExportFormat, ExportKind


class ExportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What"),
        choices=ExportKind.choices,
        initial=ExportKind.RESPONSES_WIDE,
        widget=forms.RadioSelect,
    )
    file_format = forms.ChoiceField(
        label=_("Format"), choices=ExportFormat.choices, initial=ExportFormat.CSV, widget=forms.RadioSelect
    )
