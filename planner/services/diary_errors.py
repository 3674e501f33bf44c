"""The diary's refusals in the patient's words, each naming its question.

Patients read these on their phones: an answer left out or not understood is
asked for again by its question ("Please choose how your face is this week"),
never "is required" or "invalid"; a day outside the cycle says which day and
why ("The day it wore off cannot be in the future."). A message already in the
patient's words (the questionnaire's "It is too early…", the day's limit on
entries) is kept. Pure: the field errors come in, sentences go out.
"""

from collections.abc import Mapping

from planner import scoring

# What each page asks for again, by field, after "Please ".
ASKS: dict[str, dict[str, str]] = {
    "onset": {"day": "choose the day you first noticed the injections working"},
    "side-effect": {
        "effects": "choose what you have noticed",
        "other": "say what else you noticed, in 500 characters or fewer",
        "day": "choose the day it started",
    },
    "weekly": {"face": "choose how your face is this week"},
    "questionnaire": {"when": "choose when you are filling this in"},
    "wear-off": {"day": "choose the day it wore off"},
}
# The day each page asks for, as a sentence's subject for a day out of the cycle.
DAYS = {
    "onset": "The day you first noticed it working",
    "side-effect": "The day it started",
    "wear-off": "The day it wore off",
}
# The patient's words for a day outside the cycle (``diary_entries.DAY_PROBLEMS``).
DAY_PROBLEMS = ("cannot be in the future", "cannot be before your injections")


def _sentence(message: str) -> bool:
    """Say whether a message is one of the diary's own sentences to the patient.

    Those begin with a capital and end with a full stop; pydantic's and the
    clinic forms' phrases ("Input should be a valid date", "is required") do not.
    """
    return message[:1].isupper() and message.endswith(".")


def _saq_asks() -> dict[str, str]:
    items = scoring.get_instrument("saq").items
    return {
        item.key: f"answer question {number}: {item.label}"
        for number, item in enumerate(items, start=1)
    }


def in_patient_words(step: str, fields: Mapping[str, str]) -> dict[str, str]:
    """Word each of a diary page's field errors as a sentence naming its question.

    ``form`` (a refusal of the whole entry) and messages already written as
    the patient's sentences are kept as they are.
    """
    asks = ASKS.get(step, {}) | (_saq_asks() if step == "questionnaire" else {})
    words: dict[str, str] = {}
    for field, message in fields.items():
        if field == "form" or _sentence(message):
            words[field] = message
        elif field == "day" and step in DAYS and message in DAY_PROBLEMS:
            words[field] = f"{DAYS[step]} {message}."
        else:
            words[field] = f"Please {asks.get(field, 'check this answer')}."
    return words
