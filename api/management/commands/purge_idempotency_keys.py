"""``manage.py purge_idempotency_keys``: delete the Idempotency-Key records past their 24 h.

Expired records are also deleted whenever their API key sends its next
idempotent request; this command catches the keys that went quiet (run it
daily from cron, or never: the rows are small).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import ngettext

from api.idempotency import ttl
from api.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than API_IDEMPOTENCY_TTL_HOURS."

    def handle(self, *args, **options):
        deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=timezone.now() - ttl()).delete()
        message = ngettext(
            "Deleted %(count)s expired idempotency record.",
            "Deleted %(count)s expired idempotency records.",
            deleted,
        )
        self.stdout.write(message % {"count": deleted})
