"""CSV import of customers and interactions (the UI's and ``manage.py import_csv``'s).

``csv_import(kind=…, stream=…)`` upserts by external id in batches, set-based, and reports each
refused row. The exports app writes files in the same columns (``COLUMNS`` of each kind), so an
exported file imports back unchanged.
"""

from collections.abc import Callable
from typing import TextIO

from django.utils.translation import gettext

from .batches import BATCH_SIZE, run_import
from .cells import CsvFileError, ImportReport, RowError
from .customers import CustomerImport
from .interactions import InteractionImport

KINDS = {"customers": CustomerImport, "interactions": InteractionImport}

__all__ = [
    "BATCH_SIZE",
    "KINDS",
    "CsvFileError",
    "ImportReport",
    "RowError",
    "csv_import",
]


def csv_import(
    *,
    kind: str,
    stream: TextIO,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the CSV text ``stream`` of ``kind`` ("customers" or "interactions").

    Each valid row is stored, each invalid one reported with its row number, column and reason
    and nothing of it stored. Batches of ``batch_size`` rows commit one by one; ``on_progress``
    gets the number of rows each batch read. Raises ``CsvFileError`` when the file as a whole
    does not fit (kind, header, encoding).
    """
    if kind not in KINDS:
        message = gettext("Unknown kind of file “%(kind)s”: %(kinds)s.")
        raise CsvFileError(message % {"kind": kind, "kinds": ", ".join(KINDS)})
    return run_import(stream, KINDS[kind](), batch_size=batch_size, on_progress=on_progress)
