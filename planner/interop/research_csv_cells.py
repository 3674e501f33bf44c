"""Research CSV cells: column and file definitions, formatting and writing.

Pure: no flask, no database. ``write_csv`` formats rows by their file's columns:

- dates are ISO 8601 (``2026-03-05``); date-times are UTC with their offset
  (``2026-03-05T10:15:00+00:00``);
- decimals are rounded half-up to the column's places and written without float
  noise, trailing zeros or exponents (``0.1 + 0.2`` is ``0.3``);
- booleans are ``true``/``false``; a missing value is the empty string;
- a text or code cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return gets a leading ``'`` (OWASP's CSV-injection advice), so a spreadsheet
  shows it as text instead of running it as a formula. Numeric cells are never
  altered: a Sunnybrook composite of ``-5`` stays ``-5``.

Privacy: error messages name the column, never the value, because a value is
patient data and errors reach logs.
"""

import csv
import hashlib
import hmac
import io
import math
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from decimal import ROUND_HALF_UP
from decimal import Decimal
from functools import cached_property
from typing import Literal

ColumnType = Literal[
    "integer", "decimal", "boolean", "date", "datetime", "text", "code"
]

# OWASP "CSV Injection": cells a spreadsheet may read as a formula or a command.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PSEUDONYM_PREFIX = "P-"
PSEUDONYM_HEX_DIGITS = 16
# Domain separation: the app's secret key signs cookies too, and a pseudonym must
# never equal any other value derived from it.
_PSEUDONYM_CONTEXT = b"planner research export patient v1:"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

TYPE_LABELS: dict[ColumnType, str] = {
    "integer": "integer",
    "decimal": "decimal",
    "boolean": "true/false",
    "date": "date (YYYY-MM-DD)",
    "datetime": "date-time (ISO 8601, UTC)",
    "text": "text",
    "code": "code",
}


@dataclass(frozen=True)
class Column:
    """One column: its name, type, unit and meaning, as the dictionary shows them."""

    name: str
    type: ColumnType
    description: str
    unit: str = ""
    # Decimal places a decimal column is rounded to; decimals only.
    places: int | None = None
    # The values a code column may hold; code columns only.
    values: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"column name {self.name!r} is not snake_case")
        if (self.type == "decimal") != (self.places is not None):
            raise ValueError(f"{self.name}: places is given for decimals, and only")
        if self.places is not None and not 0 <= self.places <= 9:
            raise ValueError(f"{self.name}: places must be 0 to 9")
        if (self.type == "code") != bool(self.values):
            raise ValueError(f"{self.name}: values are given for codes, and only")
        if "|" in self.description or "|" in self.unit:
            raise ValueError(f"{self.name}: '|' would break the Markdown table")

    @property
    def type_label(self) -> str:
        if self.places is not None:
            return f"decimal, {self.places} places"
        return TYPE_LABELS[self.type]

    @property
    def full_description(self) -> str:
        """Return the description, with a code column's allowed values."""
        if not self.values:
            return self.description
        listed = ", ".join(f"`{value}`" for value in self.values)
        return f"{self.description} One of: {listed}."


@dataclass(frozen=True)
class CsvFile:
    """One exported file: what a row is, and its columns in order."""

    name: str
    row: str
    columns: tuple[Column, ...]

    def __post_init__(self) -> None:
        names = [column.name for column in self.columns]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.name}: column names must be unique")

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @cached_property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    @cached_property
    def column_set(self) -> frozenset[str]:
        return frozenset(self.column_names)


def pseudonym(key: bytes, patient_id: int) -> str:
    """Return a patient's stable research identifier, e.g. ``P-3f9c0a1b2d4e5f60``.

    An HMAC, not a plain hash: without the key, nobody can test a guessed
    record id against it.
    """
    if not key:
        raise ValueError("the pseudonym key must not be empty")
    if isinstance(patient_id, bool) or not isinstance(patient_id, int):
        raise TypeError("patient_id must be an int")
    digest = hmac.new(
        key, _PSEUDONYM_CONTEXT + str(patient_id).encode(), hashlib.sha256
    ).hexdigest()
    return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_DIGITS]


def whole_years(start: date, on: date) -> int:
    """Return the whole years from ``start`` to ``on`` (an age on a birthday's eve)."""
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


def neutralise(text: str) -> str:
    """Prefix a cell a spreadsheet would read as a formula with a single quote."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def format_decimal(value: float, places: int) -> str:
    """Write a number rounded half-up to ``places``, without noise or exponent."""
    if not math.isfinite(value):
        raise ValueError("is not a finite number")
    # repr is the shortest text that reads back as the same float, so 2.675
    # rounds as the 2.675 that was typed, not as its binary neighbour.
    rounded = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP
    )
    text = format(rounded.normalize(), "f")
    return "0" if text == "-0" else text


def format_cell(column: Column, value: object) -> str:
    """Format one value for its column; raise ValueError naming the column."""
    if value is None:
        return ""
    where = f"{column.name} ({column.type})"
    match column.type:
        case "integer" if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        case "decimal" if isinstance(value, int | float) and not isinstance(
            value, bool
        ):
            assert column.places is not None
            try:
                return format_decimal(value, column.places)
            except ValueError as exc:
                raise ValueError(f"{where}: {exc}") from None
        case "boolean" if isinstance(value, bool):
            return "true" if value else "false"
        case "date" if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        case "datetime" if isinstance(value, datetime):
            if value.utcoffset() is None:
                raise ValueError(f"{where}: needs a time zone")
            return value.astimezone(UTC).isoformat()
        case "text" if isinstance(value, str):
            return neutralise(value)
        case "code" if isinstance(value, str):
            if value not in column.values:
                raise ValueError(f"{where}: is not one of the listed codes")
            return neutralise(value)
    raise ValueError(f"{where}: got a {type(value).__name__}")


def format_row(file: CsvFile, row: Mapping[str, object]) -> list[str]:
    """Return a row's cells in column order; every column, and only those, needed."""
    if row.keys() != file.column_set:
        missing = sorted(file.column_set - row.keys())
        extra = sorted(row.keys() - file.column_set)
        raise ValueError(f"{file.filename}: missing {missing}, unexpected {extra}")
    return [format_cell(column, row[column.name]) for column in file.columns]


def write_csv(
    file: CsvFile, rows: Iterable[Mapping[str, object]], *, batch: int = 500
) -> Iterator[str]:
    """Yield the file as text: the header, then rows ``batch`` at a time."""
    if batch < 1:
        raise ValueError("batch must be at least 1")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(file.column_names)
    pending = 0
    for row in rows:
        writer.writerow(format_row(file, row))
        pending += 1
        if pending == batch:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if buffer.tell():
        yield buffer.getvalue()
