"""``manage.py seed_demo``: fill an empty database with a believable demo (or replace it with --force).

The demo's language comes from ``--language``, else the ``DEMO_LANGUAGE`` environment variable,
else English; the command speaks to the person running it in that language too.
"""

import os
import unicodedata

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy, ngettext, pgettext

from demo.services import (
    DEFAULT_LANGUAGE,
    DEMO_AGENT,
    DEMO_LANGUAGES,
    DEMO_MANAGER,
    DEMO_PASSWORD,
    DemoDataPresent,
    DemoSummary,
    build_demo,
)
from infra.progress import progress_bar

LANGUAGE_VARIABLE = "DEMO_LANGUAGE"
# The summary's row names (keys of ``demo_data_counts``).
COUNT_LABELS = {
    "touchpoints": gettext_lazy("touchpoints"),
    "journey maps": gettext_lazy("journey maps"),
    "customers": gettext_lazy("customers"),
    "journeys": gettext_lazy("journeys"),
    "interactions": gettext_lazy("interactions"),
    "surveys": gettext_lazy("surveys"),
    "questions": gettext_lazy("questions"),
    "invitations": gettext_lazy("invitations"),
    "responses": gettext_lazy("responses"),
    "answers": gettext_lazy("answers"),
}
LABEL_WIDTH = 13  # display columns (a Chinese character takes two)


def _padded(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns, wide characters counted twice."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def demo_language(chosen: str | None) -> str:
    """The demo language asked for: ``chosen`` (--language), else $DEMO_LANGUAGE, else English.

    Accepts any case and ``_`` for ``-`` (zh_Hans); raises ``CommandError`` naming the choices.
    """
    from_environment = chosen is None
    value = os.environ.get(LANGUAGE_VARIABLE, "") if from_environment else chosen
    code = value.strip().lower().replace("_", "-") or DEFAULT_LANGUAGE
    if code in DEMO_LANGUAGES:
        return code
    words = {"language": value, "variable": LANGUAGE_VARIABLE, "choices": ", ".join(DEMO_LANGUAGES)}
    if from_environment:
        raise CommandError(
            gettext('Unknown demo language "%(language)s" in %(variable)s: choose one of %(choices)s.')
            % words
        )
    raise CommandError(gettext('Unknown demo language "%(language)s": choose one of %(choices)s.') % words)


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when the parser is built, in the active language
        return gettext(
            "Seed demo data: ~20 touchpoints, two journey maps, customers with a year of journeys, "
            "three live surveys with invitations and answers, and two demo logins, in English or "
            "Simplified Chinese. Refuses when customers or touchpoints exist; --force first deletes "
            "ALL domain data."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--customers", type=int, default=2000, help=gettext("How many customers (default 2000).")
        )
        parser.add_argument(
            "--seed", type=int, default=42, help=gettext("Random seed; same seed, same data.")
        )
        parser.add_argument(
            "--months", type=int, default=12, help=gettext("History to cover, in months (default 12).")
        )
        parser.add_argument(
            "--language",
            default=None,
            help=gettext(
                "The demo's language: en or zh-hans (default: the DEMO_LANGUAGE environment "
                "variable, else en)."
            ),
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--force",
            action="store_true",
            help=gettext("Delete every customer, touchpoint, journey, survey and answer first, then seed."),
        )
        existing.add_argument(
            "--if-empty",
            action="store_true",
            help=gettext("Seed only when the database holds no customers or touchpoints; else do nothing."),
        )

    def _progress(self, total: int):
        unit = " " + pgettext("progress bar unit", "customers")
        return progress_bar(self.stdout, total=total, desc=gettext("Customers"), unit=unit)

    def handle(self, *args, language: str | None, **options):
        language = demo_language(language)
        with translation.override(language):
            self._seed(language=language, **options)

    def _seed(
        self, *, customers: int, seed: int, months: int, force: bool, if_empty: bool, language, **options
    ):
        if customers < 1 or months < 1:
            raise CommandError(gettext("--customers and --months must be at least 1."))
        try:
            # One transaction: the rebuild consumes the marks that assembling the journeys left, so
            # no refresh of them runs after the commit (it would compute every score a second time).
            with transaction.atomic():
                summary = build_demo(
                    customers=customers,
                    seed=seed,
                    months=months,
                    force=force,
                    language=language,
                    progress=self._progress,
                )
                self._print_summary(summary, seed=seed, customers=customers, months=months)
                call_command("rebuild_metrics", stdout=self.stdout._out)
        except DemoDataPresent as present:
            if if_empty:
                self.stdout.write(gettext("Data already present: demo not seeded."))
                self._print_logins()
                return
            raise CommandError(str(present)) from present
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(
                gettext("Could not delete the existing data; nothing was changed: %(error)s")
                % {"error": error}
            ) from error
        self._print_logins()

    def _print_summary(self, summary: DemoSummary, *, seed: int, customers: int, months: int) -> None:
        words = {
            "seconds": number_format(summary.seconds, decimal_pos=1),
            "seed": seed,
            "customers": ngettext("%(count)s customer", "%(count)s customers", customers)
            % {"count": customers},
            "months": ngettext("%(count)s month", "%(count)s months", months) % {"count": months},
        }
        self.stdout.write(
            self.style.SUCCESS(
                gettext("Seeded demo data in %(seconds)s s (seed %(seed)s, %(customers)s, %(months)s):")
                % words
            )
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {_padded(str(COUNT_LABELS.get(name, name)), LABEL_WIDTH)} {count:>8,}")

    def _print_logins(self) -> None:
        """The demo logins, where they exist (``make run`` shows them on every start)."""
        present = set(
            get_user_model()
            .objects.filter(username__in=[DEMO_MANAGER, DEMO_AGENT])
            .values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write(gettext("Logins for this local demo only (a fixed, published password):"))
        login = {"password": DEMO_PASSWORD}
        if DEMO_MANAGER in present:
            self.stdout.write(
                gettext("Demo manager: %(username)s / %(password)s") % {**login, "username": DEMO_MANAGER}
            )
        if DEMO_AGENT in present:
            self.stdout.write(
                gettext("Demo agent:   %(username)s / %(password)s") % {**login, "username": DEMO_AGENT}
            )
