"""Follow-up changes that come in through the API.

The rules live in ``followups.services.work.follow_up_progress``
(forward only: open → in progress → contacted → resolved, steps may be
skipped; resolving needs an outcome and stamps ``resolved_at``; a resolved
case takes notes only; every change is a dated line in the notes). This module
only says who acts: the API key. Its ``followups:write`` scope is the API's
equivalent of a CX manager's right to work any case, so the key acts as a
stand-in that holds every role and is named in the notes.
"""

from dataclasses import dataclass

from django.utils.translation import gettext

from followups.models import FollowUp

from .work import follow_up_progress


@dataclass(frozen=True)
class ApiActor:
    """Who a change made through the API is recorded as: "API key 'CRM production'"."""

    key_name: str
    id = None
    is_authenticated = True
    is_active = True
    is_superuser = True  # holds every role (access.roles.user_roles): the scope was checked already

    def get_full_name(self) -> str:
        return gettext("API key '%(name)s'") % {"name": self.key_name}

    def get_username(self) -> str:
        return self.get_full_name()


def follow_up_update_via_api(
    *, follow_up: FollowUp, key_name: str, status: str | None = None, note: str = "", outcome: str = ""
) -> FollowUp:
    """Move the case forward and/or add a note or outcome, as ``follow_up_progress`` does for a manager.

    ``status`` defaults to the case's own (a note or an outcome alone). Raises
    ``django.core.exceptions.ValidationError`` by field for a refused change.
    """
    return follow_up_progress(
        follow_up_id=follow_up.id,
        by=ApiActor(key_name),
        status=status or follow_up.status,
        note=note,
        outcome=outcome,
    )
