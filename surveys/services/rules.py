"""Survey rules: "after an interaction at touchpoint T (or any touchpoint of stage S), invite with
survey X after D hours", applied to every interaction logged, from any source."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from surveys.models import Invitation, SurveyRule, SurveyStatus
from touchpoints.models import Interaction

from .invitations import invitation_create

# An interaction older than this invites nobody: importing last year's contacts must not email
# customers about them today.
RULE_MAX_AGE = timedelta(days=7)


def survey_rule_targets() -> tuple[set[int], set[str]]:
    """The touchpoints and the stages that active rules of live surveys watch (one query): an
    interaction at none of them can invite nobody, so a bulk writer need not offer it."""
    touchpoints, stages = set(), set()
    for touchpoint_id, stage in SurveyRule.objects.filter(
        active=True, survey__status=SurveyStatus.LIVE
    ).values_list("touchpoint_id", "stage"):
        if touchpoint_id is not None:
            touchpoints.add(touchpoint_id)
        elif stage:
            stages.add(stage)
    return touchpoints, stages


@transaction.atomic
def survey_rules_apply(
    *, interactions: Sequence[Interaction], now: datetime | None = None
) -> list[Invitation]:
    """Create the invitations the active rules of live surveys ask for, once per rule and interaction.

    A rule matches an interaction at its touchpoint, or at any touchpoint of
    its stage; the invitation may be emailed ``delay_hours`` after the
    interaction. Applying the rules twice creates nothing new. Returns the
    invitations created.
    """
    now = now or timezone.now()
    recent = [i for i in interactions if i.occurred_at >= now - RULE_MAX_AGE]
    if not recent:
        return []
    touchpoint_ids = {i.touchpoint_id for i in recent}
    stages = {i.touchpoint.stage for i in recent}
    rules = list(
        SurveyRule.objects.filter(active=True, survey__status=SurveyStatus.LIVE)
        .filter(Q(touchpoint_id__in=touchpoint_ids) | Q(stage__in=stages))
        .select_related("survey")
        .order_by("id")
    )
    if not rules:
        return []
    done = set(
        Invitation.objects.filter(rule__in=rules, interaction__in=recent).values_list(
            "rule_id", "interaction_id"
        )
    )
    created = []
    for interaction in recent:
        for rule in rules:
            matches = rule.touchpoint_id == interaction.touchpoint_id or (
                rule.touchpoint_id is None and rule.stage == interaction.touchpoint.stage
            )
            if not matches or (rule.id, interaction.id) in done:
                continue
            created.append(
                invitation_create(
                    survey=rule.survey,
                    customer=interaction.customer,
                    interaction=interaction,
                    rule=rule,
                    send_after=interaction.occurred_at + timedelta(hours=rule.delay_hours),
                    now=now,
                )
            )
            done.add((rule.id, interaction.id))
    return created
