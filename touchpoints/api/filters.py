"""Query filters of the list calls (django-filter; an invalid value answers 400)."""

import django_filters
from django import forms

from touchpoints.models import Channel, Customer, Interaction, InteractionSource, Stage, Touchpoint, ValueTier


class IdFilter(django_filters.NumberFilter):
    """A row id: a whole number within the id column's range (larger ones are refused, not a 500)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class CustomerFilter(django_filters.FilterSet):
    segment = django_filters.CharFilter()
    value_tier = django_filters.ChoiceFilter(choices=ValueTier.choices)
    email = django_filters.CharFilter(lookup_expr="iexact")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Customer
        fields = ["segment", "value_tier", "email", "updated_since"]


class TouchpointFilter(django_filters.FilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    active = django_filters.BooleanFilter()

    class Meta:
        model = Touchpoint
        fields = ["stage", "channel", "active"]


class InteractionFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(
        field_name="customer__external_id", help_text="Customer external_id."
    )
    touchpoint = django_filters.CharFilter(field_name="touchpoint__code", help_text="Touchpoint code.")
    stage = django_filters.ChoiceFilter(field_name="touchpoint__stage", choices=Stage.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    source = django_filters.ChoiceFilter(choices=InteractionSource.choices)
    external_id = django_filters.CharFilter()
    journey = IdFilter(field_name="journey_id")
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")

    class Meta:
        model = Interaction
        fields = [
            "customer",
            "touchpoint",
            "stage",
            "channel",
            "source",
            "external_id",
            "journey",
            "occurred_after",
            "occurred_before",
        ]
