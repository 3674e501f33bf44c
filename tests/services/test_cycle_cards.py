"""The cycle cards' changes: never a dose compared across a product change.

Units of two products are different numbers for different things: a card after
a product change counts sites added, removed and moved, but no dose as changed,
whatever the numbers, and says the product changed. Botox to Dysport and back,
and Dysport to Botox and back.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.reports.comparison import comparison_report
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_comparison_report import document_for
from tests.services.test_comparison_report import page_texts

DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
VIALS = {"botox": 100, "dysport": 300}
# Three cycles into the left mentalis, (product, units) each: the switch back
# gives the same number as the cycle before, in the other product's units.
SWITCHES = {
    "botox": [("botox", 4), ("dysport", 10), ("botox", 10)],
    "dysport": [("dysport", 10), ("botox", 4), ("dysport", 4)],
}
NONE_CHANGED = {"added": 0, "removed": 0, "moved": 0, "changed": 0}


def given_cycles(session, injector, patient, cycles):
    """Sign one full treatment per (product, sites), 100 days apart."""
    for number, (product, sites) in enumerate(cycles):
        make_treatment(
            session,
            injector,
            patient.id,
            sites,
            when=DAY0 + timedelta(days=100 * number),
            sign=True,
            product=product,
            vial_units=VIALS[product],
            lot_number=f"L{number}",
        )


def switching(session, injector, patient, first):
    """Sign the three cycles of ``SWITCHES[first]``, left mentalis only."""
    given_cycles(
        session,
        injector,
        patient,
        [
            (product, [("mentalis", "left", units)])
            for product, units in SWITCHES[first]
        ],
    )


@pytest.mark.parametrize("first", ["botox", "dysport"])
def test_a_card_after_a_product_change_compares_no_dose(
    session, injector, make_patient, first
):
    patient = make_patient(affected_side="left")
    switching(session, injector, patient, first)

    cards = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE).cards
    assert [card.product_changed for card in cards] == [False, True, True]
    for card in cards[1:]:
        assert card.changes == NONE_CHANGED
        assert card.highlight == frozenset()


@pytest.mark.parametrize("first", ["botox", "dysport"])
def test_a_card_after_a_product_change_still_counts_sites_moved(
    session, injector, make_patient, first
):
    patient = make_patient(affected_side="left")
    (product, units), (other, other_units), _ = SWITCHES[first]
    given_cycles(
        session,
        injector,
        patient,
        [
            (product, [("mentalis", "left", units)]),
            (other, [("mentalis", "left", other_units), ("platysma", "left", 5)]),
        ],
    )

    _, card = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE).cards
    assert card.changes == {**NONE_CHANGED, "added": 1}
    assert card.highlight == frozenset({("platysma", "left")})


def test_a_dose_change_in_one_product_is_still_counted(session, injector, make_patient):
    patient = make_patient(affected_side="left")
    given_cycles(
        session,
        injector,
        patient,
        [("botox", [("mentalis", "left", units)]) for units in (4, 6)],
    )
    _, card = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE).cards
    assert (card.product_changed, card.changes["changed"]) == (False, 1)
    assert card.highlight == frozenset({("mentalis", "left")})


@pytest.mark.parametrize("first", ["botox", "dysport"])
def test_the_printed_cards_say_the_product_changed_not_the_dose(
    app, session, injector, make_patient, first
):
    patient = make_patient(affected_side="left")
    switching(session, injector, patient, first)

    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    flat = " ".join(page_texts(document.write_pdf()))
    assert "Doses not compared with cycle 1" in flat
    assert "Doses not compared with cycle 2" in flat
    cards = flat.split("Injection sites by cycle")[1].split("Dose per muscle")[0]
    assert "Since cycle" not in cards
    assert " changed" not in cards.split("Cycle 1 ")[1]
    assert "Same sites as cycle" not in flat
