"""Reads of export jobs."""

from ..models import ExportJob

RECENT = 20


def jobs_of_user(user) -> list[ExportJob]:
    """The user's most recent export jobs, newest first."""
    return list(ExportJob.objects.filter(requested_by=user).order_by("-created_at")[:RECENT])
