"""The CSV import form (the ledger's file door for CX managers)."""

from django import forms
from django.core.exceptions import ValidationError

# An upload is imported inside the request: keep it well within the web worker's timeout
# (~50,000 rows at a few thousand rows per second). Larger files: ``manage.py import_csv``.
CSV_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


class CsvImportForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("customers", "Customers"), ("interactions", "Interactions")],
        widget=forms.RadioSelect,
        initial="customers",
        label="What the file holds",
    )
    file = forms.FileField(
        label="CSV file (UTF-8)",
        help_text="Up to 5 MB (about 50,000 rows); larger files go through “manage.py import_csv”.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > CSV_UPLOAD_MAX_BYTES:
            raise ValidationError("The file is over 5 MB: import it with “manage.py import_csv” instead.")
        return upload
