"""Instruments as the cycles page and the print compare them, subscales apart.

The FDI has two subscales, each 0-100, and no sourced total (clinical
reference §4.5); its stored headline is the Physical function subscale. The
comparison follows each subscale as its own line, "fdi" the Physical and
"fdi_social" the Social/well-being, each named so wherever it is shown.
"""

from dataclasses import replace

from planner import scoring

FDI = "fdi"
FDI_SOCIAL = "fdi_social"
# A subscale followed as its own line: its code, the stored instrument and the
# key of its stored scores.
SUBSCALES = {FDI_SOCIAL: (FDI, "social")}
TITLES = {
    FDI: "Facial Disability Index: physical function",
    FDI_SOCIAL: "Facial Disability Index: social and well-being function",
}
SHORT_TITLES = {
    "sunnybrook": "Sunnybrook",
    "eface": "eFACE",
    "saq": "SAQ",
    FDI: "FDI physical",
    FDI_SOCIAL: "FDI social",
    "house_brackmann": "House\u2013Brackmann",
}


def course_instrument(code: str) -> scoring.InstrumentDefinition:
    """Return the definition a compared line is scored and worded by.

    A subscale shares its instrument's scale and direction under its own title.
    """
    stored, _ = SUBSCALES.get(code, (code, ""))
    definition = scoring.get_instrument(stored)
    if code in TITLES:
        return replace(definition, code=code, title=TITLES[code])
    return definition


def short_title(code: str) -> str:
    """Return a line's short name for tables and charts: "SAQ", "FDI social"."""
    return SHORT_TITLES.get(code, code)
