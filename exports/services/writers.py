"""Writing an export: CSV streamed straight from ``COPY``, or XLSX from typed rows, with flat memory.

CSV starts with a byte-order mark (spreadsheets then read it as UTF-8) and a header row; the
rows are PostgreSQL's own CSV. XLSX is written in openpyxl's write-only mode (rows go to disk as
they come); a sheet holds at most ``XLSX_SHEET_ROWS`` rows, after which the rows go on in
"<name> (2)", "<name> (3)" … each with the header again.
"""

import csv
import io
from collections.abc import Callable, Iterator
from typing import BinaryIO

from openpyxl import Workbook

from analytics.exports import xlsx_cell
from infra.copy import ExportQuery, Transfer, csv_chunks, row_batches

BOM = "\ufeff".encode()
# Excel's limit is 1,048,576 rows a sheet, the header included.
XLSX_SHEET_ROWS = 1_048_575

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

    def __init__(self, workbook: Workbook, title: str, header: list[str]) -> None:
        self.workbook, self.title, self.header = workbook, title[:24], header
        self.count, self.rows, self.sheet = 0, 0, None

    def append(self, row) -> None:
        if self.sheet is None or self.rows == XLSX_SHEET_ROWS:
            self.count += 1
            title = self.title if self.count == 1 else f"{self.title} ({self.count})"
            self.sheet = self.workbook.create_sheet(title)
            self.sheet.append(self.header)
            self.rows = 0
        self.sheet.append(row)
        self.rows += 1


def xlsx_write(query: ExportQuery, path, *, title: str, using: str = "default", progress: Progress) -> int:
    """Write the XLSX file at ``path``; returns the rows."""
    workbook = Workbook(write_only=True)
    sheets = _Sheets(workbook, title, query.header)
    rows = 0
    for batch in row_batches(query, using=using):
        for row in batch:
            sheets.append([xlsx_cell(value) for value in row])
        rows += len(batch)
        progress(rows)
    if sheets.sheet is None:  # no rows: the header alone
        workbook.create_sheet(sheets.title).append(query.header)
    workbook.save(path)
    return rows
