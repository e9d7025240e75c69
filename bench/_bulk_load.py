"""Bulk loading for the benchmarks' data: a DataFrame into a table through ``COPY … FROM STDIN``.

``copy_frame`` writes the frame as an in-memory CSV and COPYs it, completing the NOT NULL
columns the generator does not know (the schema moves on) from the models' defaults, and
records where the time went (``COPY_SECONDS``) and which columns it filled
(``FILLED_FROM_DEFAULT``); ``utc`` turns epoch seconds into the naive UTC datetimes the CSV
path wants (the loading session runs with ``TIME ZONE 'UTC'``).
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd

# Seconds spent writing CSV and in COPY, per table (``bench/_setup.py``'s generate() clears it).
COPY_SECONDS: dict[str, float] = {}


# Columns the generator does not know that were filled from the model's default.
FILLED_FROM_DEFAULT: set[str] = set()


def _required_columns(cursor, table: str) -> list[str]:
    """NOT NULL columns of ``table`` without a database default (identity columns aside)."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def _complete(cursor, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Add the required columns ``frame`` lacks (the schema moves on) from the model's defaults.

    A callable default is called once per row for a unique field, once for all rows otherwise;
    a field without default gets "" when it is a text field. Anything else is an error.
    """
    import json

    from django.apps import apps
    from django.db import models

    missing = [c for c in _required_columns(cursor, table) if c not in frame.columns]
    if not missing:
        return frame
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    by_column = {f.column: f for f in model._meta.concrete_fields}
    for column in missing:
        field = by_column[column]
        if field.has_default():
            if callable(field.default) and field.unique:
                value = [field.get_default() for _ in range(len(frame))]
            else:
                value = field.get_default()
                if isinstance(value, list | dict):
                    value = json.dumps(value)
        elif isinstance(field, models.CharField | models.TextField):
            value = ""
        else:
            raise RuntimeError(f"bench/_bulk_load.py does not know how to fill {table}.{column}")
        frame[column] = value
        FILLED_FROM_DEFAULT.add(f"{table}.{column}")
    return frame


def copy_frame(cursor, table: str, columns: list[str], frame: pd.DataFrame) -> None:
    """COPY ``frame`` into ``table`` from an in-memory CSV (``columns`` first, then any required
    column the generator does not know, from the model's default)."""
    frame = _complete(cursor, table, frame)
    columns = [*columns, *(c for c in frame.columns if c not in columns)]
    frame = frame[columns]
    started = time.perf_counter()
    buffer = io.StringIO()
    frame.to_csv(buffer, header=False, index=False, na_rep="\\N")
    buffer.seek(0)
    written = time.perf_counter()
    column_list = ", ".join(f'"{c}"' for c in columns)
    cursor.copy_expert(f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer)
    COPY_SECONDS["csv"] = COPY_SECONDS.get("csv", 0.0) + (written - started)
    COPY_SECONDS[table] = COPY_SECONDS.get(table, 0.0) + (time.perf_counter() - written)


def utc(seconds: np.ndarray) -> np.ndarray:
    """Naive UTC datetimes (the COPY session runs with ``TIME ZONE 'UTC'``): the fast CSV path."""
    return np.asarray(seconds, dtype=np.int64).astype("datetime64[s]")
