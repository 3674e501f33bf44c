"""The standard views: the expressions photographed at every visit.

By default the expressions the grading instruments use (eFACE, Sunnybrook,
Emotrics' seven), each with one line to read to the patient in plain words. The
words ask for a gentle movement, never "as hard as you can": an exaggerated face
does not compare with the last one. A clinic may reword, reorder, hide or add
views; the view at rest is always kept, because movement is measured from it.
"""

from dataclasses import dataclass

REST = "rest"


@dataclass(frozen=True)
class StandardView:
    """One view: its stored code, its name and the instruction to the patient."""

    code: str
    label: str
    instruction: str


DEFAULT_VIEWS: tuple[StandardView, ...] = (
    StandardView(REST, "At rest", "Relax your face and look straight at the camera."),
    StandardView(
        "brow_raise", "Brow raise", "Gently raise your eyebrows, as if surprised."
    ),
    StandardView(
        "eye_closure_gentle",
        "Gentle eye closure",
        "Close your eyes gently, as if you were asleep.",
    ),
    StandardView(
        "eye_closure_tight",
        "Tight eye closure",
        "Close your eyes firmly, without straining.",
    ),
    StandardView(
        "smile_closed",
        "Closed-mouth smile",
        "Smile gently with your lips together.",
    ),
    StandardView(
        "smile_open",
        "Open-mouth smile",
        "Smile gently so that your teeth show.",
    ),
    StandardView(
        "pucker", "Pucker (“ooo”)", "Gently push your lips forward, as if saying “ooo”."
    ),
    StandardView(
        "lip_depression",
        "Lip depression (“eee”)",
        "Gently show your lower teeth, as if saying “eee”.",
    ),
    StandardView(
        "nose_wrinkle",
        "Nose wrinkle",
        "Gently wrinkle your nose, as if at a bad smell.",
    ),
)
