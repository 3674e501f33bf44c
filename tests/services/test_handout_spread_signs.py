"""Review rP, P1: the boxed warning's signs of spread are all emergencies.

A changed voice (trouble speaking) and a weak neck (weakness beyond the injected
muscle) are signs of distant spread of toxin effect: "seek medical help
immediately" (clinical reference 6.3 and 1.3, [S35] [S27] [S28]). The handout
prints them in the "Call 999" box, as the treatment consent form tells the
patient to call an ambulance for difficulty speaking and weakness elsewhere,
for every product, with and without the platysma.
"""

import pytest

from planner.consent import DEFAULT_FORMS
from planner.consent import ConsentKind
from planner.consent import form_blocks
from planner.reports.red_flags import BOXED_WARNING
from planner.reports.red_flags import RED_FLAGS
from planner.reports.red_flags import Urgency
from planner.reports.red_flags import red_flags_for
from tests.services.test_handout_print import handout_for
from tests.services.test_handout_print import injector  # noqa: F401
from tests.services.test_handout_print import plan  # noqa: F401
from tests.services.test_reports import page_texts

VOICE = "Slurred speech, or a voice that is hoarse, weak or sounds different."
NECK = "Your neck feels weak, or it is hard to hold your head up."
# Each product's own doses, in its own units, platysma and mentalis.
PRODUCTS = {
    "botox": ({}, 3),
    "dysport": ({"product": "dysport", "vial_units": 300}, 7.5),
    "xeomin": ({"product": "xeomin", "vial_units": 100}, 3),
    "daxxify": ({"product": "daxxify", "vial_units": 100, "diluent_ml": 1.25}, 6),
}


def texts_of(flags):
    return [line.text for flag in flags for line in flag.lines]


def test_every_boxed_warning_sign_is_an_emergency():
    boxed = [flag.key for flag in RED_FLAGS if BOXED_WARNING in flag.symptom.source]
    assert {"breathing", "swallowing", "speech", "neck", "weakness"} <= set(boxed)
    for flag in RED_FLAGS:
        if BOXED_WARNING in flag.symptom.source:
            assert flag.urgency == Urgency.EMERGENCY, flag.key
    treated = red_flags_for({"neck"})
    assert VOICE in texts_of(treated[Urgency.EMERGENCY])
    assert NECK in texts_of(treated[Urgency.EMERGENCY])
    assert VOICE not in texts_of(treated[Urgency.SAME_DAY])
    assert NECK not in texts_of(treated[Urgency.SAME_DAY])
    untreated = red_flags_for(set())
    assert VOICE in texts_of(untreated[Urgency.EMERGENCY])
    assert NECK not in texts_of(untreated[Urgency.EMERGENCY])


def boxes(pdf):
    """Return the printed emergency box, the same-day list and the whole text."""
    texts = page_texts(pdf)
    flat = " ".join(texts)
    first = texts[0]
    emergency = first[first.index("Call 999") : first.index("These are very rare")]
    same_day = flat[flat.index("Call the same day:") : flat.index("If we are closed")]
    return emergency, same_day, flat


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_voice_and_neck_print_in_the_emergency_box(
    app,
    session,
    plan,  # noqa: F811
    product,
):
    form, platysma = PRODUCTS[product]
    sites = [("platysma", "left", platysma), ("mentalis", "left", platysma / 2)]
    handout, _, pdf = handout_for(app, session, plan(sites, **form))
    assert handout.product.lower() == product
    emergency, same_day, flat = boxes(pdf)
    for sign in (VOICE, NECK, "Trouble swallowing, or choking on food or drink."):
        assert sign in emergency, (product, sign)
        assert sign not in same_day, (product, sign)
        assert flat.count(sign) == 1, (product, sign)
    # The neck's own advice points to the emergency, not to a call the same day.
    assert (
        "Trouble swallowing or holding up your head is not normal: it is an "
        "emergency (see page 1)." in flat
    )
    # Without the platysma the neck's rule stays off; the voice's stays on page 1.
    _, _, pdf = handout_for(app, session, plan([("mentalis", "left", platysma / 2)]))
    emergency, same_day, flat = boxes(pdf)
    assert VOICE in emergency
    assert VOICE not in same_day
    assert NECK not in flat


def test_the_consent_form_sends_the_same_signs_to_the_emergency_department():
    blocks = form_blocks(DEFAULT_FORMS[ConsentKind.TREATMENT].body)
    call = next(
        index
        for index, block in enumerate(blocks)
        if block.text.startswith("Call an ambulance")
    )
    signs = " ".join(blocks[call + 1].items)
    # Voice (speaking) and neck (weakness elsewhere): the handout's page 1 too.
    for words in ("swallowing", "speaking", "breathing", "weakness in other parts"):
        assert words in signs
