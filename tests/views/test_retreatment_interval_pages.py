"""Dysport's interval on the pages: the settings page says what became of the
follow-up already proposed, and the booking and patient pages show the window and
the floor at the clinic's Dysport interval, with the chair's words for it."""

from datetime import UTC
from datetime import datetime

from sqlmodel import select

from planner.models import Appointment
from planner.models import Role
from tests.conftest import assert_shows
from tests.factories import make_treatment

KEY = "min_interval_days.dysport"
TREATED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_the_settings_page_says_the_open_windows_were_reproposed(
    login_as, session, make_patient, injector
):
    patient = make_patient(affected_side="left")
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 10)],
        when=TREATED,
        sign=True,
        product="dysport",
        vial_units=300,
    )
    admin = login_as(Role.ADMIN)
    saved = admin.post_form(f"/settings/{KEY}", {"value": "100", "version": "1"})
    assert saved.status_code == 302
    page = admin.get("/settings/").get_data(as_text=True)
    assert_shows(
        page,
        "Saved: Dysport: minimum days between full treatments. 1 proposed "
        "re-treatment window not yet booked was re-proposed to open at the new "
        "interval (Dysport patients).",
    )
    proposal = session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient.id, Appointment.kind == "treatment"
        )
    ).one()
    browser = login_as(Role.STAFF)
    booking = browser.get(f"/appointments/{proposal.id}/book").get_data(as_text=True)
    assert_shows(
        booking,
        "window 10 Jun 2026 – 22 Jun 2026",
        "re-treatment no sooner than <strong>10 Jun 2026</strong>, as the clinic",
        "setting is at least 100 days (14.29 weeks) between Dysport treatments",
    )
    detail = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    assert "(window 10 Jun 2026 – 22 Jun 2026)" in detail
