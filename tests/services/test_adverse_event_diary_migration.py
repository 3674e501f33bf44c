"""Migration 0024: an adverse event may name the diary side effect it came from.

Stepping back down drops the column, so it is refused while an event names its
diary entry: the event would lose the patient's report it was recorded from.
"""

from datetime import date
from datetime import timedelta

import pytest
from alembic import command
from sqlalchemy import inspect
from sqlalchemy import text
from sqlmodel import Session

from planner.db import build_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.migrate import upgrade_database
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services import outcomes
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests.conftest import PASSWORD
from tests.conftest import PG_URL
from tests.conftest import reset_postgres
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import sign_chin
from tests.services.test_diary import CLIENT
from tests.services.test_diary import NOW
from tests.services.test_diary import opened


@pytest.fixture
def at_head(db_url, tmp_path):
    """A migrated database with one adverse event recorded from the diary."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    upgrade_database(engine)
    later = NOW + timedelta(days=4)
    with Session(engine) as session:
        load_catalogue(session)
        user = create_user(
            session,
            SYSTEM,
            email="injector@example.org",
            name="An Injector",
            role=Role.INJECTOR.value,
            password=PASSWORD,
        )
        injector = Actor(user.id, user.email)
        patient = make_patient(session, SYSTEM, "MIG-0024")
        treated = sign_chin(session, injector, patient.id, when=NOW, lot_number="L1")
        _, diary = opened(session, injector, treated.id, now=later)
        entry = entries.record_side_effect(
            session,
            diary,
            {"effects": ["eyelid_droop"], "day": "2026-03-04"},
            client=CLIENT,
            now=later,
        )
        event = outcomes.add_adverse_event(
            session,
            injector,
            treated.id,
            {"kind": "eyelid_droop", "severity": "mild", "diary_entry_id": entry.id},
            today=date(2026, 3, 10),
            zone=ZONE,
        )
        event_id, entry_id = event.id, entry.id
    yield engine, event_id, entry_id
    engine.dispose()


def has_link_column(engine) -> bool:
    return "diary_entry_id" in {
        column["name"] for column in inspect(engine).get_columns("adverse_event")
    }


def test_0024_refuses_to_step_down_while_an_event_names_its_diary_entry(at_head):
    engine, event_id, entry_id = at_head
    with pytest.raises(RuntimeError, match="1 adverse event"):
        command.downgrade(alembic_config(engine), "0023")
    assert current_revision(engine) == "0024"
    assert has_link_column(engine)
    with engine.connect() as connection:
        kept = connection.execute(
            text("SELECT diary_entry_id FROM adverse_event WHERE id = :id"),
            {"id": event_id},
        ).scalar_one()
    assert kept == entry_id


@pytest.mark.audit_exempt(
    "the link cleared by SQL, as an operator would before stepping down; the test "
    "is of the migration, not of the service's audit",
    tables=["adverse_event"],
)
def test_0024_steps_down_and_up_again_once_no_event_names_an_entry(at_head):
    engine, event_id, _ = at_head
    with engine.begin() as connection:
        connection.execute(text("UPDATE adverse_event SET diary_entry_id = NULL"))
    command.downgrade(alembic_config(engine), "0023")
    assert current_revision(engine) == "0023"
    assert not has_link_column(engine)
    command.upgrade(alembic_config(engine), "0024")
    assert has_link_column(engine)
    with engine.connect() as connection:
        kind = connection.execute(
            text("SELECT kind FROM adverse_event WHERE id = :id"), {"id": event_id}
        ).scalar_one()
    assert kind.lower() == "eyelid_droop"
    # One event a diary entry: the unique constraint is back with the column.
    assert any(
        constraint["column_names"] == ["diary_entry_id"]
        for constraint in inspect(engine).get_unique_constraints("adverse_event")
    )
