"""The personal parts of survey invitations, shared by erasure and the retention policy."""

import secrets
from collections.abc import Collection

from surveys.models import Invitation
from surveys.tokens import token_hash, token_nonce_new


def _dead_link(invitation: Invitation) -> None:
    """A new nonce and the hash of a token nobody holds: the emailed link, and any reminder
    derived from the nonce, stop working (the reminder sender skips an underivable link)."""
    invitation.token_nonce = token_nonce_new()
    invitation.token_hash = token_hash(secrets.token_urlsafe(32))


def invitations_scrub(
    *, invitation_ids: Collection[int], customer_of: dict[int, int] | None = None, detach: bool = False
) -> int:
    """Kill the links of these invitations and blank their suppression reasons (a refused
    recipient is quoted there with the address). Returns how many were changed.

    ``customer_of`` maps an invitation's current customer id to the one it
    moves to. ``detach`` cuts the link to the interaction it followed and keeps
    that interaction's touchpoint and channel on the invitation, which the
    rollups slice by instead: every figure stays as it was.
    """
    invitations = list(
        Invitation.objects.filter(id__in=invitation_ids).select_related("interaction").order_by("id")
    )
    fields = ["token_nonce", "token_hash", "suppression_reason"]
    for invitation in invitations:
        _dead_link(invitation)
        invitation.suppression_reason = ""
        if customer_of:
            invitation.customer_id = customer_of.get(invitation.customer_id, invitation.customer_id)
        if detach and invitation.interaction is not None:
            invitation.interaction_touchpoint_id = invitation.interaction.touchpoint_id
            invitation.interaction_channel = invitation.interaction.channel
            invitation.interaction = None
    if customer_of:
        fields.append("customer")
    if detach:
        fields += ["interaction", "interaction_touchpoint", "interaction_channel"]
    Invitation.objects.bulk_update(invitations, fields, batch_size=500)
    return len(invitations)
