"""The handout's "moving your face" line: therapy first, then the seeds' advice.

Pure: no flask, no database. When a course of facial therapy is going on, the
line points to the therapist's home programme; when none is, it suggests asking
about one. Either way it keeps the advice the clinical reference gives: small,
gentle, controlled moves, no big (exaggerated) faces, no over-exercise
(clinical reference §6.1: [S13] [S16] keep doing the therapist's exercises;
[S18] coordination, not strengthening; [S-ft] do not exaggerate).
"""

from dataclasses import dataclass

TITLE = "Moving your face"
# Written for a reading age of about 11 (grade 6): short words, short sentences.
# The handout must stay on two pages: the line is as short as the one it replaced.
WITH_THERAPY = "Keep doing your therapist's home plan."
WITHOUT_THERAPY = "Ask us about face therapy: it can help."
ALWAYS = "Use small, slow, gentle moves, and do not make big faces or overdo it."


@dataclass(frozen=True)
class MovingYourFace:
    """The line's title and its sentences, in order."""

    title: str
    lines: tuple[str, ...]
    in_therapy: bool


def moving_your_face(*, in_therapy: bool) -> MovingYourFace:
    """Return what the handout says about moving the face, with or without therapy."""
    first = WITH_THERAPY if in_therapy else WITHOUT_THERAPY
    return MovingYourFace(TITLE, (first, ALWAYS), in_therapy)
