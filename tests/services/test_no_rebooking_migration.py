"""Migration 0023: a cancelled appointment may say why it needs no rebooking.

Stepping back down drops the column, so it is refused while an appointment holds
a reason: that cancellation would come back onto the worklist unexplained.
"""

from datetime import UTC
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import Session

from planner.db import build_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.models import AppointmentStatus
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from tests.conftest import PG_URL
from tests.conftest import reset_postgres
from tests.factories import make_appointment
from tests.factories import make_patient

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ROWS = pytest.mark.audit_exempt(
    "an appointment marked by SQL, as a clinic's database at 0023 holds it; the "
    "test is of the migration's refusal, not of the service's audit",
    tables=["appointment"],
)


@pytest.fixture
def at_head(db_url, tmp_path):
    """A database at 0023 with one cancelled appointment marked "no rebooking"."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    # At 0023 itself: a later migration's own step down is not this test's.
    command.upgrade(alembic_config(engine), "0023")
    with Session(engine) as session:
        load_catalogue(session)
        patient = make_patient(session, SYSTEM, "MIG-0023")
        appointment = make_appointment(
            session, patient.id, WHEN, status=AppointmentStatus.CANCELLED
        )
        session.commit()
        appointment_id = appointment.id
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE appointment SET no_rebooking_reason = 'Moved clinic' "
                "WHERE id = :id"
            ),
            {"id": appointment_id},
        )
    yield engine, appointment_id
    engine.dispose()


def has_reason_column(engine) -> bool:
    return "no_rebooking_reason" in {
        column["name"] for column in inspect(engine).get_columns("appointment")
    }


@ROWS
def test_0023_refuses_to_step_down_while_a_reason_is_kept(at_head):
    engine, appointment_id = at_head
    with pytest.raises(RuntimeError, match="1 cancelled appointment"):
        command.downgrade(alembic_config(engine), "0022")
    assert current_revision(engine) == "0023"
    assert has_reason_column(engine)
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT no_rebooking_reason FROM appointment WHERE id = :id"),
            {"id": appointment_id},
        ).scalar_one()
    assert kept == "Moved clinic"


@ROWS
def test_0023_steps_down_and_up_again_once_no_reason_is_kept(at_head):
    engine, appointment_id = at_head
    with engine.begin() as connection:
        connection.execute(text("UPDATE appointment SET no_rebooking_reason = NULL"))
    command.downgrade(alembic_config(engine), "0022")
    assert current_revision(engine) == "0022"
    assert not has_reason_column(engine)
    command.upgrade(alembic_config(engine), "0023")
    assert has_reason_column(engine)
    with engine.connect() as connection:
        status = connection.execute(
            text("SELECT status FROM appointment WHERE id = :id"),
            {"id": appointment_id},
        ).scalar_one()
    assert status.lower() == "cancelled"
