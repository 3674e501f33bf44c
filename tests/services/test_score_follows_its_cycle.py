"""A score belongs to the cycle it was saved against, and is saved by its time.

A wear-off score taken on the morning of the next treatment is the ending
cycle's (clinical reference §7: a wear-off is a state of the cycle that is
ending): it is stored against that cycle, even when the next treatment is
already being charted for later that day, and the comparison (ledger, courses,
API) follows the stored cycle instead of re-deciding it by the day. Botox and
Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import Assessment
from planner.models import Role
from planner.services import outcomes
from planner.services.cycle_responses import comparison_courses
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import sign_treatment
from tests.services.test_other_product_top_up import treat

D = [datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 4, 6, 10, tzinfo=UTC)]
PRODUCTS = pytest.mark.parametrize(
    ("product", "doses"),
    [("botox", (4, 5)), ("dysport", (15, 20))],
    ids=["botox", "dysport"],
)


def saq(total_of_nine):
    base, extra = divmod(total_of_nine, 9)
    return {f"q{n}": base + (1 if n <= extra else 0) for n in range(1, 10)}


def record(session, actor, patient, total, when, timepoint):
    return outcomes.record_assessment(
        session,
        actor,
        patient.id,
        "saq",
        saq(total),
        timepoint=timepoint,
        zone=ZONE,
        now=when,
    )


def first_cycle(session, injector, patient, product, dose):
    record(session, injector, patient, 36, D[0].replace(hour=9), "pre_treatment")
    full = treat(
        session,
        injector,
        patient,
        [("mentalis", "left", dose)],
        D[0],
        product,
        sign=True,
    )
    record(session, injector, patient, 25, D[0] + timedelta(days=14), "review")
    return full


@PRODUCTS
@pytest.mark.parametrize(
    "charted_first", [False, True], ids=["then-charted", "charted-first"]
)
def test_a_wear_off_on_the_next_treatments_morning_is_the_ending_cycles(
    session, injector, make_patient, login_as, product, doses, charted_first
):
    patient = make_patient()
    full = first_cycle(session, injector, patient, product, doses[0])
    if charted_first:
        # The next treatment is charted for 10:00 before the 09:00 score is saved.
        second = treat(
            session, injector, patient, [("mentalis", "left", doses[1])], D[1], product
        )
    morning = D[1].replace(hour=9)
    wear_off = record(session, injector, patient, 34, morning, "wear_off")
    other = record(session, injector, patient, 33, morning, "other")
    assert wear_off.session_id == full.id
    assert other.session_id == full.id
    if charted_first:
        sign_treatment(session, injector, second, when=D[1] + timedelta(minutes=30))
    else:
        treat(
            session,
            injector,
            patient,
            [("mentalis", "left", doses[1])],
            D[1],
            product,
            sign=True,
        )
    view = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (course,) = comparison_courses(view.records)
    assert course.wear_off.values.round(1).tolist()[0] == 75.6
    assert [
        p.cycle for p in view.records.points if p.timepoint in ("wear_off", "other")
    ] == [1, 1]
    (shown,) = view.courses
    assert [(r.cycle, r.wear_off) for r in shown.rows] == [(1, "75.6")]
    api = login_as(Role.STAFF).api("GET", f"/api/v1/patients/{patient.id}/cycles").json
    assert [p["wear_off"] for p in api["scores"][0]["points"]] == [
        pytest.approx(75.56, abs=0.01),
        None,
    ]


@PRODUCTS
@pytest.mark.audit_exempt(
    "stands in for a score saved before this fix, by the old day rule",
    tables=["assessment"],
)
def test_the_comparison_follows_the_stored_cycle(
    session, injector, make_patient, product, doses
):
    patient = make_patient()
    full = first_cycle(session, injector, patient, product, doses[0])
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", doses[1])],
        D[1],
        product,
        sign=True,
    )
    # Saved against cycle 1 at 09:00 before cycle 2 was given at 10:00; a
    # score saved so before this fix keeps the cycle it was saved against.
    late = record(session, injector, patient, 34, D[1] + timedelta(days=20), "wear_off")
    late.session_id = full.id
    late.assessed_at = D[1].replace(hour=9)
    session.add(late)
    session.commit()
    view = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (course,) = comparison_courses(view.records)
    assert course.wear_off.values.round(1).tolist()[0] == 75.6
    # A pre-treatment score saved before its treatment was charted is still filed
    # by its time point once that treatment is signed.
    waiting = session.exec(
        select(Assessment).where(
            Assessment.patient_id == patient.id, Assessment.timepoint == "pre_treatment"
        )
    ).all()
    assert [a.session_id for a in waiting] == [None]
    assert course.before.values.round(1).tolist()[0] == 80.0
