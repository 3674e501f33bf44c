"""The handout's "moving your face" line: therapy first, then the seeds' advice.

Pure: no flask, no database. When a course of facial therapy is going on, the
line points to the therapist's home programme; when none is, it suggests asking
about one. Either way it keeps the advice the clinical reference gives (§6.1):
keep doing the therapist's exercises [S16] [S13]; small, gentle, controlled
moves, no over-exercise: coordination, not strengthening [S18]. Avoiding big
(exaggerated) faces is UNSOURCED for synkinesis ([S-ft]'s "do not exaggerate"
is a photo-capture protocol, not aftercare): the clinic's advice, labelled.
"""

from dataclasses import dataclass

from planner.reports.sourced import AdviceLine
from planner.reports.sourced import clinics_own
from planner.reports.sourced import sourced

TITLE = "Moving your face"
# Written for a reading age of about 11 (grade 6): short words, short sentences.
# The handout must stay on two pages: the line is as short as the one it replaced.
WITH_THERAPY = sourced(
    "Keep doing your therapist's home plan.",
    "[S16] [S13]: keep doing the exercises your therapist gave you",
)
WITHOUT_THERAPY = sourced(
    "Ask us about face therapy: it can help.",
    "[S16] [S13]: given alongside facial therapy; [S8] facial training first",
)
GENTLE = sourced(
    "Use small, slow, gentle moves, and do not overdo it.",
    "[S18]: coordination, not strengthening; do not over-work the face",
)
NO_BIG_FACES = clinics_own(
    "Do not make big faces.",
    "avoiding exaggerated expressions is unsourced for synkinesis (reference "
    "6.1); [S-ft] is a photo-capture protocol, not aftercare",
)


@dataclass(frozen=True)
class MovingYourFace:
    """The line's title and its sentences, in order, each with its source."""

    title: str
    lines: tuple[AdviceLine, ...]
    in_therapy: bool


def moving_your_face(*, in_therapy: bool) -> MovingYourFace:
    """Return what the handout says about moving the face, with or without therapy."""
    first = WITH_THERAPY if in_therapy else WITHOUT_THERAPY
    return MovingYourFace(TITLE, (first, GENTLE, NO_BIG_FACES), in_therapy)
