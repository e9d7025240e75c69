"""Serializer fields the API's inputs share, each refusing what its schema refuses (400 naming it)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

BOOLEAN_MESSAGE = _("Must be a JSON boolean: true or false.")


class StrictBooleanField(serializers.BooleanField):
    """A JSON ``true`` or ``false`` and nothing else. DRF's own field also takes 0, 1, "true", "yes"…,
    which the schema (``type: boolean``) refuses and a CRM's bug would send; so does this field."""

    default_error_messages = {"invalid": BOOLEAN_MESSAGE}

    def to_internal_value(self, data):
        if data is True or data is False:
            return data
        self.fail("invalid")


@extend_schema_field({"type": "object", "additionalProperties": True})
class JSONObjectField(serializers.JSONField):
    """A JSON object (the schema says ``type: object``); null, lists and scalars are refused."""

    default_error_messages = {"invalid": _("Must be a JSON object.")}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        return super().to_internal_value(data)


NOT_TEXT = _("Not a valid string.")


class StrictTextMixin:
    """Text only: DRF's text fields read a JSON number as its digits (0 as "0"), which the schema
    (``type: string``) refuses; so does this (400, "invalid")."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            raise serializers.ValidationError(NOT_TEXT, code="invalid")
        return super().to_internal_value(data)


class StrictNumberMixin:
    """JSON numbers only: DRF's number fields also read "6.5" and true, which the schema refuses."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        return super().to_internal_value(data)


_STRICT: dict[type, type] = {}
_NUMBER_FIELDS = (serializers.IntegerField, serializers.FloatField, serializers.DecimalField)


def strict(field_class: type) -> type:
    """The field class that refuses what its schema type refuses (text, numbers, booleans); others
    as they are."""
    if issubclass(field_class, serializers.BooleanField):
        return StrictBooleanField
    mixin = None
    if issubclass(field_class, serializers.CharField | serializers.SlugRelatedField):
        mixin = StrictTextMixin
    elif issubclass(field_class, _NUMBER_FIELDS):
        mixin = StrictNumberMixin
    if mixin is None or issubclass(field_class, mixin):
        return field_class
    if field_class not in _STRICT:
        _STRICT[field_class] = type(field_class.__name__, (mixin, field_class), {"__module__": __name__})
    return _STRICT[field_class]


StrictCharField = strict(serializers.CharField)
StrictSlugRelatedField = strict(serializers.SlugRelatedField)


class ApiModelSerializer(serializers.ModelSerializer):
    """A model serializer whose fields built from the model take only their schema's JSON type."""

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        return strict(field_class), kwargs


class InputChoiceField(serializers.ChoiceField):
    """One of ``choices`` on input; on output the stored text as it is (rows written before the rule,
    or by a path with a wider one, may hold another): the schema says so per direction."""
