"""How the dashboards write numbers and days for people, in the active language.

Text built in Python (card notes, table cells, chart hover text and annotations) goes through
these, so a number or a day reads as the language writes it (``django.utils.formats``): digits
grouped by the language's separator, a day as ``3 Mar 2025`` in English and ``2025年3月3日`` in
Chinese. Every number is rounded as Python's ``format`` rounds it (Django's ``number_format`` cuts
a float's digits), and a minus sign is a true minus (−). Exact values for ``data-`` attributes are
not these: see ``views.dashboards.common.raw``.
"""

import math
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats, timezone, translation
from django.utils.translation import gettext, ngettext, pgettext

MINUS = "−"
# The product's English writes days as British English does ("3 Mar 2025"); Django's "en" formats
# are American ("March 3, 2025"). Any other language writes them with its own Django formats.
ENGLISH_FORMATS = {
    "DATE_FORMAT": "j M Y",
    "MONTH_DAY_FORMAT": "j M",
    "YEAR_MONTH_FORMAT": "M Y",
    "DATETIME_FORMAT": "j M Y, H:i",
}


def not_available() -> str:
    """What an undefined figure (no data) reads as."""
    return pgettext("undefined figure", "n/a")


def number(value: float | None, digits: int = 1) -> str:
    """``value`` with ``digits`` decimals and grouped thousands, "n/a" when undefined."""
    if value is None:
        return not_available()
    if not math.isfinite(value):
        return "∞" if value > 0 else f"{MINUS}∞" if value < 0 else not_available()
    text = formats.number_format(Decimal(f"{value:.{digits}f}"), digits, force_grouping=True)
    return text.replace("-", MINUS)


def signed(value: float | None, digits: int = 1) -> str:
    """``value`` with its sign always written (+3.0, −2.5, +0.0), "n/a" when undefined."""
    text = number(value, digits)
    if value is None or text.startswith(MINUS) or text == not_available():
        return text
    return "+" + text


def count(value: int) -> str:
    """A whole number of things (answers, journeys) with its thousands grouped."""
    return formats.number_format(value, 0, force_grouping=True)


def percent(value: float | None, digits: int = 0) -> str:
    """``value`` (already in percent, 0…100) with the language's percent sign: "42 %", "42%"."""
    if value is None:
        return not_available()
    return pgettext("a percentage", "%(value)s %%") % {"value": number(value, digits)}


def duration_text(seconds: float | None, *, at_least: bool = False) -> str:
    """A duration for people: "under a minute", whole minutes below an hour, hours (one decimal)
    below two days, else days (one decimal); "at least …" for a lower bound; "n/a" when undefined."""
    if seconds is None:
        return not_available()
    if seconds < 60:
        text = gettext("under a minute")
    elif seconds < 3600:
        minutes = seconds / 60
        text = ngettext("%(n)s minute", "%(n)s minutes", round(minutes)) % {"n": number(minutes, 0)}
    elif seconds < 2 * 86400:
        hours = seconds / 3600
        text = ngettext("%(n)s hour", "%(n)s hours", math.ceil(hours)) % {"n": number(hours, 1)}
    else:
        days = seconds / 86400
        text = ngettext("%(n)s day", "%(n)s days", math.ceil(days)) % {"n": number(days, 1)}
    return gettext("at least %(duration)s") % {"duration": text} if at_least else text


def tick(value: float) -> str:
    """A tick label of a fixed tick value, as short as it can be written (0.5, 1, 1.41)."""
    return formats.number_format(Decimal(f"{value:g}")).replace("-", MINUS)


def _date_format(name: str) -> str:
    """The active language's format ``name`` (``DATE_FORMAT``…) as a format string."""
    language = translation.get_language() or "en"
    if language.split("-")[0] == "en":
        return ENGLISH_FORMATS[name]
    return str(formats.get_format(name))


def day_text(day: date, *, year: bool = True) -> str:
    """A day: ``3 Mar 2025`` (``3 Mar`` without its year) in English, ``2025年3月3日`` in Chinese."""
    return formats.date_format(day, _date_format("DATE_FORMAT" if year else "MONTH_DAY_FORMAT"))


def month_text(month: date) -> str:
    """A month: ``Mar 2025`` in English, ``2025年3月`` in Chinese."""
    return formats.date_format(month, _date_format("YEAR_MONTH_FORMAT"))


def moment_text(moment: datetime) -> str:
    """A moment in the platform's time zone: ``3 Mar 2025, 14:05``."""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, _date_format("DATETIME_FORMAT"))


def period_text(start: date, end: date) -> str:
    """The days of a period and how many they are: ``1 Mar – 31 Mar 2025 (31 days)``."""
    days = (end - start).days + 1
    return translation.ngettext(
        "%(first)s – %(last)s (%(days)s day)", "%(first)s – %(last)s (%(days)s days)", days
    ) % {"first": day_text(start, year=start.year != end.year), "last": day_text(end), "days": count(days)}


def plotly_separators() -> str:
    """plotly.js's ``layout.separators`` for the active language: its decimal separator, then its
    thousands separator (none in Chinese, which groups no digits in figures)."""
    return str(formats.get_format("DECIMAL_SEPARATOR")) + str(formats.get_format("THOUSAND_SEPARATOR"))


# Django's date format characters as d3-time-format (plotly.js) writes them; other characters stay.
D3_DATE_CODES = {
    "d": "%d",
    "j": "%-d",
    "D": "%a",
    "l": "%A",
    "m": "%m",
    "n": "%-m",
    "M": "%b",
    "b": "%b",
    "N": "%b",
    "F": "%B",
    "y": "%y",
    "Y": "%Y",
}


def d3_date_format(django_format: str) -> str:
    """A Django date format (``Y年n月``, ``j M Y``) as plotly.js's d3 format (``%Y年%-m月``)."""
    parts, escaped = [], False
    for character in django_format:
        if escaped:
            parts.append(character)
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == "%":
            parts.append("%%")
        else:
            parts.append(D3_DATE_CODES.get(character, character))
    return "".join(parts)


def plotly_date_formats() -> dict[str, str]:
    """How plotly.js writes the days and months of date axes and their hover, in the active
    language (its locale ``format`` keys), from the same formats the pages write days with."""
    return {
        "month": d3_date_format(_date_format("YEAR_MONTH_FORMAT")),
        "dayMonth": d3_date_format(_date_format("MONTH_DAY_FORMAT")),
        "dayMonthYear": d3_date_format(_date_format("DATE_FORMAT")),
    }


def listing(items: list[str]) -> str:
    """Names in a list, as a sentence lists them ("A, B, C"; "A、B、C" in Chinese)."""
    return pgettext("list separator", ", ").join(items)
