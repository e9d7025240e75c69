"""CSV import of customers and interactions, for CX managers."""

import io

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from access.roles import MANAGER, role_required

from .. import csv as csv_files
from ..forms import CsvImportForm

# The page lists this many refused rows; the command line reports them all.
ERRORS_SHOWN = 1000


@role_required(MANAGER)
@require_http_methods(["GET", "POST"])
def csv_import(request: HttpRequest) -> HttpResponse:
    """Upload a customers or interactions file; the page shows what was stored and what was refused."""
    # Bound on every POST, an empty one included: it gets "required", never the GET page.
    posted = request.method == "POST"
    form = CsvImportForm(request.POST if posted else None, request.FILES if posted else None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error(
                "file", gettext("The file is not UTF-8 text. Save it as “CSV UTF-8” and try again.")
            )
        else:
            try:
                stream = io.StringIO(text, newline="")
                report = csv_files.csv_import(kind=form.cleaned_data["kind"], stream=stream)
            except csv_files.CsvFileError as error:
                form.add_error("file", str(error))
    context = {
        "form": form,
        "report": report,
        "errors_shown": report.errors[:ERRORS_SHOWN] if report else [],
    }
    return render(request, "touchpoints/csv_import.html", context)
