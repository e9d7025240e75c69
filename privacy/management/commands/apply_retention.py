"""``manage.py apply_retention [--dry-run]``: anonymise or delete the survey responses older than
``RESPONSE_RETENTION_DAYS`` now, without waiting for the daily task (and without its time budget)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from infra.progress import progress_bar
from privacy.services import DELETE, RetentionReport, responses_retention_apply
from privacy.services.retention import BATCH


def _count(number: int) -> str:
    return number_format(number, force_grouping=True)


def _dry_run_summary(report: RetentionReport, cutoff: str) -> str:
    """What a run would do, for people: a sentence of responses, one of webhook messages."""
    values = {"count": _count(report.due), "cutoff": cutoff}
    if report.mode == DELETE:
        responses = ngettext(
            "Dry run: %(count)s response submitted before %(cutoff)s would be deleted.",
            "Dry run: %(count)s responses submitted before %(cutoff)s would be deleted.",
            report.due,
        )
    else:
        responses = ngettext(
            "Dry run: %(count)s response submitted before %(cutoff)s would be anonymised.",
            "Dry run: %(count)s responses submitted before %(cutoff)s would be anonymised.",
            report.due,
        )
    messages = ngettext(
        "%(count)s webhook message would be deleted.",
        "%(count)s webhook messages would be deleted.",
        report.webhook_messages_due,
    )
    return f"{responses % values} {messages % {'count': _count(report.webhook_messages_due)}}"


def _summary(report: RetentionReport, cutoff: str) -> str:
    """What a run did, for people: a sentence of responses, one of webhook messages."""
    values = {"count": _count(report.responses), "cutoff": cutoff}
    if report.mode == DELETE:
        responses = ngettext(
            "%(count)s response submitted before %(cutoff)s deleted.",
            "%(count)s responses submitted before %(cutoff)s deleted.",
            report.responses,
        )
    else:
        responses = ngettext(
            "%(count)s response submitted before %(cutoff)s anonymised.",
            "%(count)s responses submitted before %(cutoff)s anonymised.",
            report.responses,
        )
    messages = ngettext(
        "%(count)s webhook message deleted.", "%(count)s webhook messages deleted.", report.webhook_messages
    )
    return f"{responses % values} {messages % {'count': _count(report.webhook_messages)}}"


class Command(BaseCommand):
    help = (
        "Apply the response retention policy (RESPONSE_RETENTION_DAYS, RESPONSE_RETENTION_MODE): "
        "anonymise or delete older responses in batches, and delete older delivered webhook messages."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Only count what would be done.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH, help=f"Responses per transaction (default {BATCH})."
        )

    def handle(self, *args, dry_run: bool, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(gettext("--batch-size must be at least 1."))
        bars = []

        def progress(label: str, total: int):
            if bars:  # the previous phase is done
                bars[-1].close()
            bars.append(progress_bar(self.stdout, total=total, desc=label, unit=""))
            return bars[-1].update

        try:
            report = responses_retention_apply(
                budget_seconds=None, batch_size=batch_size, dry_run=dry_run, progress=progress
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            for bar in bars:
                bar.close()
        if report.cutoff is None:
            self.stdout.write(gettext("Retention is off (RESPONSE_RETENTION_DAYS is 0): responses are kept."))
            return
        cutoff = report.cutoff.isoformat(timespec="seconds")
        if dry_run:
            self.stdout.write(_dry_run_summary(report, cutoff))
            return
        self.stdout.write(self.style.SUCCESS(_summary(report, cutoff)))
