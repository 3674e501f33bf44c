"""When to get help after the injections: one rule for each symptom.

Each symptom appears once on the handout, with one thing to do, so a patient
never reads two answers to the same worry: the tailored advice says what a
treated part may feel like and never when to call. Three levels, most urgent
first. A rule tied to a part of the face prints only when that part was treated.
Sources are the clinical reference's tags (section 6.3 and table 1.3).
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # call the emergency number, or go to an emergency dept
    SAME_DAY = "same_day"  # call the clinic today
    WORKING_HOURS = "working_hours"  # call the clinic when it is open


@dataclass(frozen=True)
class RedFlag:
    key: str
    urgency: Urgency
    text: str
    # The tailored advice (planner.reports.advice) that brings this rule, or
    # None for a rule every handout carries.
    advice: str | None = None


RED_FLAGS: tuple[RedFlag, ...] = (
    # The labels' boxed warning on distant spread of toxin effect: swallowing,
    # speaking or breathing trouble and generalised weakness, hours to weeks
    # after the injection; seek help immediately [S35] [S27] [S28].
    RedFlag("breathing", Urgency.EMERGENCY, "Trouble breathing."),
    RedFlag(
        "swallowing",
        Urgency.EMERGENCY,
        "Trouble swallowing, or choking on food or drink.",
    ),
    RedFlag("speech", Urgency.EMERGENCY, "Slurred speech."),
    RedFlag(
        "weakness",
        Urgency.EMERGENCY,
        "Weakness that spreads beyond your face, for example to your arms or legs.",
    ),
    # A very small risk of allergic reaction [S14] [S15]. Its signs, and calling
    # the emergency number for them, are standard first aid for anaphylaxis,
    # not a finding of the reference (issue 17 asks for them).
    RedFlag(
        "allergy",
        Urgency.EMERGENCY,
        "An allergic reaction: an itchy, lumpy rash (hives), swelling of your "
        "lips, tongue or throat, wheezing, or feeling faint.",
    ),
    # Double and blurred vision: boxed-warning symptoms [S35]; double vision
    # [S13] [S63].
    RedFlag("vision", Urgency.SAME_DAY, "Blurred vision or double vision."),
    # After a palsy, new weak eye closure exposes the cornea: protect the eye
    # (standard exposure care, reference 6.3) and call the same day.
    RedFlag(
        "eye_closure",
        Urgency.SAME_DAY,
        "An eye that will not close all the way, or is sore or red. Protect it "
        "first: use eye gel, and tape it shut at night if we showed you how.",
    ),
    # A change of voice: a boxed-warning symptom [S35].
    RedFlag(
        "voice",
        Urgency.SAME_DAY,
        "A hoarse or weak voice, or a voice that sounds different.",
    ),
    # Platysma: neck weakness at high doses [S35].
    RedFlag(
        "neck",
        Urgency.SAME_DAY,
        "Your neck feels weak, or it is hard to hold your head up.",
        advice="neck",
    ),
    # Temporary brow or lid droop [S13]; ptosis [S20] [S37b].
    RedFlag(
        "droop",
        Urgency.WORKING_HOURS,
        "An eyelid that droops, or an eyebrow that droops over your eye.",
    ),
    # Drooling and lip sealing [S19]; leaking liquids [S7]; trouble drinking
    # [S13] [S63].
    RedFlag(
        "drooling",
        Urgency.WORKING_HOURS,
        "Drooling, drinks leaking from your mouth, or trouble drinking.",
    ),
    # Persistent pain, swelling or redness: possible infection [S63].
    RedFlag(
        "infection",
        Urgency.WORKING_HOURS,
        "A place where you had an injection that stays painful, red or swollen.",
    ),
    # Smile weakening and asymmetry [S-cba] [S76].
    RedFlag(
        "smile",
        Urgency.WORKING_HOURS,
        "Your smile changes so much that it worries you.",
        advice="smile",
    ),
)


def red_flags_for(advice_keys: Collection[str]) -> dict[Urgency, tuple[str, ...]]:
    """Return the rules to print, by urgency, for the tailored advice given."""
    return {
        urgency: tuple(
            flag.text
            for flag in RED_FLAGS
            if flag.urgency == urgency
            and (flag.advice is None or flag.advice in advice_keys)
        )
        for urgency in Urgency
    }
