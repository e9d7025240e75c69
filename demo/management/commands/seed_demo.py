"""``manage.py seed_demo``: fill an empty database with a believable demo (or replace it with --force)."""

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import ProtectedError, RestrictedError

from demo.services import DEMO_AGENT, DEMO_MANAGER, DEMO_PASSWORD, DemoDataPresent, build_demo
from infra.progress import progress_bar


class Command(BaseCommand):
    help = (
        "Seed demo data: ~20 touchpoints, two journey maps, customers with a year of journeys, "
        "three live surveys with invitations and answers, and two demo logins. Refuses when "
        "customers or touchpoints exist; --force first deletes ALL domain data."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--customers", type=int, default=2000, help="How many customers (default 2000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed; same seed, same data.")
        parser.add_argument(
            "--months", type=int, default=12, help="History to cover, in months (default 12)."
        )
        existing = parser.add_mutually_exclusive_group()
        existing.add_argument(
            "--force",
            action="store_true",
            help="Delete every customer, touchpoint, journey, survey and answer first, then seed.",
        )
        existing.add_argument(
            "--if-empty",
            action="store_true",
            help="Seed only when the database holds no customers or touchpoints; else do nothing.",
        )

    def _progress(self, total: int):
        return progress_bar(self.stdout, total=total, desc="Customers", unit=" customers")

    def handle(self, *args, customers: int, seed: int, months: int, force: bool, if_empty: bool, **options):
        if customers < 1 or months < 1:
            raise CommandError("--customers and --months must be at least 1.")
        try:
            summary = build_demo(
                customers=customers, seed=seed, months=months, force=force, progress=self._progress
            )
        except DemoDataPresent as present:
            if if_empty:
                self.stdout.write("Data already present: demo not seeded.")
                self._print_logins()
                return
            raise CommandError(str(present)) from present
        except (ProtectedError, RestrictedError) as error:
            raise CommandError(f"Could not delete the existing data; nothing was changed: {error}") from error

        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded demo data in {summary.seconds:.1f} s "
                f"(seed {seed}, {customers} customers, {months} months):"
            )
        )
        for name, count in summary.counts.items():
            self.stdout.write(f"  {name:<13} {count:>8,}")
        # Seeding writes in bulk and marks nothing stale: compute the metrics once, here.
        call_command("rebuild_metrics", stdout=self.stdout._out)
        self._print_logins()

    def _print_logins(self) -> None:
        """The demo logins, where they exist (``make run`` shows them on every start)."""
        present = set(
            get_user_model()
            .objects.filter(username__in=[DEMO_MANAGER, DEMO_AGENT])
            .values_list("username", flat=True)
        )
        if not present:
            return
        self.stdout.write("Logins for this local demo only (a fixed, published password):")
        if DEMO_MANAGER in present:
            self.stdout.write(f"Demo manager: {DEMO_MANAGER} / {DEMO_PASSWORD}")
        if DEMO_AGENT in present:
            self.stdout.write(f"Demo agent:   {DEMO_AGENT} / {DEMO_PASSWORD}")
