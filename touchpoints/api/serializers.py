"""Explicit fields: ids, sources and timestamps are read-only; nothing else is written from input."""

from django.db.models import Q
from rest_framework import serializers

from touchpoints.models import Customer, Interaction, Touchpoint
from touchpoints.services import MAX_BULK_ITEMS
from touchpoints.services.items import contains_nul


class CustomerSerializer(serializers.ModelSerializer):
    email_opt_out = serializers.BooleanField(
        required=False,
        help_text="Send true to record an opt-out; false never clears one (only the customer can).",
    )

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
            raise serializers.ValidationError("Must be a JSON object.", code="invalid")
        if contains_nul(value):
            raise serializers.ValidationError(
                "Null characters are not allowed.", code="null_characters_not_allowed"
            )
        return value


class CustomerUpdateSerializer(CustomerSerializer):
    """PUT and PATCH: the external id is the one in the URL."""

    class Meta(CustomerSerializer.Meta):
        read_only_fields = ["external_id", *CustomerSerializer.Meta.read_only_fields]


class TouchpointSerializer(serializers.ModelSerializer):
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


class InteractionSerializer(serializers.ModelSerializer):
    external_id = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="The id in the source system; unique when given. Bulk upserts by it.",
    )
    customer = serializers.SlugRelatedField(
        slug_field="external_id", queryset=Customer.objects.all(), help_text="The customer's external_id."
    )
    touchpoint = serializers.SlugRelatedField(
        slug_field="code", queryset=Touchpoint.objects.all(), help_text="The touchpoint's code."
    )
    channel = serializers.ChoiceField(
        choices=Interaction._meta.get_field("channel").choices,
        required=False,
        help_text="Defaults to the touchpoint's channel.",
    )
    occurred_at = serializers.DateTimeField(required=False, help_text="Defaults to now.")
    journey = serializers.PrimaryKeyRelatedField(
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
                "An interaction with this external_id exists; POST /interactions/bulk/ upserts.",
                code="unique",
            )
        return value

    def validate(self, attrs):
        journey = attrs.get("journey")
        if journey is not None and journey.customer_id != attrs["customer"].id:
            raise serializers.ValidationError(
                {"journey": ["This journey belongs to another customer."]}, code="does_not_exist"
            )
        return attrs


# --- bulk calls (documentation of the request and answer; items are validated in bulk) --------


class CustomerBulkRequestSerializer(serializers.Serializer):
    items = CustomerSerializer(many=True, help_text=f"1–{MAX_BULK_ITEMS} customers.")


class InteractionBulkRequestSerializer(serializers.Serializer):
    items = InteractionSerializer(many=True, help_text=f"1–{MAX_BULK_ITEMS} interactions.")


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
