"""The re-treatment window closes at each product's own close (clinic setting).

A clinic sets Dysport's close to 20 weeks and leaves Botox's unset: signing a
Dysport full treatment proposes a window closing at 20 weeks, labelled as the
clinic's setting for Dysport, while Botox's closes at the clinic-wide 16 weeks;
the worklist shows the Botox patient overdue at week 17 and the Dysport patient
still in an open window. The other way round too. A top-up in another product
never moves the window of its cycle's full treatment. An amendment reads the
close as it stood at its record's signing. Each product is charted in its own
units; no dose is carried across.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import Product
from planner.models import Role
from planner.services.audit import Actor
from planner.services.cycle_rules import cycle_times
from planner.services.followup import resuggest_retreatment
from planner.services.patient_timeline import patient_timeline
from planner.services.schedule_settings import scheduling_rules
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.settings_history import settings_as_of
from planner.services.worklist import build_worklist
from tests.factories import ZONE
from tests.services.setting_steps import save_setting_at
from tests.services.test_retreatment_interval import TREATED
from tests.services.test_retreatment_interval import TREATED_ON
from tests.services.test_retreatment_interval import sign_full
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import given_full
from tests.services.top_up_steps import top_up

CLOSE = "retreat_window_end_weeks.{}"
OVERDUE = "Overdue"
OPEN = "Windows open or opening in 2 weeks, not booked"


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN, name="Dr Rosa Lind")
    return Actor(user.id, user.email)


def set_close(session, admin, product, weeks, *, at=TREATED - timedelta(days=1)):
    key = CLOSE.format(product)
    save_setting_at(session, admin, key, weeks, at)


def proposal(session, patient_id):
    return session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient_id,
            Appointment.kind == "treatment",
            Appointment.status == "proposed",
        )
    ).one()


def titles(session, patient_id, day: date) -> list[str]:
    worklist = build_worklist(
        session,
        today=day,
        zone=ZONE,
        now=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=12),
    )
    return [
        section.title
        for section in worklist.sections
        if any(
            row.patient_id == patient_id and row.kind == "treatment"
            for row in section.rows
        )
    ]


def page_says(session, patient_id, now):
    timeline = patient_timeline(session, patient_id, zone=ZONE, now=now)
    (treatment,) = [a for a in timeline.upcoming if a.kind.value == "treatment"]
    return timeline.attention.get(treatment.id)


@pytest.mark.parametrize(("own", "other"), [("dysport", "botox"), ("botox", "dysport")])
def test_signing_proposes_each_products_close_and_the_worklist_follows(
    session, admin, injector, make_patient, own, other
):
    set_close(session, admin, own, 20)
    patients = {}
    for product in (own, other):
        patients[product] = make_patient(family_name=product.capitalize())
        sign_full(session, injector, patients[product].id, product)

    own_proposal = proposal(session, patients[own].id)
    other_proposal = proposal(session, patients[other].id)
    assert own_proposal.window_start == TREATED_ON + timedelta(weeks=12)
    assert own_proposal.window_end == TREATED_ON + timedelta(weeks=20)
    assert other_proposal.window_end == TREATED_ON + timedelta(weeks=16)
    brand = own.capitalize()
    assert own_proposal.notes.endswith(
        f"The window closes at 20 weeks: a clinic setting for {brand} (set by "
        "the clinic)."
    )
    assert "20 weeks" not in (other_proposal.notes or "")

    week17 = TREATED_ON + timedelta(weeks=17)
    assert titles(session, patients[other].id, week17) == [OVERDUE]
    assert titles(session, patients[own].id, week17) == [OPEN]
    week21 = TREATED_ON + timedelta(weeks=20, days=1)
    assert titles(session, patients[own].id, week21) == [OVERDUE]
    # The patient page reads the same stored window.
    at17 = datetime.combine(week17, datetime.min.time(), UTC) + timedelta(hours=12)
    assert page_says(session, patients[other].id, at17) == "overdue"
    assert page_says(session, patients[own].id, at17) is None


def test_an_unset_close_falls_back_to_the_clinic_wide_one(
    session, admin, injector, make_patient
):
    set_close(session, admin, "dysport", 20)
    set_close(session, admin, "dysport", "", at=TREATED - timedelta(hours=12))
    assert get_setting(session, CLOSE.format("dysport")).value is None
    patient = make_patient()
    sign_full(session, injector, patient.id, "dysport")
    assert proposal(session, patient.id).window_end == TREATED_ON + timedelta(weeks=16)


def test_a_wear_off_resuggestion_reads_the_products_close(
    session, admin, injector, make_patient
):
    patient = make_patient()
    signed = sign_full(session, injector, patient.id, "dysport")
    assert proposal(session, patient.id).window_end == TREATED_ON + timedelta(weeks=16)
    set_close(session, admin, "dysport", 22, at=TREATED + timedelta(days=1))
    assert resuggest_retreatment(session, injector, signed.record, zone=ZONE)
    assert proposal(session, patient.id).window_end == TREATED_ON + timedelta(weeks=22)


def test_a_top_up_in_another_product_keeps_the_full_treatments_window(
    session, admin, injector, make_patient
):
    # Dysport's own close is longer; a Dysport top-up in a Botox cycle must not
    # stretch the Botox window, nor propose one of its own.
    set_close(session, admin, "dysport", 24)
    chair = Chair(session, injector)
    patient = make_patient(affected_side="left")
    given_full(chair, patient, TREATED, "botox")
    before = proposal(session, patient.id)
    day14 = TREATED + timedelta(days=14)
    record, version = top_up(chair, patient, day14, "dysport")
    chair.sign_with_reasons(record, version, day14)
    session.expire_all()
    after = proposal(session, patient.id)
    assert after.id == before.id
    assert after.window_end == TREATED_ON + timedelta(weeks=16)


def test_an_amendment_reads_the_close_as_it_stood_at_signing(
    session, admin, injector, make_patient
):
    set_close(session, admin, "dysport", 20)
    signed_at = TREATED
    set_close(session, admin, "dysport", 24, at=TREATED + timedelta(days=3))
    key = CLOSE.format("dysport")
    assert settings_as_of(session, signed_at)[key].value == 20
    assert settings_as_of(session, TREATED - timedelta(days=2))[key].value is None
    then = scheduling_rules(session, as_of=signed_at, product_code="dysport")
    assert then.retreat_end_weeks == 20
    assert scheduling_rules(session, product_code="dysport").retreat_end_weeks == 24
    assert scheduling_rules(session, product_code="botox").retreat_end_weeks == 16
    # The cycle's times an amendment is checked by are read with its product.
    product = session.exec(select(Product).where(Product.code == "dysport")).one()
    assert cycle_times(session, product, as_of=signed_at).window_opens_day == 84


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("31", "must be between 12 and 30 weeks"),
        ("11", "must be between 12 and 30 weeks"),
        ("16.5", "must be a whole number"),
        ("soon", "must be a number"),
        (
            "14",
            "must not be before Dysport's re-treatment window opens "
            "(100 days after treatment)",
        ),
    ],
)
def test_a_close_out_of_bounds_or_before_the_opening_is_refused(
    session, admin, value, message
):
    update_setting(
        session,
        admin,
        "min_interval_days.dysport",
        "100",
        version=1,
        now=TREATED,
        zone=ZONE,
    )
    with pytest.raises(InvalidInput) as refused:
        update_setting(
            session,
            admin,
            CLOSE.format("dysport"),
            value,
            version=1,
            now=TREATED,
            zone=ZONE,
        )
    assert refused.value.fields == {"value": message}
    assert get_setting(session, CLOSE.format("dysport")).value is None


def test_the_opening_and_the_interval_may_not_pass_a_products_close(session, admin):
    set_close(session, admin, "dysport", 14)
    with pytest.raises(InvalidInput) as refused:
        update_setting(
            session,
            admin,
            "retreat_window_start_weeks",
            "15",
            version=1,
            now=TREATED,
            zone=ZONE,
        )
    assert refused.value.fields == {
        "value": "must not be after a product's window closes (Dysport: "
        "re-treatment window closes, weeks (blank: the clinic-wide close): 14 weeks)"
    }
    with pytest.raises(InvalidInput) as refused:
        update_setting(
            session,
            admin,
            "min_interval_days.dysport",
            "100",
            version=1,
            now=TREATED,
            zone=ZONE,
        )
    assert refused.value.fields["value"].startswith(
        "would open Dysport's re-treatment window after its own close"
    )
