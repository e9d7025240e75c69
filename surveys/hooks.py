"""Surveys' moments that higher apps act on, in the writer's transaction (see ``infra.hooks``).

- ``responses_added(response_ids)``: new responses were stored (with their answers). Receiver:
  analytics marks them to be added to the figures of their days (and their invitations' sending
  days: the response rate).
- ``responses_changed(response_ids)``: stored responses were changed, or are about to be
  deleted. Receiver: analytics marks the figures of their days (and their invitations' sending
  days) stale.
- ``invitations_sent(invitation_ids)``: invitations were just sent. Receiver: analytics marks
  them to be added to the response rate of their sending days.
- ``invitations_changed(invitation_ids)``: sent invitations bounced or were suppressed.
  Receiver: analytics marks the response rate of their sending days stale.
"""

from infra.hooks import Hook

responses_added = Hook("responses_added", ("response_ids",))
responses_changed = Hook("responses_changed", ("response_ids",))
invitations_sent = Hook("invitations_sent", ("invitation_ids",))
invitations_changed = Hook("invitations_changed", ("invitation_ids",))
