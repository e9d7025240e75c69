"""PostgreSQL's binary COPY format for rows of fixed-width numbers, to and from numpy columns.

Each row is a 16-bit field count, then each field as a 32-bit length and its big-endian bytes
(https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"). With no NULL and no
text every row has the same width, so a block of rows is one numpy structured array: no
Python object per value either way.
"""

import io
from collections.abc import Callable, Iterator, Mapping

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # signature, no flags, no header extension
TRAILER = b"\xff\xff"
# The SQL types these rows may hold, and their binary form.
KINDS = {"bigint": ">i8", "integer": ">i4", "double precision": ">f8"}


def row_type(columns: Mapping[str, str]) -> np.dtype:
    """The structured dtype of one binary COPY row of ``columns`` (name: SQL type in ``KINDS``)."""
    return np.dtype(
        [("fields", ">i2")]
        + [
            pair
            for name, kind in columns.items()
            for pair in ((f"{name}_length", ">i4"), (name, KINDS[kind]))
        ]
    )


class GroupedRowsReader(io.RawIOBase):
    """The file a ``COPY … TO STDOUT (FORMAT binary)`` writes into, handing on whole groups.

    The rows must come sorted by the ``group`` column. Each block of bytes received is
    decoded, and ``take`` gets the columns (native dtypes) of every row up to the last group of
    the block, which waits for the next block since more of its rows may follow. Give it blocks
    through ``io.BufferedWriter``: psycopg2 writes each row on its own.
    """

    def __init__(self, columns: Mapping[str, str], *, group: str, take: Callable[[dict], None]) -> None:
        super().__init__()
        self._names, self._group, self._take = list(columns), group, take
        self._row = row_type(columns)
        self._pending = b""
        self._header = True
        self._last_group = None

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pending = b"".join((self._pending, data))  # data is a view of the writer's buffer
        self._decode(final=False)
        return len(data)

    def finish(self) -> None:
        """Hand on the last group; ValueError if the stream was cut short."""
        self._decode(final=True)
        if self._pending != TRAILER:
            raise ValueError("the binary COPY ended without its trailer")

    def _decode(self, *, final: bool) -> None:
        buffer, offset = self._pending, 0
        if self._header:
            if len(buffer) < len(HEADER):
                return
            if buffer[: len(HEADER)] != HEADER:
                raise ValueError("unexpected binary COPY header")
            offset, self._header = len(HEADER), False
        count = (len(buffer) - offset) // self._row.itemsize
        rows = np.frombuffer(buffer, self._row, count=count, offset=offset)
        group = rows[self._group].astype(np.int64)
        whole = count if final or not count else int(np.searchsorted(group, group[-1]))
        if whole:
            self._hand_on(rows[:whole], group[:whole])
        self._pending = buffer[offset + whole * self._row.itemsize :]

    def _hand_on(self, rows: np.ndarray, group: np.ndarray) -> None:
        widths = (rows[f"{name}_length"] != self._row[name].itemsize for name in self._names)
        if np.any(rows["fields"] != len(self._names)) or any(np.any(wrong) for wrong in widths):
            raise ValueError("a binary COPY row is not of the expected fields (a NULL?)")
        if (self._last_group is not None and group[0] <= self._last_group) or np.any(group[1:] < group[:-1]):
            raise ValueError(f"rows must arrive sorted by {self._group}")
        self._last_group = group[-1]
        self._take({name: rows[name].astype(rows[name].dtype.newbyteorder("=")) for name in self._names})


class RowsWriter:
    """The file a ``COPY … FROM STDIN (FORMAT binary)`` reads ``columns`` from, a block per read.

    ``columns`` maps each column, in the table's order, to its SQL type (``KINDS``) and values
    maps them to arrays of one length. psycopg2 sends whatever ``read`` returns, so each read
    hands over one encoded block of ``block`` rows.
    """

    def __init__(self, columns: Mapping[str, str], values: Mapping[str, np.ndarray], *, block: int = 65_536):
        self._names, self._values, self._block = list(columns), values, block
        self._row = row_type(columns)
        self._blocks = self._encode()

    def _encode(self) -> Iterator[bytes]:
        size = len(self._values[self._names[0]])
        yield HEADER
        for start in range(0, size, self._block):
            rows = np.empty(min(self._block, size - start), dtype=self._row)
            rows["fields"] = len(self._names)
            for name in self._names:
                rows[f"{name}_length"] = self._row[name].itemsize
                rows[name] = self._values[name][start : start + len(rows)]
            yield rows.tobytes()
        yield TRAILER

    def read(self, size: int = -1) -> bytes:
        return next(self._blocks, b"")
