"""The scopes an API key can carry: each grants one kind of call (README, "API")."""

SCOPES: dict[str, str] = {
    "customers:read": "Read customers, journeys and journey maps",
    "customers:write": "Create, update and delete customers",
    "interactions:write": "Log interactions (one or in bulk) and edit the touchpoint catalogue",
    "surveys:read": "Read surveys and their questions",
    "invitations:write": "Invite customers to surveys",
    "invitations:read": "Read invitations: status, times, why one was suppressed or bounced",
    "responses:read": "Read survey responses",
    "metrics:read": "Read NPS, expectation, peak–end and driver metrics",
    "followups:read": "Read follow-up cases",
    "followups:write": "Update follow-up cases",
    "webhooks:manage": "List, create and delete webhook subscriptions",
    "exports:read": "Export responses, answers, interactions and customers in bulk, and download the files",
}
ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)


def scopes_unknown(scopes) -> list[str]:
    """The names in ``scopes`` that are not scopes, in the order given."""
    return [scope for scope in scopes if scope not in SCOPES]
