"""Columns more than one research CSV file carries, and the helpers that make them.

Pure: no flask, no database.
"""

from collections.abc import Iterable

from planner.interop.research_csv_cells import Column


def id_column(name: str, what: str) -> Column:
    """Return a record-id column."""
    return Column(name, "integer", what)


def code_column(name: str, description: str, values: Iterable[str]) -> Column:
    """Return a code column listing every value it may hold."""
    return Column(name, "code", description, values=tuple(map(str, values)))


PATIENT_REF = Column(
    "patient_ref",
    "text",
    "Pseudonymous patient identifier (see the format notes); the same patient has "
    "the same value in every file.",
)
CYCLE_NUMBER = Column(
    "cycle_number",
    "integer",
    "Treatment cycle, counted from 1 for each patient; a full treatment opens a "
    "cycle and top-ups belong to it.",
)
