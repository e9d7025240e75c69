"""``manage.py export_customer REFERENCE [--output FILE]``: everything held about one customer, as
JSON (a subject access request). REFERENCE is the platform's id or the CRM's external id."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext

from privacy.services import CustomerReferenceError, customer_by_reference, customer_export


class Command(BaseCommand):
    help = (
        "Print everything held about one customer as JSON: profile, interactions, journeys, invitations "
        "and their email events, responses with answers, follow-up cases, suppression entries, webhook "
        "messages. The export is recorded in the audit log."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "reference",
            help="The customer's id or external id; id:<n> or external:<text> when a number could be both.",
        )
        parser.add_argument("--output", type=Path, help="Write the JSON to this file instead of printing it.")

    def handle(self, *args, reference: str, output: Path | None, **options):
        try:
            customer = customer_by_reference(reference)
        except CustomerReferenceError as error:
            raise CommandError(str(error)) from error
        if output is not None and not output.parent.is_dir():
            raise CommandError(gettext("No such folder: %(folder)s") % {"folder": output.parent})
        text = json.dumps(customer_export(customer), indent=2, ensure_ascii=False)
        if output is None:
            self.stdout.write(text)
            return
        output.write_text(text + "\n", encoding="utf-8")
        self.stderr.write(
            gettext("Wrote the data of customer %(id)s to %(file)s.") % {"id": customer.pk, "file": output}
        )
