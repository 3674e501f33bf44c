"""How a product's unit name is set beside a word: after a comma, never in brackets.

Dysport's units are worded "U (Speywood)", so a label that wraps a unit name in
brackets doubles them: "Dysport (U (Speywood))". Every label, heading and choice that
names units says "Dysport, U (Speywood)" or "Dose, U (Speywood)" instead, through
:func:`in_units`, from Python and from templates (the ``in_units`` filter).

A "4 + 1" dose cell is explained in the same way: in the one product's own units,
or, beside several products' tables, in no product's units at all
(:func:`top_up_example`, the ``top_up_example`` filter).
"""

from collections.abc import Sequence


def in_units(label: str, unit_name: str) -> str:
    """Name what is counted and its units: "Dose, U", "Dysport, U (Speywood)"."""
    return f"{label}, {unit_name}"


def top_up_example(unit_names: Sequence[str]) -> str:
    """Explain a "4 + 1" dose cell in the shown products' units.

    ``unit_names`` has one entry per product shown. With one product the
    example is in its units ("4 U (Speywood)"); with several, two products'
    units never share a word even when both say "U", so the example names no
    unit and points at each table's own.
    """
    if len(unit_names) == 1:
        unit = unit_names[0]
        return f"“4 + 1” is 4 {unit} at the treatment and a 1 {unit} top-up"
    return (
        "“4 + 1” is 4 units at the treatment and a 1-unit top-up,"
        " in that table’s product’s units"
    )
