"""Migration 0021: each site of an old database keeps its session's vial."""

from datetime import UTC
from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import Session

from planner.db import build_engine
from planner.migrate import alembic_config
from planner.migrate import current_revision
from planner.migrate import head_revision
from planner.migrate import upgrade_database
from planner.models import PalsyCause
from planner.services.catalogue import load_catalogue
from tests.conftest import PG_URL
from tests.conftest import reset_postgres

WHEN = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
CAUSE = next(iter(PalsyCause)).value


@pytest.fixture
def at_0020(db_url, tmp_path):
    """A database at revision 0020, with its catalogue of products."""
    url = f"sqlite:///{tmp_path / 'clinic.db'}" if db_url == "sqlite://" else db_url
    engine = build_engine(url)
    if url == PG_URL:
        reset_postgres(engine)
    command.upgrade(alembic_config(engine), "0020")
    # The products as an install of 0020 has them (their table is unchanged since).
    with Session(engine) as session:
        load_catalogue(session)
        session.commit()
    yield engine
    engine.dispose()


def insert(connection, table, **values):
    columns = ", ".join(f'"{name}"' for name in values)
    marks = ", ".join(f":{name}" for name in values)
    return connection.execute(
        text(f'INSERT INTO "{table}" ({columns}) VALUES ({marks}) RETURNING id'),
        values,
    ).scalar_one()


def old_session(connection, patient, user, product, vial, sites):
    """A session of the 0020 schema: one vial on the session, none on its sites."""
    record = insert(
        connection,
        "treatment_session",
        patient_id=patient,
        injector_id=user,
        kind="full",
        cycle_number=1,
        product_id=product,
        vial_lot_id=vial,
        performed_at=WHEN,
        performed_at_confirmed=False,
        status="signed",
        consent_obtained=True,
        warnings="[]",
        map_version=2,
        version=1,
        created_at=WHEN,
        updated_at=WHEN,
    )
    for number in range(1, sites + 1):
        insert(
            connection,
            "injection_site",
            session_id=record,
            number=number,
            muscle="mentalis",
            side="left",
            role="affected",
            x=100.0,
            y=200.0,
            units=4.0,
            version=1,
            created_at=WHEN,
            updated_at=WHEN,
        )
    return record


def seed(connection):
    """A Botox and a Dysport vial, an injector and a patient, as 0020 holds them."""
    products = dict(connection.execute(text("SELECT code, id FROM product")).all())
    user = insert(
        connection,
        "user",
        email="ines@example.org",
        name="Dr Ines",
        role="injector",
        password_hash="x",
        active=True,
        created_at=WHEN,
    )
    patient = insert(
        connection,
        "patient",
        mrn="M1",
        given_name="Ada",
        family_name="Old",
        date_of_birth="1970-01-01",
        sex="unknown",
        cause=CAUSE,
        affected_side="left",
        pregnant=False,
        breastfeeding=False,
        neuromuscular_disease=False,
        aminoglycosides=False,
        toxin_allergy=False,
        version=1,
        created_at=WHEN,
        updated_at=WHEN,
    )
    vials = {
        code: insert(
            connection,
            "viallot",
            product_id=products[code],
            lot_number=f"{code.upper()}1",
            expiry_date="2027-06-30",
            vial_units=100 if code == "botox" else 300,
            diluent_ml=2.5,
            created_at=WHEN,
        )
        for code in ("botox", "dysport")
    }
    return products, user, patient, vials


@pytest.mark.audit_exempt(
    "rows written as the 0020 schema holds them; migration 0021 gives each site "
    "its session's vial, which changes no record and is not audited",
    tables=["user", "patient", "viallot", "treatment_session", "injection_site"],
)
def test_0021_gives_each_old_site_its_sessions_vial(at_0020):
    engine = at_0020
    with engine.begin() as connection:
        products, user, patient, vials = seed(connection)
        botox = old_session(
            connection, patient, user, products["botox"], vials["botox"], 2
        )
        dysport = old_session(
            connection, patient, user, products["dysport"], vials["dysport"], 3
        )
        no_vial = old_session(connection, patient, user, products["botox"], None, 1)

    upgrade_database(engine)

    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        sites = connection.execute(
            text(
                "SELECT session_id, vial_lot_id FROM injection_site "
                "ORDER BY session_id, number"
            )
        ).all()
    assert sites == [
        (botox, vials["botox"]),
        (botox, vials["botox"]),
        (dysport, vials["dysport"]),
        (dysport, vials["dysport"]),
        (dysport, vials["dysport"]),
        (no_vial, None),
    ]


@pytest.mark.audit_exempt(
    "rows written as the 0020 schema holds them, then a site drawn from a second "
    "vial as a switch at the chair records it",
    tables=["user", "patient", "viallot", "treatment_session", "injection_site"],
)
def test_downgrading_0021_is_refused_while_a_site_names_another_vial(at_0020):
    """0020 keeps one vial a session: dropping the sites' vials would lose the
    lot a site was drawn from, and a recall of it would miss the patient
    (review rV, V3). The downgrade is refused, naming the sessions, and the
    database is left as it was."""
    engine = at_0020
    with engine.begin() as connection:
        products, user, patient, vials = seed(connection)
        botox = old_session(
            connection, patient, user, products["botox"], vials["botox"], 2
        )
        single = old_session(
            connection, patient, user, products["dysport"], vials["dysport"], 1
        )
    upgrade_database(engine)
    with engine.begin() as connection:
        second = insert(
            connection,
            "viallot",
            product_id=products["botox"],
            brand="Botox",
            lot_number="BOTOX2",
            expiry_date="2027-06-30",
            vial_units=100,
            diluent_ml=2.5,
            created_at=WHEN,
        )
        connection.execute(
            text(
                "UPDATE injection_site SET vial_lot_id = :vial "
                "WHERE session_id = :session AND number = 2"
            ),
            {"vial": second, "session": botox},
        )

    # Later revisions (0022, the lots' brand) step down first: the refusal is 0021's.
    command.downgrade(alembic_config(engine), "0021")
    with pytest.raises(RuntimeError) as refused:
        command.downgrade(alembic_config(engine), "0020")
    assert f"session {botox} drew sites from another vial" in str(refused.value)
    assert f"{single} drew" not in str(refused.value)
    assert "a recall of it would miss the patient" in str(refused.value)
    assert current_revision(engine) == "0021"
    with engine.connect() as connection:
        lots = connection.execute(
            text("SELECT vial_lot_id FROM injection_site WHERE session_id = :s"),
            {"s": botox},
        ).scalars()
        assert list(lots) == [vials["botox"], second]
