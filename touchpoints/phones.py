"""Customers' phone numbers: stored in E.164 (``+447700900496``), read with Google's libphonenumber.

Caller ID, a CRM and an agent write one number many ways (``+44 7700 900496``, ``07700 900496``,
``0044 7700 900496``); stored as E.164 they are one string, so an exact search is an indexed
equality and a partial one a substring of digits. ``phone_e164`` is the one normalisation: the
model field's ``to_python`` (so ``full_clean``, the admin, the API's single calls and the CSV
import), the bulk API's item rules and the search all call it.

A number without a country code belongs to ``settings.PHONE_DEFAULT_REGION``. A number is accepted
when its length is possible for its country (libphonenumber's ``is_possible_number``), not only
when its range is known to be assigned: fictional ranges (Ofcom's 07700 900xxx), numbers of ranges
opened after the library's release and the like are real customers' data.
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_LENGTH = 50  # the column keeps what it held before E.164: unparseable legacy values stay as they were

# What a person types for a phone number: digits, an optional leading +, and separators. Letters
# (vanity numbers, extensions) are refused rather than silently dropped by E.164.
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+")
_NOT_A_DIGIT = re.compile(r"\D")

INVALID_MESSAGE = _(
    "Enter a valid phone number: with its country code (+44 20 7946 0000), or a national number "
    "of the default region."
)


def phone_e164(value: str, *, region: str | None = None) -> str:
    """``value`` as E.164 (``+`` and up to 15 digits); "" for a blank value.

    ``region`` (ISO 3166 alpha-2) is where a number without a country code belongs; by default
    ``settings.PHONE_DEFAULT_REGION`` (empty: such numbers are refused). Raises ``ValidationError``
    (code ``invalid``) for anything that is not a possible phone number. Idempotent.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if not _PHONE_LIKE.fullmatch(value):
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    region = settings.PHONE_DEFAULT_REGION if region is None else region
    try:
        number = phonenumbers.parse(value, region.upper() or None)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(INVALID_MESSAGE, code="invalid") from error
    # Possible, not merely "possible locally" (a GB number without its area code names no line).
    if phonenumbers.is_possible_number_with_reason(number) != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValidationError(INVALID_MESSAGE, code="invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_e164_or_none(value: str) -> str | None:
    """``value`` as E.164, or None where it is not a phone number (a search query, a legacy row)."""
    try:
        return phone_e164(value) or None
    except ValidationError:
        return None


def phone_digits(value: str) -> str:
    """The digits a partial number shares with the stored E.164 ones, "" for text that is not a
    phone number: ``07700 900`` gives ``7700900`` (a national number's leading zeros, trunk or
    international prefix, are no part of E.164's digits; dropping them only widens a match)."""
    value = value.strip()
    if not _PHONE_LIKE.fullmatch(value):
        return ""
    digits = _NOT_A_DIGIT.sub("", value)
    return digits if value.startswith("+") else digits.lstrip("0")


def validate_phone(value: str) -> None:
    """A validator for a phone as typed (a serializer's, before the model normalises it)."""
    phone_e164(value)


class PhoneNumberField(models.CharField):
    """A phone number, normalised to E.164 when the model is cleaned (``full_clean``). Its validator
    goes with it into model forms and serializers, which check input before the model cleans it."""

    default_validators = [validate_phone]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_LENGTH)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return value
        return phone_e164(value)

    def get_prep_value(self, value):
        # CharField's calls to_python: a lookup (a search for "hoPP") or a save would then refuse
        # what is not a phone number. Normalising belongs to cleaning, where a bad number is an error.
        value = models.Field.get_prep_value(self, value)
        return value if value is None or isinstance(value, str) else str(value)
