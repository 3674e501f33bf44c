"""Twelve clients booking one clinician's slot at once: exactly one gets it (18, 2).

Each client books a different patient's appointment into the same slot, in a
thread of its own with its own database session, on a database on disk (or
the test PostgreSQL), so their transactions really run side by side.
"""

import threading
from datetime import date
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import select

from planner.db import build_engine
from planner.errors import Conflict
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.services.appointments import book_appointment
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests import factories
from tests.conftest import PASSWORD
from tests.conftest import PG_URL
from tests.conftest import reset_postgres

CLIENTS = 12
ZONE = ZoneInfo("Europe/London")
DAY = date(2031, 3, 4)


@pytest.fixture
def engine(db_url, tmp_path):
    url = f"sqlite:///{tmp_path / 'race.db'}" if db_url == "sqlite://" else db_url
    built = build_engine(url)
    if url == PG_URL:
        reset_postgres(built)
    SQLModel.metadata.create_all(built)
    with Session(built) as session:
        load_catalogue(session)
    yield built
    built.dispose()


@pytest.mark.audit_exempt(
    "the proposed appointments are raw rows", tables=["appointment"]
)
def test_twelve_clients_racing_for_one_slot_make_exactly_one_booking(engine):
    with Session(engine, expire_on_commit=False) as session:
        clinician = create_user(
            session,
            SYSTEM,
            email="racer@example.org",
            name="Dr Race",
            role="injector",
            password=PASSWORD,
        )
        clinician_id = clinician.id
        proposed = []
        for number in range(CLIENTS):
            patient = factories.make_patient(session, SYSTEM, f"RACE{number:03d}")
            appointment = Appointment(
                patient_id=patient.id,
                kind="review",
                status="proposed",
                due_date=DAY,
                window_start=DAY - timedelta(days=7),
                window_end=DAY + timedelta(days=7),
            )
            session.add(appointment)
            session.commit()
            proposed.append(appointment.id)
    start = threading.Barrier(CLIENTS)
    booked: list[int] = []
    refused: list[str] = []
    errors: list[BaseException] = []

    def book(appointment_id: int) -> None:
        try:
            start.wait()
            with Session(engine, expire_on_commit=False) as session:
                book_appointment(
                    session,
                    SYSTEM,
                    appointment_id,
                    {
                        "version": 1,
                        "clinician_id": clinician_id,
                        "starts_at": f"{DAY.isoformat()}T10:00",
                        "override_reason": "race test",
                    },
                    zone=ZONE,
                )
            booked.append(appointment_id)
        except Conflict as exc:
            refused.append(exc.message)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=book, args=(a,)) for a in proposed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(booked) == 1
    assert len(refused) == CLIENTS - 1
    # The losers were told in the clinic's existing words.
    assert all(m.startswith("Double booking: Dr Race already has") for m in refused)
    with Session(engine) as session:
        rows = session.exec(
            select(Appointment).where(Appointment.status == AppointmentStatus.BOOKED)
        ).all()
    assert [row.id for row in rows] == booked
