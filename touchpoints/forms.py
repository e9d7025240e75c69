"""The CSV import form (the ledger's file door for CX managers)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# An upload is imported inside the request: keep it well within the web worker's timeout
# (~50,000 rows at a few thousand rows per second). Larger files: ``manage.py import_csv``.
CSV_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
CSV_UPLOAD_MAX_MB = CSV_UPLOAD_MAX_BYTES // (1024 * 1024)
CSV_UPLOAD_ROWS_ABOUT = 50_000


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("customers", _("Customers")), ("interactions", _("Interactions"))],
        widget=forms.RadioSelect,
        initial="customers",
        label=_("What the file holds"),
    )
    file = forms.FileField(
        label=_("CSV file (UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Built per form, in the request's language: the numbers are formatted for it too.
        self.fields["file"].help_text = gettext(
            "Up to %(size)s MB (about %(rows)s rows); larger files go through “manage.py import_csv”."
        ) % {"size": CSV_UPLOAD_MAX_MB, "rows": number_format(CSV_UPLOAD_ROWS_ABOUT, force_grouping=True)}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_UPLOAD_MAX_BYTES:
            raise ValidationError(
                gettext("The file is over %(size)s MB: import it with “manage.py import_csv” instead.")
                % {"size": CSV_UPLOAD_MAX_MB},
                code="too_large",
            )
        return upload
