"""OpenAPI additions for every API v1 operation: the bearer security scheme, the scope it needs
(in its description), the ``Idempotency-Key`` header on POST, and the error answers it may give."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerFieldExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, serializers

from .idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER
from .permissions import required_scope


class ErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted path of the input at fault (`items.3.email`), or null."
    )
    code = serializers.CharField(help_text="Stable, machine-readable: `required`, `not_found`, `throttled`…")
    message = serializers.CharField(help_text="For people.")


class ErrorResponseSerializer(serializers.Serializer):
    errors = ErrorSerializer(many=True)


# Examples of answers, in English as the rest of the schema (an answer's ``message`` is in the
# language of the request's Accept-Language).
_EXAMPLES = {
    "400": [{"field": "email", "code": "invalid", "message": "Enter a valid email address."}],
    "401": [
        {
            "field": None,
            "code": "not_authenticated",
            "message": "Send an API key as 'Authorization: Bearer <key>'.",
        }
    ],
    "403": [
        {"field": None, "code": "missing_scope", "message": "This API key lacks the scope 'customers:write'."}
    ],
    "404": [{"field": None, "code": "not_found", "message": "No Customer matches the given query."}],
    "409": [
        {
            "field": None,
            "code": "idempotency_in_progress",
            "message": "A request with this Idempotency-Key is still being processed; retry shortly.",
        }
    ],
    "413": [{"field": None, "code": "request_too_large", "message": "The request body is too large."}],
    "415": [
        {
            "field": None,
            "code": "unsupported_media_type",
            "message": 'Unsupported media type "text/plain" in request.',
        }
    ],
    "422": [
        {
            "field": None,
            "code": "idempotency_key_reused",
            "message": "This Idempotency-Key was used with a different request; use a new key.",
        }
    ],
    "429": [
        {
            "field": None,
            "code": "throttled",
            "message": "Too many requests for this API key; retry in 12 seconds.",
        }
    ],
    "503": [
        {
            "field": None,
            "code": "service_unavailable",
            "message": "A service this request needs is unavailable; nothing was half-saved. Retry shortly.",
        }
    ],
}
_ERRORS = {
    "400": "Invalid input: a field, a filter, the JSON itself or the Idempotency-Key header.",
    "401": "No API key, or one that is unknown or revoked.",
    "403": "The API key lacks the scope this call needs.",
    "404": "No such resource (or an invalid cursor).",
    "429": "Too many requests for this API key; see the Retry-After header.",
    "503": "A service the call needs (the database, the broker) is briefly down; see Retry-After.",
}
_WRITE_ERRORS = {
    "409": "Conflict: the Idempotency-Key is still in use by a running request, or a concurrent write.",
    "413": "The request body is too large.",
    "415": "The body is not JSON.",
}
_POST_ERRORS = {"422": "This Idempotency-Key was used before with a different request."}


class InputChoiceFieldSchema(OpenApiSerializerFieldExtension):
    """An enum in requests, a string in responses (see ``api.fields.InputChoiceField``)."""

    target_class = "api.fields.InputChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return build_choice_field(self.target)
        return {"type": "string"}


class ApiKeySecurityScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "cem_<prefix>_<secret>",
            "description": "An API key created by an admin (shown once). Each call needs one scope.",
        }


class ApiAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        try:
            scope = required_scope(self.view, self.method)
        except exceptions.PermissionDenied:
            return operation
        needs = f"**Scope:** `{scope}`" if scope else "**Scope:** any valid API key"
        operation["description"] = f"{operation.get('description', '')}\n\n{needs}".strip()
        return operation

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method == "POST":
            parameters.append(
                OpenApiParameter(
                    HEADER,
                    {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
                    OpenApiParameter.HEADER,
                    description=(
                        "Makes the POST safe to retry: the first answer to a key is replayed for 24 h "
                        f"(with `{REPLAYED_HEADER}: true`); the same key with another body gives 422, "
                        "while the first request still runs 409."
                    ),
                )
            )
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        errors = dict(_ERRORS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            errors.update(_WRITE_ERRORS)
        if self.method == "POST":
            errors.update(_POST_ERRORS)
        for code, description in errors.items():
            if code not in responses:
                response = self._get_response_for_code(ErrorResponseSerializer, code, direction=direction)
                response["description"] = description
                response["content"]["application/json"]["examples"] = {
                    "Error": {"value": {"errors": _EXAMPLES[code]}, "summary": description}
                }
                if code in ("429", "503"):
                    response["headers"] = {
                        "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}
                    }
                responses[code] = response
        return responses
