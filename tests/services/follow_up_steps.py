"""Steps the follow-up tests share: sign a treatment, book, cancel, close.

Each product is charted in its own units (a left mentalis site of its usual
size); no dose is carried from one product to another. Times are UTC instants;
the clinic's day is Europe/London's.
"""

from datetime import UTC
from datetime import datetime
from typing import Any

import pytest
from sqlmodel import Session
from sqlmodel import select

from planner.models import Appointment
from planner.services import appointments as booking
from planner.services.audit import Actor
from tests import factories as f

BY_PRODUCT = pytest.mark.parametrize("product", ["botox", "dysport"])
UNITS = {"botox": 4, "dysport": 10}
VIALS = {"botox": 100, "dysport": 300}
FIRST = datetime(2026, 1, 5, 10, tzinfo=UTC)


def treat(
    session: Session, actor: Actor, patient_id: int, product: str, when: datetime
) -> None:
    """Chart and sign a full treatment with ``product`` at ``when``."""
    f.make_treatment(
        session,
        actor,
        patient_id,
        [("mentalis", "left", UNITS[product])],
        when=when,
        sign=True,
        product=product,
        vial_units=VIALS[product],
    )


def follow_up(session: Session, patient_id: int, kind: str) -> Appointment:
    """The patient's first appointment of ``kind`` (review or treatment)."""
    found = session.exec(
        select(Appointment)
        .where(Appointment.patient_id == patient_id, Appointment.kind == kind)
        .order_by(Appointment.id)  # type: ignore[arg-type]
    ).first()
    assert found is not None
    return found


def book(
    session: Session,
    actor: Actor,
    appointment: Appointment,
    starts_at: str,
    now: datetime | None = None,
) -> Appointment:
    """Book ``appointment`` at the clinic's local ``starts_at``, with the actor."""
    return booking.book_appointment(
        session,
        actor,
        appointment.id or 0,
        {
            "version": appointment.version,
            "clinician_id": actor.user_id,
            "starts_at": starts_at,
            "override_reason": "Test booking",
        },
        zone=f.ZONE,
        now=now,
    )


def mark(
    session: Session,
    actor: Actor,
    appointment: Appointment,
    status: str,
    now: datetime | None = None,
    **extra: Any,
) -> Appointment:
    """Mark ``appointment`` attended, missed or cancelled (with ``reason``)."""
    return booking.set_status(
        session,
        actor,
        appointment.id or 0,
        {"version": appointment.version, "status": status, **extra},
        now=now,
    )


def cancel(
    session: Session, actor: Actor, appointment: Appointment, now: datetime
) -> Appointment:
    return mark(
        session,
        actor,
        appointment,
        "cancelled",
        now,
        reason="patient cannot come, will call back",
    )


def attend_proposals(session: Session, actor: Actor, patient_id: int) -> None:
    """Close the patient's open proposals as attended."""
    for proposal in session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient_id, Appointment.status == "proposed"
        )
    ).all():
        mark(session, actor, proposal, "attended")


def booked_retreatment(
    session: Session, actor: Actor, patient_id: int, product: str, starts_at: str
) -> Appointment:
    """Sign a treatment on 5 Jan 2026 and book its re-treatment at ``starts_at``."""
    treat(session, actor, patient_id, product, FIRST)
    return book(
        session,
        actor,
        follow_up(session, patient_id, "treatment"),
        starts_at,
        datetime(2026, 3, 1, tzinfo=UTC),
    )
