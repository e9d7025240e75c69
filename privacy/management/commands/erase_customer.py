"""``manage.py erase_customer REFERENCE [--no-input]``: erase one customer's personal data (the
right to erasure). Irreversible; figures stay as they were. Asks for confirmation unless told not to."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext

from privacy.services import CustomerReferenceError, ErasureReport, customer_by_reference, customer_erase


def _report_lines(report: ErasureReport) -> list[str]:
    """What the erasure changed, for people: a heading, then one count a line."""
    if report.already_erased:
        head = gettext("Customer was already erased; erased again: customer %(id)s.")
    else:
        head = gettext("Erased: customer %(id)s.")
    r = report
    counts = [
        ngettext("%(count)s interaction", "%(count)s interactions", r.interactions)
        % {"count": r.interactions},
        ngettext("%(count)s invitation", "%(count)s invitations", r.invitations) % {"count": r.invitations},
        ngettext("%(count)s free-text answer", "%(count)s free-text answers", r.answers)
        % {"count": r.answers},
        ngettext("%(count)s follow-up case", "%(count)s follow-up cases", r.follow_ups)
        % {"count": r.follow_ups},
        ngettext("%(count)s suppression entry", "%(count)s suppression entries", r.suppressions)
        % {"count": r.suppressions},
        ngettext("%(count)s webhook message", "%(count)s webhook messages", r.webhook_messages)
        % {"count": r.webhook_messages},
        ngettext("%(count)s stored API answer", "%(count)s stored API answers", r.idempotency_records)
        % {"count": r.idempotency_records},
    ]
    return [head % {"id": r.customer_id}, *(f"  {line}" for line in counts)]


class Command(BaseCommand):
    help = (
        "Erase one customer's personal data: profile blanked, survey links killed, free-text answers, "
        "notes and follow-up notes removed, suppression entries hashed, webhook copies deleted. Scores "
        "stay, so every figure is unchanged. Irreversible; recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "reference",
            help="The customer's id or external id; id:<n> or external:<text> when a number could be both.",
        )
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation (for scripts).",
        )

    def handle(self, *args, reference: str, interactive: bool, **options):
        try:
            customer = customer_by_reference(reference)
        except CustomerReferenceError as error:
            raise CommandError(str(error)) from error
        if interactive:
            self.stdout.write(
                gettext(
                    "This erases the personal data of customer %(id)s (%(external_id)s) for good. "
                    "Type the customer's id to go on: "
                )
                % {"id": customer.pk, "external_id": customer.external_id},
                ending="",
            )
            if input().strip() != str(customer.pk):
                raise CommandError(gettext("Not confirmed; nothing was changed."))
        try:
            report = customer_erase(customer)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS("\n".join(_report_lines(report))))
