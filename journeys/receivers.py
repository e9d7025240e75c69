"""What journeys does when the ledger writes (``touchpoints.hooks``), in the writer's transaction:
interactions that name a journey (``journey_ref``) join it at once; the customers of the others
are marked for assembly, which runs once the write commits. Connected in ``apps.py``."""

from collections.abc import Collection

from journeys.services import interactions_offer


def interactions_added(*, interaction_ids: Collection[int]) -> None:
    interactions_offer(interaction_ids)


def interactions_changed(*, interaction_ids: Collection[int]) -> None:
    """Called before a row moves (its old time and journey) and after (its new ones): both moments
    are marked, so the window covers where it was and where it is."""
    interactions_offer(interaction_ids)
