"""Column-wise demo rows and their chunked bulk insert with self-allocated ids.

Rows are generated for the whole run as columns (numpy arrays or lists), ordered
by patient. Each chunk of patients is written in one transaction: the largest
ids in use are read inside it, the chunk's rows get the ids after them, and
foreign keys between the new rows are filled in from those ids.
"""

from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from itertools import repeat
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlmodel import SQLModel

from planner.models import Patient
from planner.models import TreatmentSession
from planner.models import VialLot

IntArray = NDArray[np.int64]


def table_of(model: type[SQLModel]) -> Table:
    """Return a table model's Core table."""
    table: Table = model.__table__  # type: ignore[attr-defined]  # SQLModel sets it at class creation; stubs lack it
    return table


# The tables whose ids the seeder hands out itself, by the name rows refer to them.
OWNED_TABLES: dict[str, Table] = {
    "patient": table_of(Patient),
    "lot": table_of(VialLot),
    "session": table_of(TreatmentSession),
}

# Rows per executemany call: bounds the memory the row dicts take at once.
BATCH_ROWS = 20_000


@dataclass
class Rows:
    """Rows for one table as columns; ``patient`` orders them for chunking.

    ``refs`` maps a column to (owned table name, row index into that table's
    rows); index -1 stores NULL. ``constants`` hold one value for every row.
    """

    table: Table
    patient: IntArray
    values: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    refs: dict[str, tuple[str, IntArray]] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.patient)


def column(values: NDArray[Any]) -> list[Any]:
    """Turn a numpy column into plain Python values the drivers can bind."""
    converted: list[Any] = values.tolist()
    return converted


def expand(starts: IntArray, counts: IntArray) -> tuple[IntArray, IntArray]:
    """Repeat each owner ``counts`` times and number its items from ``starts``.

    :return: (owner index, item index), both of length ``counts.sum()``.
    """
    owner = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    firsts = np.cumsum(counts) - counts
    offset = np.arange(int(counts.sum()), dtype=np.int64) - np.repeat(firsts, counts)
    return owner, np.repeat(starts, counts) + offset


def chunk_bounds(patients: int, size: int) -> Iterator[tuple[int, int]]:
    """Yield [start, stop) patient index ranges of at most ``size`` patients."""
    for start in range(0, patients, size):
        yield start, min(start + size, patients)


def hold_off_writers(connection: Connection) -> None:
    """Keep other writers out from reading the largest ids until the commit."""
    if connection.dialect.name == "sqlite":
        # pysqlite would only begin at the first INSERT, after the ids are read.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        names = ", ".join(table.name for table in OWNED_TABLES.values())
        connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))


def largest_ids(connection: Connection) -> dict[str, int]:
    """Read the largest id in use in each owned table (0 when empty)."""
    found: dict[str, int] = {}
    for name, table in OWNED_TABLES.items():
        largest = connection.execute(select(func.max(table.c.id))).scalar()
        found[name] = int(largest or 0)
    return found


def reset_sequences(connection: Connection) -> None:
    """Move PostgreSQL's id sequences past the ids inserted explicitly."""
    if connection.dialect.name != "postgresql":
        return
    for table in OWNED_TABLES.values():
        connection.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )
        )


def insert_chunk(
    connection: Connection,
    rows_by_table: Sequence[Rows],
    owned: dict[str, Rows],
    start: int,
    stop: int,
) -> None:
    """Insert every table's rows for patients [start, stop), parents first."""
    hold_off_writers(connection)
    largest = largest_ids(connection)
    # id = index + shift: the chunk's first row of each owned table gets largest + 1.
    shift = {
        name: largest[name] + 1 - _first_row(rows.patient, start)
        for name, rows in owned.items()
    }
    for rows in rows_by_table:
        lo = _first_row(rows.patient, start)
        hi = _first_row(rows.patient, stop)
        for batch_lo in range(lo, hi, BATCH_ROWS):
            batch = _row_dicts(rows, batch_lo, min(batch_lo + BATCH_ROWS, hi), shift)
            connection.execute(insert(rows.table), batch)
    reset_sequences(connection)


def _first_row(patient: IntArray, index: int) -> int:
    return int(np.searchsorted(patient, index, side="left"))


def _row_dicts(
    rows: Rows, lo: int, hi: int, shift: dict[str, int]
) -> list[dict[str, Any]]:
    names: list[str] = []
    columns: list[Any] = []
    for name, values in rows.values.items():
        names.append(name)
        columns.append(values[lo:hi])
    for name, (owner, index) in rows.refs.items():
        part = index[lo:hi]
        ids = np.where(part >= 0, part + shift[owner], -1).tolist()
        names.append(name)
        columns.append([None if value < 0 else value for value in ids])
    for name, value in rows.constants.items():
        names.append(name)
        columns.append(repeat(value, hi - lo))
    return [
        dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)
    ]
