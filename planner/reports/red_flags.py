"""When to get help after the injections: one rule for each symptom.

Each symptom appears once on the handout, with one thing to do, so a patient
never reads two answers to the same worry: the tailored advice says what a
treated part may feel like and never when to call. Three levels, most urgent
first. A rule tied to a part of the face prints only when that part was treated.
Sources are the clinical reference's tags (section 6.3 and table 1.3), kept with
each line; what the reference marks UNSOURCED is the clinic's own advice and is
printed under its label.
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from planner.reports.sourced import AdviceLine
from planner.reports.sourced import clinics_own
from planner.reports.sourced import sourced


class Urgency(StrEnum):
    EMERGENCY = "emergency"  # call the emergency number, or go to an emergency dept
    SAME_DAY = "same_day"  # call the clinic today
    WORKING_HOURS = "working_hours"  # call the clinic when it is open


@dataclass(frozen=True)
class RedFlag:
    """One symptom and its urgency, with what to do first when there is any."""

    key: str
    urgency: Urgency
    symptom: AdviceLine
    # What to do before calling, printed after the symptom.
    first: AdviceLine | None = None
    # The tailored advice (planner.reports.advice) that brings this rule, or
    # None for a rule every handout carries.
    advice: str | None = None

    @property
    def lines(self) -> tuple[AdviceLine, ...]:
        """Return the rule's lines in the order they print."""
        return (self.symptom,) if self.first is None else (self.symptom, self.first)


# The labels' boxed warning on distant spread of toxin effect: swallowing,
# speaking or breathing trouble and generalised weakness, hours to weeks after
# the injection; seek help immediately.
BOXED_WARNING = "[S35] [S27] [S28]"

RED_FLAGS: tuple[RedFlag, ...] = (
    RedFlag(
        "breathing", Urgency.EMERGENCY, sourced("Trouble breathing.", BOXED_WARNING)
    ),
    RedFlag(
        "swallowing",
        Urgency.EMERGENCY,
        sourced("Trouble swallowing, or choking on food or drink.", BOXED_WARNING),
    ),
    # Slurred speech and a changed voice (dysphonia) are both the boxed
    # warning's trouble speaking: one emergency, as the consent form says.
    RedFlag(
        "speech",
        Urgency.EMERGENCY,
        sourced(
            "Slurred speech, or a voice that is hoarse, weak or sounds different.",
            BOXED_WARNING,
        ),
    ),
    # Platysma: neck weakness at high doses is the boxed warning's spread beyond
    # the injected muscle (reference 1.3 [S35]; 6.3 "generalised weakness").
    RedFlag(
        "neck",
        Urgency.EMERGENCY,
        sourced(
            "Your neck feels weak, or it is hard to hold your head up.", BOXED_WARNING
        ),
        advice="neck",
    ),
    RedFlag(
        "weakness",
        Urgency.EMERGENCY,
        sourced(
            "Weakness that spreads beyond your face, for example to your arms or legs.",
            BOXED_WARNING,
        ),
    ),
    # A very small risk of allergic reaction [S14] [S15]; its signs, and calling
    # the emergency number for them, are not in the reference (issue 17 asks
    # for them): the clinic's advice, labelled.
    RedFlag(
        "allergy",
        Urgency.EMERGENCY,
        clinics_own(
            "An allergic reaction: an itchy, lumpy rash (hives), swelling of your "
            "lips, tongue or throat, wheezing, or feeling faint.",
            "the risk is [S14] [S15]; its signs and the emergency call are "
            "standard first aid for anaphylaxis, not in the reference",
        ),
    ),
    # Double and blurred vision: boxed-warning symptoms; double vision also in
    # reference 6.3.
    RedFlag(
        "vision",
        Urgency.SAME_DAY,
        sourced("Blurred vision or double vision.", "[S35] [S13] [S63]"),
    ),
    # After a palsy, new weak eye closure exposes the cornea: call the same day.
    # Protecting the eye first is standard exposure care, UNSOURCED for this use.
    RedFlag(
        "eye_closure",
        Urgency.SAME_DAY,
        sourced(
            "An eye that will not close all the way, or is sore or red.",
            "[S13] [S63]: inability to close the eye fully; pain or redness "
            "(reference 6.3); lagophthalmos [S37b]",
        ),
        first=clinics_own(
            "Protect it first: use eye gel, and tape it shut at night if we "
            "showed you how.",
            "lubricants and taping at night, UNSOURCED for this use (reference 6.3)",
        ),
    ),
    # Temporary brow or lid droop [S13]; ptosis [S20] [S37b].
    RedFlag(
        "droop",
        Urgency.WORKING_HOURS,
        sourced(
            "An eyelid that droops, or an eyebrow that droops over your eye.",
            "[S13] [S20] [S37b]",
        ),
    ),
    # Drooling and lip sealing [S19]; leaking liquids [S7]; trouble drinking
    # [S13] [S63].
    RedFlag(
        "drooling",
        Urgency.WORKING_HOURS,
        sourced(
            "Drooling, drinks leaking from your mouth, or trouble drinking.",
            "[S19] [S7] [S13] [S63]",
        ),
    ),
    # Persistent pain, swelling or redness: possible infection.
    RedFlag(
        "infection",
        Urgency.WORKING_HOURS,
        sourced(
            "A place where you had an injection that stays painful, red or swollen.",
            "[S63]",
        ),
    ),
    # Smile weakening and asymmetry.
    RedFlag(
        "smile",
        Urgency.WORKING_HOURS,
        sourced("Your smile changes so much that it worries you.", "[S-cba] [S76]"),
        advice="smile",
    ),
)


def red_flags_for(advice_keys: Collection[str]) -> dict[Urgency, tuple[RedFlag, ...]]:
    """Return the rules to print, by urgency, for the tailored advice given."""
    return {
        urgency: tuple(
            flag
            for flag in RED_FLAGS
            if flag.urgency == urgency
            and (flag.advice is None or flag.advice in advice_keys)
        )
        for urgency in Urgency
    }
