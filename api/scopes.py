"""The scopes an API key can carry: each grants one kind of call (README, "API")."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Name (a stable code, never translated) → what it grants, for people (the admin's key form).
SCOPES: dict[str, Promise] = {
    "customers:read": _("Read customers, journeys and journey maps"),
    "customers:write": _("Create, update and delete customers"),
    "interactions:write": _("Log interactions (one or in bulk) and edit the touchpoint catalogue"),
    "journeys:write": _(
        "Start journeys, attach interactions to them and end them (the map's rules then leave those "
        "journeys to the connected system)"
    ),
    "surveys:read": _("Read surveys and their questions"),
    "invitations:write": _("Invite customers to surveys"),
    "invitations:read": _("Read invitations: status, times, why one was suppressed or bounced"),
    "responses:read": _("Read survey responses"),
    "metrics:read": _("Read NPS, expectation, peak–end and driver metrics"),
    "followups:read": _("Read follow-up cases"),
    "followups:write": _("Update follow-up cases"),
    "webhooks:manage": _("List, create and delete webhook subscriptions"),
    "exports:read": _(
        "Export responses, answers, interactions and customers in bulk, and download the files"
    ),
}
ALL_SCOPES: tuple[str, ...] = tuple(SCOPES)


def scopes_unknown(scopes) -> list[str]:
    """The names in ``scopes`` that are not scopes, in the order given."""
    return [scope for scope in scopes if scope not in SCOPES]
