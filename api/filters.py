"""Query filters of the list calls (django-filter): every documented parameter validates.

A value the schema refuses is 400 naming the parameter, never ignored: a number, a date-time, a
choice or a boolean sent empty (``?updated_since=``) included. Only a text filter may be empty, and
an empty one filters nothing. Booleans are ``true`` or ``false``, as the schema spells them.
"""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

MAX_ID = 2**63 - 1


class QueryBooleanField(forms.Field):
    """``true`` or ``false`` (absent: no filter); anything else is invalid."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if value in ("true", "false"):
            return value == "true"
        raise ValidationError(_("Must be true or false."), code="invalid")


class BooleanFilter(django_filters.BooleanFilter):
    field_class = QueryBooleanField


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within the id column's range (larger ones are refused, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class _TypedValuesForm(forms.Form):
    """Refuses an empty value for the filters named in ``typed`` (set per filter set)."""

    typed: frozenset[str] = frozenset()

    def clean(self):
        cleaned = super().clean()
        for name in self.typed:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            if name in self.data and "" in values and name not in self.errors:
                self.add_error(
                    name, ValidationError(_("Give a value, or leave the parameter out."), code="blank")
                )
        return cleaned


class ApiFilterSet(django_filters.FilterSet):
    """The base of every list call's filters: typed filters sent empty are 400, not ignored."""

    def get_form_class(self):
        form_class = super().get_form_class()
        typed = frozenset(
            name for name, spec in self.filters.items() if not isinstance(spec, django_filters.CharFilter)
        )
        return type(form_class.__name__, (_TypedValuesForm, form_class), {"typed": typed})
