"""The cycle comparison's JSON, byte for byte, as it was before its models were typed.

``CyclesOut`` used to be ``list[dict[str, Any]]`` with ``extra="allow"``: the
view built dicts, and the OpenAPI document said nothing of what a client gets.
The bodies in ``cycles_api_bodies/`` were captured from that code; the typed
models must give the same bytes for the same patient. The patient has a cycle
in each product (Botox then Dysport, and Dysport then Botox), a top-up in its
cycle's product and one in the other, a response, events (one after the other
product's top-up, one recorded from the diary), House-Brackmann grades,
Sunnybrook and FDI scores (a review after a top-up, a wear-off).

Set ``CAPTURE_CYCLES_BODIES=1`` to write the files again from the code as it is.
"""

import os
from datetime import date
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from planner.models import Role
from planner.models import SessionKind
from planner.models import TreatmentSession
from planner.services import diary_entries as entries
from planner.services import outcomes
from tests.factories import ZONE
from tests.services.test_diary import opened
from tests.services.test_event_after_other_product_top_up import cycle_with_events
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import treat
from tests.views.test_cycles_fdi_subscales import fdi

BODIES = Path(__file__).with_name("cycles_api_bodies")
ORDERS = [("botox", "dysport"), ("dysport", "botox")]
SECOND = DAY0 + timedelta(weeks=13)
EXPRESSIONS = (
    "brow_lift",
    "gentle_eye_closure",
    "open_mouth_smile",
    "snarl",
    "lip_pucker",
)


def sunnybrook(voluntary, synkinesis, mouth="normal"):
    """Answers: every expression ``voluntary`` (1-5) and ``synkinesis`` (0-3)."""
    items = {"resting.eye": "normal", "resting.cheek": "normal", "resting.mouth": mouth}
    items.update({f"voluntary.{key}": voluntary for key in EXPRESSIONS})
    items.update({f"synkinesis.{key}": synkinesis for key in EXPRESSIONS})
    return items


def scored(session, injector, patient, when, timepoint, **answers):
    for instrument, items in answers.items():
        outcomes.record_assessment(
            session,
            injector,
            patient.id,
            instrument,
            items,
            timepoint=timepoint,
            zone=ZONE,
            now=when,
        )


def seeded(session, injector, patient, product, other):
    """Two cycles, one in each product, with everything the comparison reads."""
    scored(
        session,
        injector,
        patient,
        DAY0 - timedelta(hours=1),
        "pre_treatment",
        house_brackmann={"grade": 4},
        sunnybrook=sunnybrook(2, 2, mouth="corner_drooped"),
        fdi=fdi(3, "some", "good_bit"),
    )
    # The full treatment, a top-up in ``other`` on day 15, an event after each.
    cycle_with_events(session, injector, patient, product, other)
    # A top-up in the cycle's own product on day 13: its units join the cycle's.
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", 2), ("frontalis", "right", 1.5)],
        DAY0 + timedelta(days=13),
        product,
        sign=True,
        kind="top_up",
    )
    (full,) = session.exec(
        select(TreatmentSession).where(
            TreatmentSession.patient_id == patient.id,
            TreatmentSession.kind == SessionKind.FULL,
        )
    ).all()
    outcomes.record_response(
        session,
        injector,
        full.id,
        {"onset_days": 3, "peak_days": 12.5, "wear_off_weeks": 11, "patient_rating": 7},
        zone=ZONE,
        now=DAY0 + timedelta(weeks=11),
    )
    scored(
        session,
        injector,
        patient,
        DAY0 + timedelta(days=12),
        "review",
        house_brackmann={"grade": 2},
        sunnybrook=sunnybrook(4, 1),
        fdi=fdi(4, "little", "most"),
    )
    scored(
        session,
        injector,
        patient,
        DAY0 + timedelta(days=16),
        "review",
        sunnybrook=sunnybrook(5, 1),
    )
    scored(
        session,
        injector,
        patient,
        DAY0 + timedelta(weeks=11),
        "wear_off",
        sunnybrook=sunnybrook(3, 2),
        fdi=fdi("na", "none", "all"),
    )
    # The second cycle, in the other product, graded the same before and after.
    scored(
        session,
        injector,
        patient,
        SECOND - timedelta(hours=1),
        "pre_treatment",
        house_brackmann={"grade": 5},
        sunnybrook=sunnybrook(3, 1),
    )
    second = treat(
        session,
        injector,
        patient,
        [("mentalis", "left", 20), ("orbicularis_oculi_orbital", "left", 7.5)],
        SECOND,
        other,
        sign=True,
    )
    scored(
        session,
        injector,
        patient,
        SECOND + timedelta(days=14),
        "review",
        house_brackmann={"grade": 5},
    )
    # The patient reports a droop in the second cycle's diary; the clinic
    # records it as an event.
    now = SECOND + timedelta(days=4)
    _, diary = opened(session, injector, second.id, at=SECOND, now=now)
    entry = entries.record_side_effect(
        session,
        diary,
        {"effects": ["eyelid_droop"], "day": (SECOND + timedelta(days=3)).date()},
        client="203.0.113.7",
        now=now,
    )
    outcomes.add_adverse_event(
        session,
        injector,
        second.id,
        {
            "kind": "eyelid_droop",
            "severity": "moderate",
            "description": "Left lid, from the diary",
            "onset_date": (SECOND + timedelta(days=3)).date().isoformat(),
            "resolved_date": (SECOND + timedelta(days=12)).date().isoformat(),
            "diary_entry_id": entry.id,
        },
        today=date(2026, 7, 1),
        zone=ZONE,
        now=now + timedelta(hours=2),
    )
    return second


@pytest.mark.parametrize(("product", "other"), ORDERS, ids=["botox", "dysport"])
def test_the_cycles_body_is_the_same_bytes_as_before(
    session, injector, make_patient, login_as, product, other
):
    patient = make_patient(affected_side="left")
    seeded(session, injector, patient, product, other)
    response = login_as(Role.STAFF).api("GET", f"/api/v1/patients/{patient.id}/cycles")
    assert response.status_code == 200, response.json
    body = response.get_data()
    stored = BODIES / f"{product}_then_{other}.json"
    if os.environ.get("CAPTURE_CYCLES_BODIES"):
        stored.parent.mkdir(exist_ok=True)
        stored.write_bytes(body)
    assert body == stored.read_bytes()
