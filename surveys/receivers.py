"""What surveys does when the ledger below it writes (``touchpoints.hooks``); connected in ``apps.py``."""

from collections.abc import Collection
from datetime import datetime

from django.utils import timezone

from surveys.services.responses import responses_of_customers_delete
from surveys.services.rules import RULE_MAX_AGE, survey_rule_targets, survey_rules_apply
from touchpoints.hooks import LoggedInteractions


def survey_rules_offer(*, interactions: LoggedInteractions, now: datetime | None) -> None:
    """Apply the survey rules to the logged interactions at touchpoints (or stages) a rule watches."""
    watched_touchpoints, watched_stages = survey_rule_targets()
    watched = {
        touchpoint.id
        for touchpoint in interactions.touchpoints
        if touchpoint.id in watched_touchpoints or touchpoint.stage in watched_stages
    }
    if watched:
        now = now or timezone.now()
        recent = interactions.at(touchpoint_ids=watched, since=now - RULE_MAX_AGE)
        survey_rules_apply(interactions=recent, now=now)


def customers_responses_delete(*, customer_ids: Collection[int]) -> None:
    """Delete the customers' responses before the customers go (a response protects its invitation)."""
    responses_of_customers_delete(customer_ids=customer_ids)
