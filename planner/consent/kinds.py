"""The kinds of consent form and the ways a consent is given."""

from enum import StrEnum


class ConsentKind(StrEnum):
    """What a form asks the patient to agree to; each kind has its own versions."""

    TREATMENT = "treatment"
    PHOTOGRAPHY = "photography"
    RESEARCH = "research"


class ConsentMethod(StrEnum):
    """How the consent was given and recorded."""

    # Signed with a finger (or stylus, or mouse) on the tablet: strokes are kept.
    DRAWN = "drawn"
    # The keyboard path: the typed name is the signature, confirmed by a checkbox.
    TYPED = "typed"
    # Not signed here: a reason is recorded (e.g. a paper form scanned elsewhere).
    RECORDED = "recorded"


KIND_LABELS: dict[ConsentKind, str] = {
    ConsentKind.TREATMENT: "Botulinum toxin treatment for synkinesis",
    ConsentKind.PHOTOGRAPHY: "Photographs of your face",
    ConsentKind.RESEARCH: "Use of your data for research",
}

METHOD_LABELS: dict[ConsentMethod, str] = {
    ConsentMethod.DRAWN: "Signed on the tablet",
    ConsentMethod.TYPED: "Typed name as signature",
    ConsentMethod.RECORDED: "Recorded with a reason",
}
