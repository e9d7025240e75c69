"""Which database an export reads: the replica when one is configured and fresh, else the primary."""

from contextlib import nullcontext

from django.db import router

from surveys.models import Response


def export_reads():
    """The scope an export's reads run in (the replica's, once configured)."""
    return nullcontext()


def export_alias() -> str:
    """The database alias the export's own connection (a thread of its own) should open."""
    return router.db_for_read(Response) or "default"
