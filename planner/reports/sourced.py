"""A line of advice for the patient, kept with where it comes from.

Pure: no flask, no database. The product rule: what the clinical reference marks
UNSOURCED is the clinic's own advice, and the handout prints it under a label
that says so (``CLINIC_ADVICE``), never as a plain fact. Every line of advice
carries its source next to its text, so a test can check each printed line.
"""

from dataclasses import dataclass

# The label printed before each line of the clinic's own advice, in plain words.
CLINIC_ADVICE = "Your clinic's advice"
# How a line's source begins when the reference gives none for it.
UNSOURCED = "UNSOURCED"


@dataclass(frozen=True)
class AdviceLine:
    """What a line says, and the clinical reference's tags for it.

    ``source`` holds the reference's tags (for example "[S35] [S27]") or, for
    the clinic's own advice, "UNSOURCED: " and why (for example "standard
    exposure care, reference 6.3").
    """

    text: str
    source: str

    @property
    def clinics_own(self) -> bool:
        """Say whether this is the clinic's own advice, printed under its label."""
        return self.source.startswith(UNSOURCED)


def sourced(text: str, tags: str) -> AdviceLine:
    """Return a line the reference supports, with its tags."""
    return AdviceLine(text, tags)


def clinics_own(text: str, why: str) -> AdviceLine:
    """Return a line of the clinic's own advice: UNSOURCED, and why."""
    return AdviceLine(text, f"{UNSOURCED}: {why}")
