"""``manage.py import_csv {customers,interactions} FILE``: upsert a CSV file by external id.

Valid rows are stored in batches (set-based, one transaction per batch); each refused row is
reported with its row number (the header is row 1), column and reason, and nothing of it is
stored. The exit status is 1 when any row was refused, so a script notices.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, ngettext, pgettext

from infra.progress import progress_bar
from touchpoints.csv import BATCH_SIZE, KINDS, CsvFileError, csv_import
from touchpoints.csv.cells import KIND_LABELS

ERRORS_PRINTED = 50


def _count_rows(path: Path) -> int:
    """Data rows in the file (records after the header): the progress bar's total."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return max(sum(1 for _record in csv.reader(stream)) - 1, 0)


class Command(BaseCommand):
    help = (
        "Import customers or interactions from a UTF-8 CSV file, upserting by external_id. "
        "Each refused row is reported (row, column, reason) and nothing of it stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="What the file holds.")
        parser.add_argument("file", type=Path, help="The CSV file; the first row names the columns.")
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help=f"Rows per transaction (default {BATCH_SIZE})."
        )
        parser.add_argument(
            "--errors", type=Path, metavar="REPORT.csv", help="Also write every refused row to this CSV file."
        )

    def handle(self, *args, kind: str, file: Path, batch_size: int, errors: Path | None, **options):
        if not file.is_file():
            raise CommandError(gettext("No such file: %(file)s") % {"file": file})
        if batch_size < 1:
            raise CommandError(gettext("--batch-size must be at least 1."))
        try:
            total = _count_rows(file)
        except UnicodeDecodeError:
            message = gettext("%(file)s is not UTF-8 text: save it as “CSV UTF-8”. Nothing was stored.")
            raise CommandError(message % {"file": file}) from None
        except csv.Error as error:
            message = gettext("%(file)s is not valid CSV (%(error)s). Nothing was stored.")
            raise CommandError(message % {"file": file, "error": error}) from None
        bar = progress_bar(
            self.stdout,
            total=total,
            desc=gettext("Importing %(kind)s") % {"kind": KIND_LABELS[kind]},
            unit=pgettext("progress bar unit, after a number", " rows"),
        )
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                report = csv_import(kind=kind, stream=stream, batch_size=batch_size, on_progress=bar.update)
        except CsvFileError as error:
            message = gettext("%(error)s Rows stored before this: %(stored)s.")
            raise CommandError(message % {"error": error, "stored": error.stored}) from None
        finally:
            bar.close()
        self._report(report, errors)

    def _report(self, report, errors: Path | None) -> None:
        """The summary and the refused rows, for a person; ``errors``: where to write them all."""
        summary = ngettext(
            "%(rows)s row read: %(created)s created, %(updated)s updated, %(refused)s refused.",
            "%(rows)s rows read: %(created)s created, %(updated)s updated, %(refused)s refused.",
            report.rows,
        )
        counts = ("rows", "created", "updated", "refused")
        self.stdout.write(summary % {name: getattr(report, name) for name in counts})
        for error in report.errors[:ERRORS_PRINTED]:
            if error.field:
                line = gettext("row %(row)s, %(column)s: %(reason)s")
            else:
                line = gettext("row %(row)s: %(reason)s")
            self.stderr.write(line % {"row": error.row, "column": error.field, "reason": error.reason})
        more = len(report.errors) - ERRORS_PRINTED
        if more > 0:
            if errors:
                line = ngettext("… and %(count)s more.", "… and %(count)s more.", more)
            else:
                line = ngettext(
                    "… and %(count)s more (--errors FILE writes them all).",
                    "… and %(count)s more (--errors FILE writes them all).",
                    more,
                )
            self.stderr.write(line % {"count": more})
        if errors is not None:
            with errors.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "field", "reason"])
                writer.writerows([error.row, error.field, error.reason] for error in report.errors)
            self.stdout.write(gettext("Error report written to %(file)s.") % {"file": errors})
        if report.refused:
            message = ngettext(
                "%(count)s row refused; the other rows were stored.",
                "%(count)s rows refused; the other rows were stored.",
                report.refused,
            )
            raise CommandError(message % {"count": report.refused})
