"""The REST API's framework settings (DRF, drf-spectacular): constants, no environment.

Apart from ``cem/settings.py`` for its length; the API's own knobs (throttle rate, idempotency)
stay there, with the environment.
"""

# The API (api): bearer API keys with scopes, per-key throttling, cursor pages, one error shape.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "api.schema.ApiAutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.ApiKeyThrottle"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "api.exceptions.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CEM API",
    "DESCRIPTION": (
        "Push customers and interactions, trigger survey invitations, read responses, metrics and "
        "follow-ups, manage webhooks. Authenticate with `Authorization: Bearer <api key>`; every call "
        'needs one scope. Errors: `{"errors": [{"field", "code", "message"}]}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SWAGGER_UI_SETTINGS": {"persistAuthorization": True},
    "ENUM_NAME_OVERRIDES": {
        "JourneyStatusEnum": "journeys.models.JourneyStatus",
        "SurveyStatusEnum": "surveys.models.SurveyStatus",
        "InvitationStatusEnum": "surveys.models.InvitationStatus",
        "FollowUpStatusEnum": "followups.models.FollowUpStatus",
        "BulkItemStatusEnum": ["created", "updated", "error"],
        "QuestionTypeEnum": "surveys.models.QuestionType",
        "DirectionEnum": "touchpoints.models.Direction",
        "ExportKindEnum": "exports.models.ExportKind",
        "ExportStatusEnum": "exports.models.ExportStatus",
        "SurveyKindEnum": "surveys.models.SurveyKind",
    },
}
