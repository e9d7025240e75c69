"""Every call of API v1 with the scope it needs (None: any valid key). ``test_auth`` checks the table
against the schema, so a new endpoint cannot be left out of the permission tests."""

ENDPOINTS: list[tuple[str, str, str | None]] = [
    ("get", "/api/v1/customers/", "customers:read"),
    ("post", "/api/v1/customers/", "customers:write"),
    ("post", "/api/v1/customers/bulk/", "customers:write"),
    ("get", "/api/v1/customers/C-1/", "customers:read"),
    ("put", "/api/v1/customers/C-1/", "customers:write"),
    ("patch", "/api/v1/customers/C-1/", "customers:write"),
    ("delete", "/api/v1/customers/C-1/", "customers:write"),
    ("get", "/api/v1/touchpoints/", None),
    ("post", "/api/v1/touchpoints/", "interactions:write"),
    ("get", "/api/v1/touchpoints/delivery/", None),
    ("patch", "/api/v1/touchpoints/delivery/", "interactions:write"),
    ("get", "/api/v1/interactions/", "customers:read"),
    ("post", "/api/v1/interactions/", "interactions:write"),
    ("post", "/api/v1/interactions/bulk/", "interactions:write"),
    ("get", "/api/v1/journeys/", "customers:read"),
    ("get", "/api/v1/journeys/1/", "customers:read"),
    ("get", "/api/v1/journey-maps/", "customers:read"),
    ("get", "/api/v1/journey-maps/1/", "customers:read"),
    ("get", "/api/v1/surveys/", "surveys:read"),
    ("get", "/api/v1/surveys/1/", "surveys:read"),
    ("post", "/api/v1/surveys/1/invitations/", "invitations:write"),
    ("get", "/api/v1/invitations/", "invitations:read"),
    ("get", "/api/v1/invitations/1/", "invitations:read"),
    ("get", "/api/v1/responses/", "responses:read"),
    ("get", "/api/v1/metrics/nps/", "metrics:read"),
    ("get", "/api/v1/metrics/csat/", "metrics:read"),
    ("get", "/api/v1/metrics/ces/", "metrics:read"),
    ("get", "/api/v1/metrics/expectation/", "metrics:read"),
    ("get", "/api/v1/metrics/peak-end/", "metrics:read"),
    ("get", "/api/v1/metrics/drivers/", "metrics:read"),
    ("get", "/api/v1/follow-ups/", "followups:read"),
    ("get", "/api/v1/follow-ups/1/", "followups:read"),
    ("patch", "/api/v1/follow-ups/1/", "followups:write"),
    ("get", "/api/v1/webhooks/", "webhooks:manage"),
    ("post", "/api/v1/webhooks/", "webhooks:manage"),
    ("get", "/api/v1/webhooks/1/", "webhooks:manage"),
    ("delete", "/api/v1/webhooks/1/", "webhooks:manage"),
    ("get", "/api/v1/exports/", "exports:read"),
    ("post", "/api/v1/exports/", "exports:read"),
    ("get", "/api/v1/exports/1/", "exports:read"),
    ("get", "/api/v1/exports/1/download/", "exports:read"),
]
SCOPED = [endpoint for endpoint in ENDPOINTS if endpoint[2] is not None]


def endpoint_id(endpoint: tuple) -> str:
    return f"{endpoint[0].upper()} {endpoint[1]}"
