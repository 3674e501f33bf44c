"""The handout of a signed session in a product the dose reference does not list.

It answered 200 (test_signed_unlisted_record_pages) but nobody read it. Read
back over HTTP with pdftotext, as the patient gets it: it names the product as
its row does, the places treated in plain words, the aftercare and the
follow-up, and says how long the effect lasts only as the clinic's own advice,
with no number: no blank, no "None", and no other product's name or wording.
Botox and Dysport read as before, each with its own.
"""

import re

import pytest

from planner.models import Role
from planner.reports.wearing_off import BOTOX
from planner.reports.wearing_off import CLINIC_ESTIMATE
from planner.reports.wearing_off import UNKNOWN
from tests.services.test_comparison_report import save_pages
from tests.services.test_reports import page_texts
from tests.services.test_signed_unlisted_record import sign_two_sites
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import EACH_PRODUCT
from tests.services.test_unlisted_product_cycles import UNLISTED

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401

INNS = {
    CLINIC: "test toxin",
    "botox": "onabotulinumtoxinA",
    "dysport": "abobotulinumtoxinA",
}
WEARS_OFF = {CLINIC: UNKNOWN, "botox": BOTOX, "dysport": CLINIC_ESTIMATE}
# What another product's handout would say that this one must not.
OTHERS = ("Botox", "Dysport", "Xeomin", "onabotulinumtoxinA", "abobotulinumtoxinA")


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_the_handout_names_the_product_places_aftercare_and_follow_up(
    session, injector, make_patient, login_as, product
):
    treatment = sign_two_sites(session, injector, make_patient(), product)
    answer = login_as(Role.INJECTOR).get(f"/sessions/{treatment.id}/handout.pdf")
    assert answer.status_code == 200
    assert answer.mimetype == "application/pdf"
    pdf = answer.get_data()
    save_pages(pdf, f"handout-unlisted-{product}")
    flat = " ".join(" ".join(page_texts(pdf)).split())

    brand, inn = BRANDS[product], INNS[product]
    assert f"Medicine: {brand} ({inn}), a type of botulinum toxin." in flat
    for other in OTHERS:
        assert (other in flat) is (other in (brand, inn)), other
    # The places treated, in plain words, by their numbers on the drawing.
    assert (
        "Where your injections went 1: your chin 2: below the left corner of your mouth"
        in flat
    )
    assert "Because of where you were treated Your mouth and lips" in flat
    # Aftercare and what to watch for.
    for words in (
        "For a day, do not rub, press or massage where you had injections.",
        "Stay upright for 4 hours.",
        "Call 999 or go to an emergency department now if you have:",
        "Call us if you have any of these",
    ):
        assert words in flat
    # How long it lasts: a sourced fact for Botox only; for the clinic's product,
    # its own advice with no number.
    wears_off = WEARS_OFF[product]
    said = (
        f"Your clinic's advice: {wears_off.text}"
        if wears_off.clinics_own
        else wears_off.text
    )
    assert said in flat
    assert ("3 to 4 months" in flat) is (product != CLINIC)
    # The follow-up the session proposed when signed.
    assert re.search(r"Your next visits Review: .+ Next treatment: ", flat), flat
    # No blank or fallback wording anywhere.
    for gap in ("None", "KeyError", "()", "( ", " ,", ": ."):
        assert gap not in flat, gap
