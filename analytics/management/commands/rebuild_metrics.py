"""``manage.py rebuild_metrics [--since DATE]``: recompute journey scores and rollups from the source rows."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from analytics.display import count, listing
from analytics.models import StaleKind
from analytics.services import metrics_rebuild
from infra.progress import progress_bar

# How the closing line counts the days rebuilt of each kind (the plural chosen by "n").
DAYS_REBUILT = {
    StaleKind.RESPONSE_DAY: ngettext_lazy("%(count)s response day", "%(count)s response days", "n"),
    StaleKind.INTERACTION_DAY: ngettext_lazy("%(count)s interaction day", "%(count)s interaction days", "n"),
    StaleKind.JOURNEY_DAY: ngettext_lazy("%(count)s journey day", "%(count)s journey days", "n"),
    StaleKind.INVITATION_DAY: ngettext_lazy("%(count)s invitation day", "%(count)s invitation days", "n"),
}


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise CommandError(
            _("--since must be a date like 2026-01-31, got %(text)s") % {"text": repr(text)}
        ) from error


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
        self.stdout.write(self.style.SUCCESS(rebuilt_text(report.journeys, report.rows, report.days)))


def rebuilt_text(journeys: int, rows: int, days: dict[str, int]) -> str:
    """ "Rebuilt 6 journeys and 120 rollup rows (3 response days, 3 interaction days, …)."."""
    counted = [DAYS_REBUILT[kind] % {"n": n, "count": count(n)} for kind, n in days.items()]
    return _("Rebuilt %(journeys)s journeys and %(rows)s rollup rows (%(days)s).") % {
        "journeys": count(journeys),
        "rows": count(rows),
        "days": listing(counted) if counted else _("no days"),
    }
