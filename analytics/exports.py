"""Downloads of a dashboard's data as CSV (one table) or XLSX (every table, one sheet each).

Both are safe against formula injection (CSV/XLSX injection, OWASP): a text cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading single
quote, so a comment such as ``=HYPERLINK(…)`` reaches the spreadsheet as text. Numbers stay
numbers (a negative NPS is not text a customer wrote). Aware datetimes are written in the
platform's time zone; XLSX drops the characters XML cannot hold.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
SHEET_NAME_MAX = 31


@dataclass(frozen=True)
class ExportTable:
    """One table of a download: ``name`` is its key (the CSV ``table`` parameter, the sheet name),
    ``title`` what a person reads, ``columns`` the header row (name and unit)."""

    name: str
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence] = field(default_factory=list)


def safe_text(value: str) -> str:
    """``value`` with a leading single quote when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def _local(moment: datetime) -> datetime:
    """An aware datetime in the platform's time zone, without tzinfo (as spreadsheets hold it)."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment, timezone.get_default_timezone())
    return moment.replace(tzinfo=None, microsecond=0)


def csv_cell(value) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _local(value).isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def xlsx_cell(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, int | float | date):
        return value
    return safe_text(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(table: ExportTable, *, filename: str) -> HttpResponse:
    """The table as a UTF-8 CSV file (with a byte-order mark, so spreadsheets read 简体中文 right)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([csv_cell(column) for column in table.columns])
    writer.writerows([csv_cell(value) for value in row] for row in table.rows)
    return _attachment(HttpResponse(buffer.getvalue(), content_type=CSV_CONTENT_TYPE), filename)


def _sheet_name(name: str, taken: set[str]) -> str:
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in name)[:SHEET_NAME_MAX] or "Sheet"
    candidate, number = cleaned, 1
    while candidate in taken:
        number += 1
        suffix = f" {number}"
        candidate = cleaned[: SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def xlsx_bytes(tables: Sequence[ExportTable], *, about: Sequence[tuple[str, str]] = ()) -> bytes:
    """Every table on its own sheet (named by its machine name), after an "About" sheet of ``about``
    (label, value) lines for people, named in the active language."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    if about:
        sheet = workbook.create_sheet(_sheet_name(pgettext("spreadsheet sheet", "About"), taken))
        for label, value in about:
            sheet.append([xlsx_cell(label), xlsx_cell(value)])
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.name, taken))
        sheet.append([xlsx_cell(column) for column in table.columns])
        for row in table.rows:
            sheet.append([xlsx_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    tables: Sequence[ExportTable], *, filename: str, about: Sequence[tuple[str, str]] = ()
) -> HttpResponse:
    return _attachment(
        HttpResponse(xlsx_bytes(tables, about=about), content_type=XLSX_CONTENT_TYPE), filename
    )
