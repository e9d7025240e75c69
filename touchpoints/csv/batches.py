"""Reading a CSV file in batches and storing each batch set-based, row by row all-or-nothing.

Each batch is validated row by row in Python (no query per row: lookups are one query per
batch), then written in one transaction with a few set-based statements. A row that fails
validation is reported and left out; nothing of it is stored. Should the database still refuse
a batch (a concurrent writer took an external id meanwhile), the batch is split in halves, each
in its own savepoint, down to the single row at fault, which is reported; the rest is stored.
"""

import csv
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext, pgettext

from .cells import KIND_LABELS, CsvFileError, ImportReport, RowError

BATCH_SIZE = 1000


@dataclass(slots=True)
class Written:
    """What a batch's write did: rows created and updated, and those the bulk service refused
    (row number → errors by column; reported only once the batch's savepoint has committed)."""

    created: int
    updated: int
    refused: dict[int, dict[str, list[str]]] = field(default_factory=dict)


@dataclass(slots=True)
class Entry:
    """One valid row, ready to store: its row number and what the kind's writer needs."""

    row: int
    key: str | None
    item: Any


class ImportKind(Protocol):
    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    def begin(self, columns: list[str]) -> None:
        """Called once with the file's (checked) columns, before the first batch."""

    def prepare(self, rows: Sequence[tuple[int, dict[str, str]]], report: ImportReport) -> list[Entry]:
        """Validate a batch of rows; report the refused ones, return the others."""

    def write(self, entries: list[Entry]) -> "Written":
        """Store valid entries set-based (inside a transaction) through the ledger's bulk services."""


def header_columns(header: list[str], kind: ImportKind) -> list[str]:
    """The header's column names, checked: every required column, nothing unknown, no repeats."""
    columns = [name.strip().lower() for name in header]
    known = (*kind.required, *kind.optional)
    missing = [name for name in kind.required if name not in columns]
    unknown = [name for name in columns if name not in known]
    repeated = sorted({name for name in columns if columns.count(name) > 1})
    problems = []
    if missing:
        problems.append(gettext("missing column(s): %(columns)s") % {"columns": ", ".join(missing)})
    if unknown:
        problems.append(gettext("unknown column(s): %(columns)s") % {"columns": ", ".join(unknown)})
    if repeated:
        problems.append(gettext("repeated column(s): %(columns)s") % {"columns": ", ".join(repeated)})
    if problems:
        message = gettext(
            "The header of a %(kind)s file does not fit: %(problems)s. "
            "Columns: %(required)s (required), %(optional)s."
        )
        raise CsvFileError(
            message
            % {
                "kind": KIND_LABELS.get(kind.kind, kind.kind),
                "problems": pgettext("separator of a list of problems", "; ").join(problems),
                "required": ", ".join(kind.required),
                "optional": ", ".join(kind.optional),
            }
        )
    return columns


def _last_wins(entries: list[Entry]) -> list[Entry]:
    """One entry per key, the later row replacing the earlier, as two updates in a row would."""
    by_key: dict[str | None, Entry] = {}
    keyless = []
    for entry in entries:
        if entry.key is None:
            keyless.append(entry)
        else:
            by_key.pop(entry.key, None)
            by_key[entry.key] = entry
    return [*by_key.values(), *keyless]


def store(entries: list[Entry], kind: ImportKind, report: ImportReport) -> None:
    """Write ``entries`` in one savepoint; on a database refusal, halve until the row at fault."""
    if not entries:
        return
    try:
        with transaction.atomic():
            written = kind.write(entries)
    except (IntegrityError, DataError) as error:
        if len(entries) == 1:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            stored = gettext("Not stored: %(reason)s") % {"reason": reason}
            report.errors.append(RowError(row=entries[0].row, field="", reason=stored))
            return
        middle = len(entries) // 2
        store(entries[:middle], kind, report)
        store(entries[middle:], kind, report)
        return
    report.created += written.created
    report.updated += written.updated
    for row, errors in written.refused.items():
        report.refuse(row, errors)


def _batches(records: Iterable[list[str]], columns: list[str], report: ImportReport, size: int):
    batch: list[tuple[int, dict[str, str]]] = []
    for row, cells in enumerate(records, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, as spreadsheets leave at the end
        report.rows += 1
        if len(cells) != len(columns):
            reason = gettext("Has %(cells)s cells where the header has %(columns)s.") % {
                "cells": len(cells),
                "columns": len(columns),
            }
            report.errors.append(RowError(row=row, field="", reason=reason))
            continue
        with_nul = [column for column, cell in zip(columns, cells, strict=True) if "\x00" in cell]
        if with_nul:
            # PostgreSQL stores no NUL character: refuse the row before any lookup or insert sees it.
            report.errors.extend(
                RowError(
                    row=row, field=column, reason=gettext("Holds a NUL character, which cannot be stored.")
                )
                for column in with_nul
            )
            continue
        batch.append((row, dict(zip(columns, cells, strict=True))))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def run_import(
    stream: TextIO,
    kind: ImportKind,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a CSV text stream of ``kind``; returns the report. ``CsvFileError`` when the file as
    a whole does not fit (then nothing was stored, or ``stored`` rows before a broken byte)."""
    report = ImportReport(kind=kind.kind)
    records = csv.reader(stream)
    try:
        header = next(records, None)
        if header is None or not any(name.strip() for name in header):
            raise CsvFileError(gettext("The file is empty: the first row must name the columns."))
        columns = header_columns(header, kind)
        kind.begin(columns)
        done = 0
        for batch in _batches(records, columns, report, batch_size):
            store(_last_wins(kind.prepare(batch, report)), kind, report)
            if on_progress is not None:
                on_progress(report.rows - done)
                done = report.rows
        if on_progress is not None and report.rows > done:
            on_progress(report.rows - done)
    except UnicodeDecodeError:
        message = gettext("The file is not UTF-8 text (after row %(row)s). Save it as “CSV UTF-8”.")
        raise CsvFileError(message % {"row": report.rows + 1}, stored=report.stored) from None
    except csv.Error as error:
        message = gettext("The file is not valid CSV: %(error)s.") % {"error": error}
        raise CsvFileError(message, stored=report.stored) from None
    return report
