"""JSON fields in the admin refuse what PostgreSQL cannot store, as a form error.

Django's JSON form field accepts any valid JSON, but ``jsonb`` refuses a NUL character
(``"\\u0000"``) and a lone surrogate (``"\\ud800"``), and very deep nesting exhausts the
parser's stack: each gave a 500 on saving. The API refuses the same bodies in its parser
(``api.parsers``); ``SafeJSONAdmin`` gives every admin with JSON fields the same rules.
"""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.fields import InvalidJSONInput
from django.utils.translation import gettext

from infra.json_values import json_refusal


def _refusal(value) -> str | None:
    refusal = json_refusal(value)
    if refusal is None and "\\u0000" in json.dumps(value):
        refusal = gettext("a string holds a NUL character (\\u0000)")
    return refusal


class SafeJSONFormField(forms.JSONField):
    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError:
            raise ValidationError(gettext("Arrays and objects nest too deeply."), code="invalid") from None
        refusal = _refusal(converted)
        if refusal:
            message = gettext("This JSON cannot be stored: %(reason)s.")
            raise ValidationError(message, code="invalid", params={"reason": refusal})
        return converted

    def bound_data(self, data, initial):
        """A refused value is shown back as typed (re-encoding it would fail, or recurse)."""
        if self.disabled or data is None:
            return super().bound_data(data, initial)
        try:
            value = json.loads(data, cls=self.decoder)
        except (json.JSONDecodeError, RecursionError):
            return InvalidJSONInput(data)
        return InvalidJSONInput(data) if _refusal(value) else value


class SafeJSONAdmin(admin.options.BaseModelAdmin):
    """A mixin for a ``ModelAdmin`` or an inline whose model has JSON fields."""

    formfield_overrides = {models.JSONField: {"form_class": SafeJSONFormField}}
