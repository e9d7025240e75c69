"""Reading the audit log."""

from django.db.models import QuerySet

from .models import AuditEvent


def audit_events_recent(*, action: str = "") -> QuerySet[AuditEvent]:
    """Events newest first, of one action when ``action`` is given (else every action)."""
    events = AuditEvent.objects.order_by("-at", "-id")
    if action:
        events = events.filter(action=action)
    return events
