"""How a product's unit name is set beside a word: after a comma, never in brackets.

Dysport's units are worded "U (Speywood)", so a label that wraps a unit name in
brackets doubles them: "Dysport (U (Speywood))". Every label, heading and choice that
names units says "Dysport, U (Speywood)" or "Dose, U (Speywood)" instead, through
:func:`in_units`, from Python and from templates (the ``in_units`` filter).
"""


def in_units(label: str, unit_name: str) -> str:
    """Name what is counted and its units: "Dose, U", "Dysport, U (Speywood)"."""
    return f"{label}, {unit_name}"
