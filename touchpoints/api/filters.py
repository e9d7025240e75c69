"""Query filters of the list calls (django-filter; an invalid value, an empty typed one included, is 400)."""

import django_filters

from api.filters import ApiFilterSet, BooleanFilter, IdFilter
from touchpoints.models import Channel, Customer, Interaction, InteractionSource, Stage, Touchpoint, ValueTier

__all__ = ["CustomerFilter", "IdFilter", "InteractionFilter", "TouchpointFilter"]


class CustomerFilter(ApiFilterSet):
    segment = django_filters.CharFilter()
    value_tier = django_filters.ChoiceFilter(choices=ValueTier.choices)
    email = django_filters.CharFilter(lookup_expr="iexact")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Customer
        fields = ["segment", "value_tier", "email", "updated_since"]


class TouchpointFilter(ApiFilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)
    channel = django_filters.ChoiceFilter(choices=Channel.choices)
    active = BooleanFilter()

    class Meta:
        model = Touchpoint
        fields = ["stage", "channel", "active"]


class InteractionFilter(ApiFilterSet):
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
