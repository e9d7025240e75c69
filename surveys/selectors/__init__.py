"""Reads of surveys, invitations and responses."""

from surveys.models import Invitation, Response, Survey


def survey_counts() -> dict[str, int]:
    """Live surveys, invitations awaiting an answer, and responses received."""
    return {
        "live_surveys": Survey.objects.filter(status=Survey.Status.LIVE).count(),
        "awaiting": Invitation.objects.filter(
            status__in=[Invitation.Status.SENT, Invitation.Status.OPENED]
        ).count(),
        "responses": Response.objects.count(),
    }
