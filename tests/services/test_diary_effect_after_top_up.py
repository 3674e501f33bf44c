"""A diary side effect that began on or after a top-up's day is the top-up's.

The form opens on, offers it on, and files it against the latest signed session
of the cycle given on or before the day the patient says it began; filing it
against another session of the cycle is refused by name. Botox and Dysport,
each with a top-up in its own product and in the other one: the event carries
no dose, and the cycle's ledger names the other product's top-up, never adding
its units to the cycle's.
"""

from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import TreatmentSession
from planner.services.cycles import cycles_overview
from planner.services.diary_adverse import diary_offers
from planner.services.diary_adverse import prefill_from_diary
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_diary import NOW
from tests.services.test_diary_adverse_event import VIALS
from tests.services.test_diary_adverse_event import record
from tests.services.test_diary_adverse_event import reported

BRANDS = {"botox": "Botox", "dysport": "Dysport"}
DOSES = {"botox": 2, "dysport": 5}
# (the cycle's product, its top-up's product)
PAIRS = [
    ("botox", "botox"),
    ("dysport", "dysport"),
    ("botox", "dysport"),
    ("dysport", "botox"),
]
EACH_PAIR = pytest.mark.parametrize(("product", "top_up_product"), PAIRS)


def cycle_maker(session, injector, make_patient):
    """Sign a full treatment on 2 March with ``product`` and a top-up with
    ``given`` on each of ``days`` after it; return the full one and the top-ups."""

    def cycle(product, given, days=(1,)):
        patient = make_patient()
        sessions = [
            make_treatment(
                session,
                injector,
                patient.id,
                [("mentalis", "left", DOSES[used])],
                when=NOW + timedelta(days=day),
                product=used,
                lot_number=f"L{day}{used[:2]}",
                vial_units=VIALS[used],
                sign=True,
                kind="top_up" if day else "full",
            )
            for day, used in [(0, product), *((d, given) for d in days)]
        ]
        records = [session.get(TreatmentSession, s.id) for s in sessions]
        return records[0], records[1:]

    return cycle


@pytest.fixture
def cycle(session, injector, make_patient):
    return cycle_maker(session, injector, make_patient)


def refused(session, injector, session_id, data):
    with pytest.raises(InvalidInput) as caught:
        record(session, injector, session_id, data)
    return caught.value.fields


@EACH_PAIR
def test_an_effect_that_began_after_the_top_up_is_filed_against_it(
    session, injector, cycle, product, top_up_product
):
    full, [top_up] = cycle(product, top_up_product)  # top-up on 3 March
    entry = reported(session, injector, full.id)  # began 4 March
    prefill = prefill_from_diary(session, entry.id, zone=ZONE)
    assert prefill.session_id == top_up.id
    assert prefill.filed_against == (
        f"the {BRANDS[top_up_product]} top-up of 3 Mar 2026"
    )
    assert [o.entry_id for o in diary_offers(session, top_up, zone=ZONE)] == [entry.id]
    assert diary_offers(session, full, zone=ZONE) == []

    assert refused(session, injector, full.id, prefill.data) == {
        "diary_entry_id": "began on 4 Mar 2026, so it is filed against the "
        f"{BRANDS[top_up_product]} top-up of 3 Mar 2026, not this session"
    }
    event = record(session, injector, top_up.id, prefill.data)
    assert (event.session_id, event.diary_entry_id) == (top_up.id, entry.id)
    assert diary_offers(session, top_up, zone=ZONE) == []

    overview = cycles_overview(session, full.patient_id, face_map=FACE_MAP, zone=ZONE)
    [ledger] = overview.ledger
    after_other = (
        f", after the {BRANDS[top_up_product]} top-up"
        if top_up_product != product
        else ""
    )
    assert ledger.events == (
        f"Eyelid droop (mild){after_other}, patient-reported (diary)",
    )
    # The cycle's units are its own product's: a top-up in another product
    # is never added to them.
    [card] = overview.cards
    same_product = top_up_product == product
    assert (card.units, card.top_up_units) == (
        DOSES[product],
        DOSES[product] if same_product else 0,
    )


@EACH_PAIR
def test_an_effect_that_began_before_the_top_up_stays_with_the_full_treatment(
    session, injector, cycle, product, top_up_product
):
    full, [top_up] = cycle(product, top_up_product, days=(3,))  # top-up on 5 March
    entry = reported(session, injector, full.id)  # began 4 March
    prefill = prefill_from_diary(session, entry.id, zone=ZONE)
    assert prefill.session_id == full.id
    assert (
        prefill.filed_against == f"the {BRANDS[product]} full treatment of 2 Mar 2026"
    )
    assert [o.entry_id for o in diary_offers(session, full, zone=ZONE)] == [entry.id]
    assert diary_offers(session, top_up, zone=ZONE) == []
    assert refused(session, injector, top_up.id, prefill.data) == {
        "diary_entry_id": "began on 4 Mar 2026, so it is filed against the "
        f"{BRANDS[product]} full treatment of 2 Mar 2026, not this session"
    }
    assert record(session, injector, full.id, prefill.data).session_id == full.id


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_top_up_s_own_day_and_the_latest_of_two_top_ups(
    session, injector, cycle, product
):
    other = "dysport" if product == "botox" else "botox"
    # Top-ups on 3 and 4 March: an effect that began on 4 March is the second's.
    full, [first, second] = cycle(product, other, days=(1, 2))
    entry = reported(session, injector, full.id)
    prefill = prefill_from_diary(session, entry.id, zone=ZONE)
    assert prefill.session_id == second.id
    assert prefill.filed_against == f"the {BRANDS[other]} top-up of 4 Mar 2026"
    assert diary_offers(session, first, zone=ZONE) == []
    assert [o.words for o in diary_offers(session, second, zone=ZONE)] == [
        "My eyelid droops"
    ]


@EACH_PAIR
def test_a_corrected_onset_files_the_effect_where_the_corrected_day_falls(
    session, injector, cycle, product, top_up_product
):
    # The patient wrote 4 March, after the top-up of 3 March; the clinician
    # learns it began on 2 March, the day of the full treatment, and corrects
    # the day on the form: the full treatment takes it, the top-up refuses it.
    full, [top_up] = cycle(product, top_up_product)
    entry = reported(session, injector, full.id)
    prefill = prefill_from_diary(session, entry.id, zone=ZONE)
    assert prefill.session_id == top_up.id
    corrected = {**prefill.data, "onset_date": "2026-03-02"}
    assert refused(session, injector, top_up.id, corrected) == {
        "diary_entry_id": "began on 2 Mar 2026, so it is filed against the "
        f"{BRANDS[product]} full treatment of 2 Mar 2026, not this session"
    }
    event = record(session, injector, full.id, corrected)
    assert (event.session_id, event.diary_entry_id) == (full.id, entry.id)
    assert str(event.onset_date) == "2026-03-02"
