"""Other treatments beside the toxin cycles: therapy periods and procedures.

Pure: no flask, no database. A cycle runs from its full treatment to the next
cycle's (the latest, on to today). A therapy course overlaps the cycles whose
run it meets, and is drawn as a band across them; a procedure comes before the
first cycle treated on or after its day, and is marked there, so a change in
response can be read against them (issue 22).
"""

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date


@dataclass(frozen=True)
class TherapyPeriod:
    """A therapy course: ``ended_on`` None while it goes on; ``label`` names it."""

    started_on: date
    ended_on: date | None
    label: str
    # What the ledger adds after the label (the therapist); the chart stays short.
    detail: str = ""


@dataclass(frozen=True)
class ProcedureDay:
    performed_on: date
    label: str


@dataclass(frozen=True)
class CycleBand:
    """A therapy period across cycles ``first`` to ``last`` (inclusive)."""

    first: int
    last: int
    label: str


@dataclass(frozen=True)
class Beside:
    """Therapy bands, procedure marks and, per cycle, what the ledger says."""

    bands: list[CycleBand] = field(default_factory=list)
    marks: list[tuple[int, str]] = field(default_factory=list)
    notes: dict[int, tuple[str, ...]] = field(default_factory=dict)
    # What falls before the first cycle or after the last's start, with no cycle.
    outside: tuple[str, ...] = ()


def _runs(cycles: Sequence[tuple[int, date]]) -> list[tuple[int, date, date | None]]:
    ordered = sorted(cycles, key=lambda c: (c[1], c[0]))
    return [
        (number, day, ordered[i + 1][1] if i + 1 < len(ordered) else None)
        for i, (number, day) in enumerate(ordered)
    ]


def beside_cycles(
    cycles: Sequence[tuple[int, date]],
    therapy: Sequence[TherapyPeriod],
    procedures: Sequence[ProcedureDay],
) -> Beside:
    """Place therapy periods and procedures against cycles ``(number, treated_on)``."""
    runs = _runs(cycles)
    notes: dict[int, list[str]] = {number: [] for number, _, _ in runs}
    bands: list[CycleBand] = []
    marks: list[tuple[int, str]] = []
    outside: list[str] = []
    for period in sorted(therapy, key=lambda p: p.started_on):
        met = [
            number
            for number, start, end in runs
            if (end is None or period.started_on < end)
            and (period.ended_on is None or period.ended_on >= start)
        ]
        if not met:
            outside.append(f"Therapy: {period.label}")
            continue
        bands.append(CycleBand(met[0], met[-1], period.label))
        told = f"{period.label}, {period.detail}" if period.detail else period.label
        for number in met:
            notes[number].append(f"Therapy: {told}")
    for procedure in sorted(procedures, key=lambda p: p.performed_on):
        after = next(
            (number for number, start, _ in runs if start >= procedure.performed_on),
            None,
        )
        if after is None:
            outside.append(f"Procedure: {procedure.label}")
            continue
        marks.append((after, procedure.label))
        notes[after].append(f"Procedure before this cycle: {procedure.label}")
    return Beside(
        bands=bands,
        marks=marks,
        notes={n: tuple(texts) for n, texts in notes.items() if texts},
        outside=tuple(outside),
    )
