"""``manage.py import_csv {customers,interactions} FILE``: upsert a CSV file by external id.

Valid rows are stored in batches (set-based, one transaction per batch); each refused row is
reported with its row number (the header is row 1), column and reason, and nothing of it is
stored. The exit status is 1 when any row was refused, so a script notices.
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from infra.progress import progress_bar
from touchpoints.csv import BATCH_SIZE, KINDS, CsvFileError, csv_import

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
            raise CommandError(f"No such file: {file}")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            total = _count_rows(file)
        except UnicodeDecodeError:
            raise CommandError(
                f"{file} is not UTF-8 text: save it as “CSV UTF-8”. Nothing was stored."
            ) from None
        except csv.Error as error:
            raise CommandError(f"{file} is not valid CSV ({error}). Nothing was stored.") from None
        bar = progress_bar(self.stdout, total=total, desc=f"Importing {kind}", unit=" rows")
        try:
            with file.open(encoding="utf-8-sig", newline="") as stream:
                report = csv_import(kind=kind, stream=stream, batch_size=batch_size, on_progress=bar.update)
        except CsvFileError as error:
            raise CommandError(f"{error} Rows stored before this: {error.stored}.") from None
        finally:
            bar.close()

        self.stdout.write(
            f"{report.rows} rows read: {report.created} created, {report.updated} updated, "
            f"{report.refused} refused."
        )
        for error in report.errors[:ERRORS_PRINTED]:
            column = f", {error.field}" if error.field else ""
            self.stderr.write(f"row {error.row}{column}: {error.reason}")
        if len(report.errors) > ERRORS_PRINTED:
            hint = "" if errors else " (--errors FILE writes them all)"
            self.stderr.write(f"… and {len(report.errors) - ERRORS_PRINTED} more{hint}.")
        if errors is not None:
            with errors.open("w", encoding="utf-8", newline="") as out:
                writer = csv.writer(out)
                writer.writerow(["row", "field", "reason"])
                writer.writerows([error.row, error.field, error.reason] for error in report.errors)
            self.stdout.write(f"Error report written to {errors}.")
        if report.refused:
            raise CommandError(f"{report.refused} row(s) refused; the other rows were stored.")
