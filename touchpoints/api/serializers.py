"""Explicit fields: ids, sources and timestamps are read-only; nothing else is written from input."""

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.fields import (
    ApiModelSerializer,
    InputChoiceField,
    JSONObjectField,
    StrictBooleanField,
    StrictCharField,
    StrictSlugRelatedField,
)
from touchpoints.models import Customer, Interaction, Touchpoint
from touchpoints.services import MAX_BULK_ITEMS
from touchpoints.services.items import (
    DATETIME_MESSAGE,
    UNKNOWN_CUSTOMER,
    UNKNOWN_JOURNEY,
    UNKNOWN_TOUCHPOINT,
    contains_nul,
)


class CustomerSerializer(ApiModelSerializer):
    email_opt_out = StrictBooleanField(
        required=False,
        help_text="Send true to record an opt-out; false never clears one (only the customer can).",
    )
    locale = InputChoiceField(
        choices=settings.LANGUAGES,
        required=False,
        help_text="The language surveys are sent in: one of the platform's languages (default en).",
    )
    attributes = JSONObjectField(required=False, help_text="Your own fields, as a JSON object.")

    class Meta:
        model = Customer
        fields = [
            "external_id",
            "name",
            "email",
            "phone",
            "locale",
            "segment",
            "value_tier",
            "email_opt_out",
            "email_opt_out_at",
            "attributes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["email_opt_out_at", "created_at", "updated_at"]

    def validate_attributes(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError(_("Must be a JSON object."), code="invalid")
        if contains_nul(value):
            raise serializers.ValidationError(
                _("Null characters are not allowed."), code="null_characters_not_allowed"
            )
        return value


class CustomerUpdateSerializer(CustomerSerializer):
    """PUT and PATCH: the external id is the one in the URL."""

    class Meta(CustomerSerializer.Meta):
        read_only_fields = ["external_id", *CustomerSerializer.Meta.read_only_fields]


class TouchpointSerializer(ApiModelSerializer):
    active = StrictBooleanField(required=False)

    class Meta:
        model = Touchpoint
        fields = [
            "code",
            "name",
            "stage",
            "channel",
            "description",
            "floor_score",
            "measure_name",
            "measure_unit",
            "measure_direction",
            "active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TouchpointUpdateSerializer(TouchpointSerializer):
    """PATCH: code, stage and channel are fixed once created."""

    class Meta(TouchpointSerializer.Meta):
        read_only_fields = ["code", "stage", "channel", *TouchpointSerializer.Meta.read_only_fields]


class JourneyField(serializers.PrimaryKeyRelatedField):
    """A journey by id: a JSON integer (as the schema says, and as the bulk call reads it)."""

    default_error_messages = {
        "invalid": _("A valid integer is required."),
        "does_not_exist": _("No journey {pk_value} of this customer."),  # items.UNKNOWN_JOURNEY
    }

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class InteractionSerializer(ApiModelSerializer):
    external_id = StrictCharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The id in the source system; unique when given. Bulk upserts by it.",
    )
    customer = StrictSlugRelatedField(
        slug_field="external_id",
        queryset=Customer.objects.all(),
        help_text="The customer's external_id.",
        error_messages={"does_not_exist": UNKNOWN_CUSTOMER},
    )
    touchpoint = StrictSlugRelatedField(
        slug_field="code",
        queryset=Touchpoint.objects.all(),
        help_text="The touchpoint's code.",
        error_messages={"does_not_exist": UNKNOWN_TOUCHPOINT},
    )
    channel = serializers.ChoiceField(
        choices=Interaction._meta.get_field("channel").choices,
        required=False,
        help_text="Defaults to the touchpoint's channel.",
    )
    occurred_at = serializers.DateTimeField(
        required=False,
        help_text="Defaults to now.",
        error_messages={"invalid": DATETIME_MESSAGE},  # the bulk call's words
    )
    journey = JourneyField(
        # The journey model is reached through the interaction's foreign key: journeys sit above the ledger.
        queryset=Interaction._meta.get_field("journey").related_model.objects.all(),
        required=False,
        allow_null=True,
        help_text="A journey of this customer.",
    )

    class Meta:
        model = Interaction
        fields = [
            "id",
            "external_id",
            "customer",
            "touchpoint",
            "channel",
            "occurred_at",
            "category",
            "outcome",
            "notes",
            "experience_score",
            "expected_value",
            "actual_value",
            "journey",
            "source",
            "created_at",
        ]
        read_only_fields = ["id", "source", "created_at"]

    def validate_external_id(self, value):
        value = value or None
        if value and Interaction.objects.filter(Q(external_id=value)).exists():
            raise serializers.ValidationError(
                _("An interaction with this external_id exists; POST /interactions/bulk/ upserts."),
                code="unique",
            )
        return value

    def to_internal_value(self, data):
        try:
            return super().to_internal_value(data)
        except serializers.ValidationError as invalid:
            # Every error at once, as the bulk call reports them: a journey of another customer
            # is named even when some other field is invalid.
            detail = invalid.detail
            named = isinstance(data, dict) and isinstance(detail, dict)
            if named and not {"customer", "journey"} & set(detail):
                foreign = self._foreign_journey(data)
                if foreign:
                    detail["journey"] = [serializers.ErrorDetail(foreign, code="does_not_exist")]
            raise

    def _foreign_journey(self, data) -> str | None:
        """The error when ``data`` names a journey of another customer than its own."""
        try:
            customer = self.fields["customer"].run_validation(data.get("customer", serializers.empty))
            journey = self.fields["journey"].run_validation(data.get("journey", serializers.empty))
        except (serializers.ValidationError, serializers.SkipField):
            return None
        if journey is not None and journey.customer_id != customer.id:
            return UNKNOWN_JOURNEY.format(value=journey.id)
        return None

    def validate(self, attrs):
        journey = attrs.get("journey")
        if journey is not None and journey.customer_id != attrs["customer"].id:
            raise serializers.ValidationError(
                {"journey": [UNKNOWN_JOURNEY.format(value=journey.id)]}, code="does_not_exist"
            )
        return attrs


# --- bulk calls (documentation of the request and answer; items are validated in bulk) --------


class CustomerBulkItemSerializer(CustomerSerializer):
    """An item of the bulk upsert: ``name`` is needed only to create (an update keeps the stored one)."""

    class Meta(CustomerSerializer.Meta):
        extra_kwargs = {"name": {"required": False}}


class CustomerBulkRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=CustomerBulkItemSerializer(),
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text=f"1–{MAX_BULK_ITEMS} customers.",
    )


class InteractionBulkRequestSerializer(serializers.Serializer):
    items = serializers.ListField(
        child=InteractionSerializer(),
        min_length=1,
        max_length=MAX_BULK_ITEMS,
        help_text=f"1–{MAX_BULK_ITEMS} interactions.",
    )


class ItemErrorSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    code = serializers.CharField()
    message = serializers.CharField()


class BulkItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="The item's position in the request, from 0.")
    status = serializers.ChoiceField(choices=["created", "updated", "error"])
    external_id = serializers.CharField(allow_null=True)
    errors = ItemErrorSerializer(many=True, required=False, help_text="Only for status 'error'.")


class InteractionBulkItemResultSerializer(BulkItemResultSerializer):
    id = serializers.IntegerField(allow_null=True, help_text="The interaction's id; null for an error.")


class BulkSummarySerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    failed = serializers.IntegerField()


class CustomerBulkResponseSerializer(serializers.Serializer):
    results = BulkItemResultSerializer(many=True)
    summary = BulkSummarySerializer()


class InteractionBulkResponseSerializer(serializers.Serializer):
    results = InteractionBulkItemResultSerializer(many=True)
    summary = BulkSummarySerializer()
