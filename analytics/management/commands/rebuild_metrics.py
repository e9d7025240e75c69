"""``manage.py rebuild_metrics [--since DATE]``: recompute journey scores and rollups from the source rows."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services import metrics_rebuild
from infra.progress import progress_bar


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--since must be a date like 2026-01-31, got {text!r}") from error


class Command(BaseCommand):
    help = (
        "Recompute every journey's peak-end score and every rollup (responses, interactions, journeys) "
        "from the source rows. Safe while the platform runs: each day is replaced in one transaction."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=str,
            default=None,
            help="Only days (and journeys started) on or after this date, YYYY-MM-DD.",
        )

    def handle(self, *args, since: str | None, **options):
        since_day = _date(since) if since else None
        bars = []

        def progress(label: str, total: int):
            if bars:  # the previous phase is done
                bars[-1].close()
            bar = progress_bar(self.stdout, total=total, desc=label, unit="")
            bars.append(bar)
            return bar.update

        try:
            report = metrics_rebuild(since=since_day, progress=progress)
        finally:
            for bar in bars:
                bar.close()
        days = ", ".join(f"{count:,} {kind.replace('_', ' ')}s" for kind, count in report.days.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Rebuilt {report.journeys:,} journeys and {report.rows:,} rollup rows ({days or 'no days'})."
            )
        )
