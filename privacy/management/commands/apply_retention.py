"""``manage.py apply_retention [--dry-run]``: anonymise or delete the survey responses older than
``RESPONSE_RETENTION_DAYS`` now, without waiting for the daily task (and without its time budget)."""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infra.progress import progress_bar
from privacy.services import responses_retention_apply
from privacy.services.retention import BATCH


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
            raise CommandError("--batch-size must be at least 1.")
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
            self.stdout.write("Retention is off (RESPONSE_RETENTION_DAYS is 0): responses are kept.")
            return
        verb = "deleted" if report.mode == "delete" else "anonymised"
        cutoff = report.cutoff.isoformat(timespec="seconds")
        if dry_run:
            self.stdout.write(
                f"Dry run: {report.due:,} responses submitted before {cutoff} would be {verb}, and "
                f"{report.webhook_messages_due:,} webhook messages deleted."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"{report.responses:,} responses submitted before {cutoff} {verb}; "
                f"{report.webhook_messages:,} webhook messages deleted."
            )
        )
