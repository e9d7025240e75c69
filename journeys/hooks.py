"""Journeys' moments that higher apps act on, in the writer's transaction (see ``infra.hooks``).

- ``journeys_changed(journey_ids)``: journeys were started, ended or re-stated (their interactions
  moved). Receiver: analytics marks their scores and their days stale.
"""

from infra.hooks import Hook

journeys_changed = Hook("journeys_changed", ("journey_ids",))
