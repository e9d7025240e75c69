"""Surveys' moments that higher apps act on, in the writer's transaction (see ``infra.hooks``).

- ``responses_changed(response_ids)``: responses were stored or changed, or are about to be
  deleted. Receiver: analytics marks the figures of their days (and their invitations' sending
  days: the response rate) stale.
- ``invitations_changed(invitation_ids)``: invitations were sent, bounced or suppressed.
  Receiver: analytics marks the response rate of their sending days stale.
"""

from infra.hooks import Hook

responses_changed = Hook("responses_changed", ("response_ids",))
invitations_changed = Hook("invitations_changed", ("invitation_ids",))
