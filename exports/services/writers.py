"""Writing an export: CSV streamed straight from ``COPY``, or XLSX from typed rows, with flat memory.

CSV starts with a byte-order mark (spreadsheets then read it as UTF-8) and a header row; the
rows are PostgreSQL's own CSV. XLSX is written by XlsxWriter in constant-memory mode (rows go to
disk as they come; twice openpyxl's write-only speed here). A sheet holds at most
``XLSX_SHEET_ROWS`` rows under its header, after which the rows go on in "<name> (2)",
"<name> (3)" … each with the header again.
"""

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from typing import BinaryIO

import xlsxwriter

from analytics.exports import xlsx_cell
from infra.copy import ExportQuery, Transfer, csv_chunks, row_batches

BOM = "\ufeff".encode()
# Excel's limit is 1,048,576 rows a sheet, the header included.
XLSX_SHEET_ROWS = 1_048_575  # rows under the header

Progress = Callable[[int], None]


def csv_header(query: ExportQuery) -> bytes:
    line = io.StringIO()
    csv.writer(line, lineterminator="\n").writerow(query.header)
    return line.getvalue().encode()


def csv_stream(query: ExportQuery, *, using: str = "default") -> Iterator[bytes]:
    """The whole CSV file as chunks, for a streaming response."""
    yield BOM + csv_header(query)
    yield from csv_chunks(query, using=using)


def csv_write(query: ExportQuery, out: BinaryIO, *, using: str = "default", progress: Progress) -> int:
    """Write the CSV file to ``out``; ``progress`` hears the rows written so far (counted by line
    ends, so a text cell holding a line break counts twice until the end); returns the rows."""
    out.write(BOM + csv_header(query))
    transfer, lines = Transfer(), 0
    for chunk in csv_chunks(query, using=using, transfer=transfer):
        out.write(chunk)
        lines += chunk.count(b"\n")
        progress(lines)
    return transfer.rows if transfer.rows is not None else lines


class _Sheets:
    """Sheets of at most ``XLSX_SHEET_ROWS`` rows, each starting with the header."""

    def __init__(self, workbook: xlsxwriter.Workbook, title: str, header: list[str]) -> None:
        self.workbook, self.title, self.header = workbook, title[:24], header
        self.count, self.row, self.sheet = 0, 0, None

    def append(self, values) -> None:
        if self.sheet is None or self.row > XLSX_SHEET_ROWS:
            self.count += 1
            title = self.title if self.count == 1 else f"{self.title} ({self.count})"
            self.sheet = self.workbook.add_worksheet(title)
            self.sheet.write_row(0, 0, self.header)
            self.row = 1
        self.sheet.write_row(self.row, 0, values)
        self.row += 1


def xlsx_write(query: ExportQuery, path, *, title: str, using: str = "default", progress: Progress) -> int:
    """Write the XLSX file at ``path`` (a path or a binary file); returns the rows.

    XlsxWriter in constant-memory mode writes each row to disk as it comes. Text stays text:
    nothing is turned into a formula, a link or a number (and text that looks like a formula is
    quoted besides, for whoever copies it out)."""
    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd hh:mm:ss",
            "remove_timezone": True,
            "in_memory": False,
            "tmpdir": tempfile.gettempdir(),
        },
    )
    sheets = _Sheets(workbook, title, query.header)
    rows = 0
    for batch in row_batches(query, using=using):
        for row in batch:
            sheets.append([xlsx_cell(value) for value in row])
        rows += len(batch)
        progress(rows)
    if sheets.sheet is None:  # no rows: the header alone
        workbook.add_worksheet(sheets.title).write_row(0, 0, query.header)
    workbook.close()
    return rows
