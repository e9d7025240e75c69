"""What analytics does when the apps below it write (``touchpoints.hooks``, ``surveys.hooks``,
``journeys.hooks``): mark
the figures the rows are part of stale, in the writer's transaction. Connected in ``apps.py``."""

from collections.abc import Collection

from analytics.services import metrics_mark_added, metrics_mark_customers_stale, metrics_mark_stale


def interactions_added(*, interaction_ids: Collection[int]) -> None:
    metrics_mark_added(interaction_ids=interaction_ids)


def responses_added(*, response_ids: Collection[int]) -> None:
    metrics_mark_added(response_ids=response_ids)


def invitations_sent(*, invitation_ids: Collection[int]) -> None:
    metrics_mark_added(invitation_ids=invitation_ids)


def interactions_changed(*, interaction_ids: Collection[int]) -> None:
    metrics_mark_stale(interaction_ids=interaction_ids)


def customers_changed(*, customer_ids: Collection[int]) -> None:
    metrics_mark_customers_stale(customer_ids=customer_ids)


def responses_changed(*, response_ids: Collection[int]) -> None:
    metrics_mark_stale(response_ids=response_ids)


def invitations_changed(*, invitation_ids: Collection[int]) -> None:
    metrics_mark_stale(invitation_ids=invitation_ids)


def journeys_changed(*, journey_ids: Collection[int]) -> None:
    metrics_mark_stale(journey_ids=journey_ids)
