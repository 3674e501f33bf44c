"""What the patient handout says about today's injections, in plain words.

Two data tables keyed by the face map's muscle codes: where a site is, in words a
patient uses, and which advice a treated muscle brings with it. Each piece of
advice carries its source tag from the clinical reference (sections 1.3 and 6)
in a comment; wording is the clinic's own, aimed at a reading age of about 11.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# Where each muscle is, as (on one side, on the midline). "{side}" is left/right.
PLAIN_AREAS: dict[str, tuple[str, str]] = {
    "frontalis": ("the {side} side of your forehead", "the middle of your forehead"),
    "corrugator": ("the inner end of your {side} eyebrow", "between your eyebrows"),
    "procerus": ("between your eyebrows", "between your eyebrows"),
    "orbicularis_oculi_pretarsal_upper": (
        "your {side} upper eyelid",
        "your upper eyelid",
    ),
    "orbicularis_oculi_pretarsal_lower": (
        "your {side} lower eyelid",
        "your lower eyelid",
    ),
    "orbicularis_oculi_orbital": ("around your {side} eye", "around your eye"),
    "nasalis": ("the {side} side of your nose", "your nose"),
    "levator_labii_superioris_alaeque_nasi": (
        "beside your nose, on the {side}",
        "beside your nose",
    ),
    "levator_labii_superioris": (
        "your {side} cheek, above your top lip",
        "above your top lip",
    ),
    "zygomaticus_major": ("your {side} cheek", "your cheek"),
    "zygomaticus_minor": ("your {side} cheek", "your cheek"),
    "risorius": (
        "your {side} cheek, near the corner of your mouth",
        "near the corner of your mouth",
    ),
    "buccinator": ("deep in your {side} cheek", "deep in your cheek"),
    "orbicularis_oris_upper": ("your top lip, on the {side}", "your top lip"),
    "orbicularis_oris_lower": ("your bottom lip, on the {side}", "your bottom lip"),
    "depressor_anguli_oris": (
        "below the {side} corner of your mouth",
        "below the corner of your mouth",
    ),
    "depressor_labii_inferioris": (
        "below your bottom lip, on the {side}",
        "below your bottom lip",
    ),
    "mentalis": ("your chin", "your chin"),
    "platysma": ("the {side} side of your neck", "your neck"),
}


@dataclass(frozen=True)
class Advice:
    """One piece of tailored advice: what may happen, what to do, when to call.

    ``noun`` names the body part when the title should say which side ("Your
    left eye", "Both eyes"); without it, ``title`` is used as it stands. In
    ``points``, "{part}" becomes "the eye", or "each eye" when both were treated.
    """

    key: str
    title: str
    points: tuple[str, ...]
    call_us: str
    noun: str | None = None
    plural: str | None = None


ADVICE: dict[str, Advice] = {
    # Dry eye and weak closure after orbicularis oculi: lagophthalmos [S37b],
    # ptosis [S20], temporary lid droop [S13]; protecting the eye at night is
    # standard exposure care (UNSOURCED for this use, clinical reference 6.3).
    "eye": Advice(
        key="eye",
        title="Your eye",
        noun="eye",
        plural="eyes",
        points=(
            "{part} may feel dry, gritty or watery, and it may not close "
            "all the way for a few weeks.",
            "Use eye drops in the day. At night, protect {part} with eye gel, "
            "or tape it closed if we showed you how.",
            "The upper eyelid may droop a little. This gets better on its own.",
        ),
        call_us="Call us if you cannot close an eye, if it gets sore or red, "
        "or if you see double.",
    ),
    # Frontalis: brow ptosis and asymmetry [S37b]; corrugator: eyelid ptosis
    # from spread to the levator [S23].
    "brow": Advice(
        key="brow",
        title="Your eyebrow",
        noun="eyebrow",
        plural="eyebrows",
        points=(
            "{part} may feel heavy or sit a little lower than before.",
            "Now and then the upper eyelid droops a little too. It wears off.",
        ),
        call_us="Call us if a droopy eyebrow or eyelid gets in the way of seeing.",
    ),
    # Mentalis spreading to orbicularis oris / DLI: dribbling when drinking,
    # drooling [S68]; orbicularis oris: trouble with straws, speech [S76];
    # DAO near the mouth corner: eating and speech problems [S64] [S65];
    # drooling and lip sealing in facial palsy [S19].
    "mouth": Advice(
        key="mouth",
        title="Your mouth and lips",
        points=(
            "Your lips may feel weaker for a while. Drinking from a cup or a "
            "straw, and keeping food or drink in your mouth, may be harder.",
            "Take small sips and small bites, and go slowly.",
            "Some words may sound a little different for a while.",
        ),
        call_us="Call us if you dribble a lot or find it hard to drink.",
    ),
    # Buccinator: mouth-corner weakness and leaking liquids; cheek biting
    # usually stopped [S7].
    "cheek": Advice(
        key="cheek",
        title="Your cheek",
        noun="cheek",
        plural="cheeks",
        points=(
            "{part} may feel weak. Drinks or spit may leak from the "
            "corner of your mouth.",
            "Biting the inside of your cheek usually happens less.",
        ),
        call_us="Call us if liquids keep leaking or eating gets hard.",
    ),
    # Zygomaticus / risorius: smile weakening and asymmetry [S-cba] [S76];
    # LLS / LLSAN and nasalis spread: upper-lip droop [S76].
    "smile": Advice(
        key="smile",
        title="Your smile",
        points=(
            "Your smile may look or feel different for a while, and your top "
            "lip may feel a little heavy.",
            "This is usually mild and wears off as the treatment does.",
        ),
        call_us="Call us if your smile changes so much that it worries you.",
    ),
    # Platysma: neck weakness and difficulty swallowing (label boxed warning on
    # distant spread) [S35].
    "neck": Advice(
        key="neck",
        title="Your neck",
        points=(
            "Your neck may feel a little weak or tired for a few days.",
            "Swallowing may feel a little different. If it becomes hard, do "
            "not wait: see “When to get help”.",
        ),
        call_us="Get help straight away if swallowing, speaking or breathing "
        "gets hard.",
    ),
}

# Which advice each treated muscle brings. Procerus has none of its own: the
# reference lists its risks as rare (clinical reference 1.3).
MUSCLE_ADVICE: dict[str, tuple[str, ...]] = {
    "orbicularis_oculi_pretarsal_upper": ("eye",),
    "orbicularis_oculi_pretarsal_lower": ("eye",),
    "orbicularis_oculi_orbital": ("eye",),
    "frontalis": ("brow",),
    "corrugator": ("brow",),
    "mentalis": ("mouth",),
    "depressor_anguli_oris": ("mouth",),
    "depressor_labii_inferioris": ("mouth",),
    "orbicularis_oris_upper": ("mouth",),
    "orbicularis_oris_lower": ("mouth",),
    "buccinator": ("cheek",),
    "zygomaticus_major": ("smile",),
    "zygomaticus_minor": ("smile",),
    "risorius": ("smile",),
    "levator_labii_superioris": ("smile",),
    "levator_labii_superioris_alaeque_nasi": ("smile",),
    "nasalis": ("smile",),
    "platysma": ("neck",),
}


@dataclass(frozen=True)
class TailoredAdvice:
    """Advice for today's treatment, its title naming the side where that helps."""

    key: str
    title: str
    points: tuple[str, ...]
    call_us: str


@dataclass(frozen=True)
class PlaceTreated:
    """One place on the face in plain words, with the numbers of its sites."""

    words: str
    numbers: tuple[int, ...]


def plain_area(muscle: str, side: str) -> str:
    """Name where a muscle is, the way a patient would say it."""
    sided, middle = PLAIN_AREAS.get(muscle, ("your face, {side} side", "your face"))
    return middle if side == "midline" else sided.format(side=side)


def places_treated(sites: Iterable[tuple[int, str, str]]) -> list[PlaceTreated]:
    """Group (number, muscle, side) sites by plain place, in order of first site."""
    found: dict[str, list[int]] = {}
    for number, muscle, side in sorted(sites):
        found.setdefault(plain_area(muscle, side), []).append(number)
    return [PlaceTreated(words, tuple(numbers)) for words, numbers in found.items()]


def _title(advice: Advice, sides: set[str]) -> str:
    if advice.noun is None or advice.plural is None:
        return advice.title
    sided = sides - {"midline"}
    if len(sided) == 2:
        return f"Both {advice.plural}"
    if len(sided) == 1:
        return f"Your {next(iter(sided))} {advice.noun}"
    return advice.title


def _point(text: str, advice: Advice, sides: set[str]) -> str:
    both = len(sides - {"midline"}) == 2
    part = f"{'each' if both else 'the'} {advice.noun or 'area'}"
    filled = text.replace("{part}", part)
    return filled[:1].upper() + filled[1:]


def advice_for(sites: Iterable[tuple[str, str]]) -> list[TailoredAdvice]:
    """Return the advice for the (muscle, side) pairs treated, in table order."""
    sides: dict[str, set[str]] = {}
    for muscle, side in sites:
        for key in MUSCLE_ADVICE.get(muscle, ()):
            sides.setdefault(key, set()).add(side)
    return [
        TailoredAdvice(
            key=advice.key,
            title=_title(advice, sides[advice.key]),
            points=tuple(_point(p, advice, sides[advice.key]) for p in advice.points),
            call_us=advice.call_us,
        )
        for advice in ADVICE.values()
        if advice.key in sides
    ]
