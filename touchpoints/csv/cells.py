"""Cells of the CSV files: reading typed values from text, writing values as safe text.

Export writes every text cell that a spreadsheet would run as a formula (one starting with
``= + - @``, a tab or a carriage return) behind a single quote; import takes that quote off
again, so an exported file imports back unchanged.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext, override, pgettext_lazy

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
TRUE_WORDS = frozenset({"true", "t", "yes", "y", "1"})
FALSE_WORDS = frozenset({"false", "f", "no", "n", "0", ""})
LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
# What a file of each kind holds, as a sentence names it ("an import of customers").
KIND_LABELS = {
    "customers": pgettext_lazy("CSV file kind", "customers"),
    "interactions": pgettext_lazy("CSV file kind", "interactions"),
}


class CsvFileError(ValueError):
    """The file as a whole cannot be imported (empty, not UTF-8, wrong columns); nothing was stored
    unless ``stored`` says otherwise."""

    def __init__(self, message: str, *, stored: int = 0):
        super().__init__(message)
        self.stored = stored


class CellError(ValueError):
    """One cell does not hold what its column needs."""


@dataclass(frozen=True, slots=True)
class RowError:
    """Why one row was refused: ``row`` is its number as a spreadsheet shows it (the header is
    row 1), ``field`` the column at fault ("" for the row as a whole)."""

    row: int
    field: str
    reason: str


@dataclass
class ImportReport:
    """What an import did: rows read, customers or interactions created and updated, and the
    refused rows with every reason (nothing of a refused row is stored)."""

    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def refused(self) -> int:
        return len({error.row for error in self.errors})

    @property
    def stored(self) -> int:
        return self.created + self.updated

    def refuse(self, row: int, errors: dict[str, list[str]]) -> None:
        for column, reasons in errors.items():
            self.errors.extend(RowError(row=row, field=column, reason=reason) for reason in reasons)


# --- Reading -----------------------------------------------------------------------------------


def text(value: str) -> str:
    """The cell's text, trimmed, without the quote an export put before a formula-like start."""
    value = value.strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def boolean(value: str) -> bool:
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(gettext("Write true or false (or yes/no, 1/0)."))


def number(value: str) -> float | None:
    """A decimal number with a point (``7.5``); empty is None."""
    value = value.strip()
    if not value:
        return None
    try:
        result = float(value)
    except ValueError:
        message = gettext("“%(value)s” is not a number (use a point for decimals: 7.5).")
        raise CellError(message % {"value": value}) from None
    if not math.isfinite(result):
        raise CellError(gettext("“%(value)s” is not a number.") % {"value": value})
    return result


def moment(value: str, *, now: datetime, future_slack: timedelta = timedelta(hours=1)) -> datetime:
    """An ISO 8601 date-time (``2024-05-01T14:30:00+02:00``; without an offset, the platform's
    time zone; a bare date is its midnight). Not in the future."""
    value = value.strip()
    if not value:
        raise CellError(gettext("Required: when it happened, e.g. 2024-05-01T14:30:00+02:00."))
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = datetime(day.year, day.month, day.day) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        message = gettext("“%(value)s” is not a date-time; write it as 2024-05-01T14:30:00+02:00.")
        raise CellError(message % {"value": value})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if parsed > now + future_slack:
        raise CellError(gettext("%(value)s is in the future: log contacts that happened.") % {"value": value})
    return parsed


def locale(value: str) -> str:
    code = value.strip().lower().replace("_", "-")
    if not code:
        return ""
    languages = [language for language, _name in settings.LANGUAGES]
    if not LOCALE.match(code) or code not in languages:
        message = gettext("“%(value)s” is not one of the product's languages: %(languages)s.")
        raise CellError(message % {"value": value, "languages": ", ".join(languages)})
    return code


def _by_label(choices) -> dict[str, str]:
    """Codes by their labels (lower case) in the active language."""
    return {str(label).lower(): code for code, label in choices}


def choice(choices) -> Callable[[str], str]:
    """A reader of one of ``choices``, by value or label in any case (the English label, as files
    are usually written, or the label in the active language); empty stays empty."""
    known: dict[str, str] = {}
    allowed = ", ".join(str(code) for code, _label in choices)

    def read(value: str) -> str:
        value = value.strip()
        if not value:
            return ""
        if not known:  # labels are translated lazily: read them once translations are ready
            with override("en"):
                known.update(_by_label(choices))
            known.update({str(code).lower(): code for code, _label in choices})
        found = known.get(value.lower()) or _by_label(choices).get(value.lower())
        if found is None:
            message = gettext("“%(value)s” is not one of: %(allowed)s.")
            raise CellError(message % {"value": value, "allowed": allowed})
        return found

    return read


# --- Writing -----------------------------------------------------------------------------------


def safe(value) -> str:
    """A value as CSV cell text that no spreadsheet runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    value = str(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
