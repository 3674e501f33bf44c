"""A booking's wall-clock time on the days the clocks change (review RS6).

The booking form, like the treatment-time form, reads the time on the clinic's
clock (Europe/London). A time the clocks skip (01:30 on 29 Mar 2026) is refused,
naming ``starts_at``; so is one they show twice (01:30 on 25 Oct 2026), rather
than silently taking the first. A time given with its offset is taken as given.
"""

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import Appointment
from planner.models import Role
from planner.services import appointments as service
from planner.services.audit import Actor
from tests import factories as f

TREATED = datetime(2025, 12, 29, 10, tzinfo=UTC)
NOW = datetime(2026, 3, 1, tzinfo=UTC)
PRODUCTS = [("botox", 4, 100), ("dysport", 10, 300)]


def _proposals(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
) -> tuple[Actor, int, dict[str, Appointment]]:
    injector = make_user(Role.INJECTOR)
    actor = Actor(injector.id, injector.email)
    patient = make_patient()
    f.make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", units)],
        when=TREATED,
        sign=True,
        product=product,
        vial_units=vial,
    )
    rows = session.exec(
        select(Appointment).where(Appointment.patient_id == patient.id)
    ).all()
    return actor, injector.id, {str(row.kind): row for row in rows}


def _book(session, actor, clinician_id, appointment, starts_at):
    return service.book_appointment(
        session,
        actor,
        appointment.id,
        {
            "version": appointment.version,
            "clinician_id": clinician_id,
            "starts_at": starts_at,
            "override_reason": "evening clinic",
        },
        zone=f.ZONE,
        now=NOW,
    )


@pytest.mark.parametrize(("product", "units", "vial"), PRODUCTS)
@pytest.mark.parametrize("kind", ["treatment", "review"])
@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("2026-03-29T01:30", "falls in the hour the clocks go forward on 29 Mar 2026"),
        ("2026-03-29T01:00", "falls in the hour the clocks go forward on 29 Mar 2026"),
        ("2026-10-25T01:30", "happens twice on 25 Oct 2026"),
        ("2026-10-25T01:00", "happens twice on 25 Oct 2026"),
    ],
)
def test_a_skipped_or_repeated_time_is_refused_naming_starts_at(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    kind: str,
    typed: str,
    words: str,
) -> None:
    actor, clinician_id, proposals = _proposals(
        session, make_user, make_patient, product, units, vial
    )
    appointment = proposals[kind]
    with pytest.raises(InvalidInput) as caught:
        _book(session, actor, clinician_id, appointment, typed)
    assert words in caught.value.fields["starts_at"]
    session.rollback()
    session.refresh(appointment)
    assert appointment.starts_at is None


@pytest.mark.parametrize(("product", "units", "vial"), PRODUCTS)
@pytest.mark.parametrize(
    ("typed", "utc"),
    [
        ("2026-03-29T00:30", datetime(2026, 3, 29, 0, 30, tzinfo=UTC)),
        ("2026-03-29T02:00", datetime(2026, 3, 29, 1, 0, tzinfo=UTC)),
        ("2026-03-29T10:00", datetime(2026, 3, 29, 9, 0, tzinfo=UTC)),
        ("2026-10-25T02:00", datetime(2026, 10, 25, 2, 0, tzinfo=UTC)),
        # With its offset the repeated hour is not ambiguous: the second 01:30.
        ("2026-10-25T01:30+00:00", datetime(2026, 10, 25, 1, 30, tzinfo=UTC)),
    ],
)
def test_a_time_that_exists_once_is_booked_as_typed(
    session: Session,
    make_user: Any,
    make_patient: Any,
    product: str,
    units: float,
    vial: int,
    typed: str,
    utc: datetime,
) -> None:
    actor, clinician_id, proposals = _proposals(
        session, make_user, make_patient, product, units, vial
    )
    booked = _book(session, actor, clinician_id, proposals["treatment"], typed)
    assert booked.starts_at is not None
    assert booked.starts_at.astimezone(UTC) == utc


def test_the_booking_page_shows_the_field_error(
    session: Session, login_as: Any, make_user: Any, make_patient: Any
) -> None:
    actor, clinician_id, proposals = _proposals(
        session, make_user, make_patient, "botox", 4, 100
    )
    appointment = proposals["treatment"]
    page = login_as(Role.INJECTOR).post_form(
        f"/appointments/{appointment.id}/book",
        {
            "version": appointment.version,
            "clinician_id": clinician_id,
            "starts_at": "2026-03-29T01:30",
            "override_reason": "evening clinic",
        },
    )
    assert page.status_code == 400
    assert "falls in the hour the clocks go forward" in page.get_data(as_text=True)
