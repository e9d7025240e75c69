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
    FOREIGN_JOURNEY,
    JOURNEY_TWICE,
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
        help_text="A journey of this customer, by id.",
    )
    journey_external_id = StrictCharField(
        source="journey_ref",
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="Or the journey by its id in your system (an order or ticket id): the interaction joins "
        "it, and it is started (explicit, on the first published map with this touchpoint) if there is "
        "none. Not together with `journey`; another customer's is refused.",
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
            "journey_external_id",
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
            if isinstance(data, dict) and isinstance(detail, dict):
                valid = {
                    name: self._valid(data, name)
                    for name in ("customer", "journey", "journey_external_id")
                    if name not in detail
                }
                detail.update(self._journey_problems(valid))
            raise

    def _valid(self, data: dict, name: str):
        """The value of field ``name`` in ``data`` if it is valid, else ``serializers.empty``."""
        try:
            return self.fields[name].run_validation(data.get(name, serializers.empty))
        except (serializers.ValidationError, serializers.SkipField):
            return serializers.empty

    @staticmethod
    def _journey_problems(values: dict) -> dict[str, list]:
        """The errors of the journey an interaction names, by id or by external id, given its valid
        ``customer``, ``journey`` and ``journey_external_id`` (absent or ``empty``: not valid)."""
        customer = values.get("customer", serializers.empty)
        journey = values.get("journey", serializers.empty)
        ref = values.get("journey_external_id", serializers.empty)
        named = journey not in (None, serializers.empty)
        problems = {}
        if named and customer is not serializers.empty and journey.customer_id != customer.id:
            message = UNKNOWN_JOURNEY.format(value=journey.id)
            problems["journey"] = [serializers.ErrorDetail(message, code="does_not_exist")]
        if ref in (None, "", serializers.empty):
            return problems
        if named:
            problems["journey_external_id"] = [serializers.ErrorDetail(str(JOURNEY_TWICE), code="exclusive")]
        elif customer is not serializers.empty:
            owner = journey_owner(ref)
            if owner is not None and owner != customer.id:
                message = FOREIGN_JOURNEY.format(value=ref)
                problems["journey_external_id"] = [serializers.ErrorDetail(message, code="other_customer")]
        return problems

    def validate(self, attrs):
        values = {"customer": attrs["customer"], "journey": attrs.get("journey")}
        values["journey_external_id"] = attrs.get("journey_ref", serializers.empty)
        problems = self._journey_problems(values)
        if problems:
            raise serializers.ValidationError(problems)
        return attrs


def journey_owner(external_id: str) -> int | None:
    """The customer id of the journey known by ``external_id``, if there is one (one query). The
    journey model is reached through the interaction's foreign key: journeys sit above the ledger."""
    journeys = Interaction._meta.get_field("journey").related_model.objects
    return journeys.filter(external_id=external_id).values_list("customer_id", flat=True).first()


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
