"""What the patient handout says about today's injections, in plain words.

Two data tables keyed by the face map's muscle codes: where a site is, in words a
patient uses, and which advice a treated muscle brings with it. Each line of
advice carries its source tags from the clinical reference (sections 1.3 and 6),
or is marked as the clinic's own where the reference has none (UNSOURCED): the
handout prints those under "Your clinic's advice". Wording is the clinic's,
aimed at a reading age of about 11.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from planner.reports.sourced import AdviceLine
from planner.reports.sourced import clinics_own
from planner.reports.sourced import sourced

# Where each muscle is, as (on one side, on the midline). "{side}" is left/right.
PLAIN_AREAS: dict[str, tuple[str, str]] = {
    "frontalis": ("the {side} side of your forehead", "the middle of your forehead"),
    "corrugator": ("the inner end of your {side} eyebrow", "between your eyebrows"),
    "procerus": ("between your eyebrows", "between your eyebrows"),
    "depressor_supercilii": (
        "under the inner end of your {side} eyebrow",
        "between your eyebrows",
    ),
    "orbicularis_oculi_preseptal_upper": (
        "your {side} upper eyelid, below the eyebrow",
        "your upper eyelid",
    ),
    "orbicularis_oculi_preseptal_lower": (
        "below your {side} lower eyelid",
        "below your lower eyelid",
    ),
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
    """Tailored advice: what a treated part may feel like, and what helps.

    When to call is never said here: each symptom has one rule, in
    ``RED_FLAGS``, so the tailored and the general advice cannot disagree.
    ``noun`` names the body part when the title should say which side ("Your
    left eye", "Both eyes"); without it, ``title`` is used as it stands. In
    ``points``, "{part}" becomes "the eye", or "each eye" when both were treated.
    """

    key: str
    title: str
    points: tuple[AdviceLine, ...]
    noun: str | None = None
    plural: str | None = None


ADVICE: dict[str, Advice] = {
    # Weak closure and lid droop are red flags, not expected effects.
    "eye": Advice(
        key="eye",
        title="Your eye",
        noun="eye",
        plural="eyes",
        points=(
            clinics_own(
                "{part} may feel dry or gritty, or water more. Use eye drops by "
                "day and eye gel at night.",
                "dry eye is UNSOURCED for synkinesis (reference 1.3); drops and "
                "gel are standard exposure care, UNSOURCED for this use (6.3)",
            ),
        ),
    ),
    # Frontalis lowers the brow it treats (clinical reference 1.3); brow
    # ptosis beyond that is a red flag [S37b] [S23].
    "brow": Advice(
        key="brow",
        title="Your eyebrow",
        noun="eyebrow",
        plural="eyebrows",
        points=(
            sourced(
                "{part} may feel heavy or sit a little lower. A small change is "
                "what we expect.",
                "[S13] [S37b]; frontalis lowers the brow (reference 1.3)",
            ),
        ),
    ),
    # Orbicularis oris and mentalis spread: trouble with straws and cups,
    # speech [S76] [S68]; DAO near the mouth corner [S64] [S65].
    "mouth": Advice(
        key="mouth",
        title="Your mouth and lips",
        points=(
            sourced(
                "Your lips may feel weak. Cups, straws and sounds like p, b and "
                "m may be harder.",
                "[S76] [S68] [S64] [S65]",
            ),
            clinics_own("Take small sips and bites.", "not in reference 6"),
        ),
    ),
    # Buccinator: mouth-corner weakness and leaking liquids; cheek biting
    # usually stopped [S7].
    "cheek": Advice(
        key="cheek",
        title="Your cheek",
        noun="cheek",
        plural="cheeks",
        points=(
            sourced(
                "{part} may feel weak, and drinks may leak from the corner of "
                "your mouth. You should bite your cheek less.",
                "[S7]",
            ),
        ),
    ),
    # Zygomaticus / risorius: smile weakening and asymmetry [S-cba] [S76];
    # LLS / LLSAN and nasalis spread: upper-lip droop [S76]; the effect wears
    # off over 3-4 months [S16] [S20] [S36].
    "smile": Advice(
        key="smile",
        title="Your smile",
        points=(
            sourced(
                "Your smile may look or feel different, and your top lip may "
                "feel heavy. This is mild and wears off.",
                "[S-cba] [S76] [S16] [S20] [S36]",
            ),
        ),
    ),
    # Platysma: swallowing trouble and neck weakness are the label's boxed
    # warning on distant spread [S35], never an expected effect.
    "neck": Advice(
        key="neck",
        title="Your neck",
        points=(
            sourced(
                "Your neck may feel a little tired for a few days. Trouble "
                "swallowing or holding up your head is not normal: it is an "
                "emergency (see page 1).",
                "[S35] [S13]",
            ),
        ),
    ),
}

# Which advice each treated muscle brings. Procerus has none of its own: the
# reference lists its risks as rare (clinical reference 1.3).
MUSCLE_ADVICE: dict[str, tuple[str, ...]] = {
    "orbicularis_oculi_pretarsal_upper": ("eye",),
    "orbicularis_oculi_pretarsal_lower": ("eye",),
    "orbicularis_oculi_orbital": ("eye",),
    "orbicularis_oculi_preseptal_upper": ("eye",),
    "orbicularis_oculi_preseptal_lower": ("eye",),
    "frontalis": ("brow",),
    "corrugator": ("brow",),
    "depressor_supercilii": ("brow",),
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
    points: tuple[AdviceLine, ...]


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


def _point(line: AdviceLine, advice: Advice, sides: set[str]) -> AdviceLine:
    both = len(sides - {"midline"}) == 2
    part = f"{'each' if both else 'the'} {advice.noun or 'area'}"
    filled = line.text.replace("{part}", part)
    return AdviceLine(filled[:1].upper() + filled[1:], line.source)


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
        )
        for advice in ADVICE.values()
        if advice.key in sides
    ]


# Always printed: other clinics must know, and doses of any toxin add up (the
# rolling 3-month dose check, clinical reference 7); the wording is the clinic's.
TELL_OTHERS = sourced(
    "Tell any other doctor, dentist or clinic that you had botulinum toxin. "
    "Do not have any other toxin injections without telling us first.",
    "rolling 3-month cumulative dose per product (reference 7, 2.2)",
)
# Express milk for use during the 24-48 h after injection.
BREASTFEEDING = sourced(
    "If you are breastfeeding: for 1 to 2 days after the injections, give your "
    "baby milk you pumped before them.",
    "[S14] [S15]",
)
# The stronger side overacts; a small dose there balances the face and stops the
# weak side being over-stretched.
STRONGER_SIDE = sourced(
    "We also treated your stronger side. It can pull harder than your weak side. "
    "A small dose there helps both sides of your face match.",
    "[S2] [S13] [S15]",
)


def good_to_know(*, may_breastfeed: bool) -> list[AdviceLine]:
    """Return the general notes for this patient, in the order they print."""
    return [TELL_OTHERS, BREASTFEEDING] if may_breastfeed else [TELL_OTHERS]
