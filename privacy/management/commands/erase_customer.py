"""``manage.py erase_customer REFERENCE [--no-input]``: erase one customer's personal data (the
right to erasure). Irreversible; figures stay as they were. Asks for confirmation unless told not to."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from privacy.services import CustomerReferenceError, customer_by_reference, customer_erase


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
                f"This erases the personal data of customer {customer.pk} ({customer.external_id}) "
                "for good. Type the customer's id to go on: ",
                ending="",
            )
            if input().strip() != str(customer.pk):
                raise CommandError("Not confirmed; nothing was changed.")
        try:
            report = customer_erase(customer)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        prefix = "Customer was already erased; erased again" if report.already_erased else "Erased"
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}: customer {report.customer_id} — {report.interactions} interactions, "
                f"{report.invitations} invitations, {report.answers} free-text answers, "
                f"{report.follow_ups} follow-up cases, {report.suppressions} suppression entries, "
                f"{report.webhook_messages} webhook messages, "
                f"{report.idempotency_records} stored API answers."
            )
        )
