"""The demo seeder: counts, determinism and clinical plausibility of its rows."""

import os
import uuid
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import col
from sqlmodel import select

from planner.db import build_engine
from planner.db import session_scope
from planner.demo import DEMO_INJECTOR_EMAIL
from planner.demo import seed_demo
from planner.demo.treatments import DOSE_FACTORS
from planner.migrate import upgrade_database
from planner.models import AdverseEvent
from planner.models import Appointment
from planner.models import Assessment
from planner.models import AuditEvent
from planner.models import CycleResponse
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.reference import MUSCLE_DOSES
from planner.services.catalogue import load_catalogue
from tests.conftest import copy_sqlite

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
PATIENTS = 40
CYCLES = 5
RESTING_POINTS = {
    "normal": 0,
    "narrow": 1,
    "wide": 1,
    "eyelid_surgery": 1,
    "absent": 2,
    "less_pronounced": 1,
    "more_pronounced": 1,
    "corner_drooped": 1,
    "corner_pulled_up": 1,
}
COUNTED: dict[str, type[SQLModel]] = {
    "patients": Patient,
    "sessions": TreatmentSession,
    "sites": InjectionSite,
    "assessments": Assessment,
    "appointments": Appointment,
    "vial_lots": VialLot,
    "responses": CycleResponse,
    "adverse_events": AdverseEvent,
}


def migrated_engine(url: str) -> Engine:
    engine = build_engine(url)
    upgrade_database(engine)
    return with_catalogue(engine)


def with_catalogue(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        load_catalogue(session)
    return engine


@pytest.fixture(name="make_engine")
def make_engine_fixture(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Any]:
    """Return a factory of fresh, migrated SQLite file databases."""
    engines: list[Engine] = []

    def make(name: str = "demo") -> Engine:
        copy_sqlite(migrated_sqlite, tmp_path / f"{name}.db")
        engine = with_catalogue(build_engine(f"sqlite:///{tmp_path / name}.db"))
        engines.append(engine)
        return engine

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(name="engine")
def engine_fixture(make_engine: Any) -> Engine:
    engine: Engine = make_engine()
    return engine


@pytest.fixture(name="counts")
def counts_fixture(engine: Engine) -> dict[str, int]:
    return seed_demo(engine, patients=PATIENTS, cycles=CYCLES, seed=11, now=NOW)


@pytest.fixture(name="seeded_engine", scope="module")
def seeded_engine_fixture(
    migrated_sqlite: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """One seeded database for the tests that only read what the seeder wrote.

    Seeding 40 patients (and migrating) took half a second, once per test.
    """
    path = tmp_path_factory.mktemp("seeded") / "demo.db"
    copy_sqlite(migrated_sqlite, path)
    engine = with_catalogue(build_engine(f"sqlite:///{path}"))
    yield engine
    engine.dispose()


@pytest.fixture(name="seeded_counts", scope="module")
def seeded_counts_fixture(seeded_engine: Engine) -> dict[str, int]:
    return seed_demo(seeded_engine, patients=PATIENTS, cycles=CYCLES, seed=11, now=NOW)


@pytest.fixture(name="session")
def session_fixture(
    seeded_engine: Engine, seeded_counts: dict[str, int]
) -> Iterator[Session]:
    """A session on the shared seeded database: the tests using it only read."""
    with Session(seeded_engine) as session:
        yield session


def table_count(session: Session, model: type[SQLModel]) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


def patient_rows(engine: Engine) -> list[dict[str, Any]]:
    with Session(engine) as session:
        patients = session.exec(select(Patient).order_by(col(Patient.id))).all()
        return [patient.model_dump() for patient in patients]


def site_units(engine: Engine) -> list[float]:
    with Session(engine) as session:
        return list(
            session.exec(select(InjectionSite.units).order_by(col(InjectionSite.id)))
        )


def test_returned_counts_match_the_rows_added(
    session: Session, seeded_counts: dict[str, int]
) -> None:
    assert seeded_counts["patients"] == PATIENTS
    assert seeded_counts == {
        name: table_count(session, model) for name, model in COUNTED.items()
    }
    assert seeded_counts["sessions"] >= PATIENTS


def test_same_seed_gives_the_same_data_and_another_seed_does_not(
    make_engine: Any,
) -> None:
    first, second, other = (
        make_engine("first"),
        make_engine("second"),
        make_engine("other"),
    )
    for engine, seed in ((first, 5), (second, 5), (other, 6)):
        seed_demo(engine, patients=15, cycles=3, seed=seed, now=NOW)

    assert patient_rows(first) == patient_rows(second)
    assert site_units(first) == site_units(second)
    assert patient_rows(first) != patient_rows(other)
    assert site_units(first) != site_units(other)


def test_doses_are_within_the_reference_range_on_a_quarter_unit_grid(
    session: Session,
) -> None:
    ranges = {dose.muscle: (dose.low, dose.high) for dose in MUSCLE_DOSES}
    rows = session.exec(
        select(InjectionSite.muscle, InjectionSite.units, Product.code)
        .join(TreatmentSession, col(TreatmentSession.id) == InjectionSite.session_id)
        .join(Product, col(Product.id) == TreatmentSession.product_id)
    ).all()

    assert rows
    for muscle, units, product in rows:
        low, high = ranges[muscle]
        factor = DOSE_FACTORS.get(product, 1.0)
        assert low <= units / factor <= high, (muscle, product, units)
        assert units * 4 == int(units * 4)


def test_sides_follow_the_affected_side_and_the_site_role(session: Session) -> None:
    rows = session.exec(
        select(InjectionSite, Patient.affected_side)
        .join(TreatmentSession, col(TreatmentSession.id) == InjectionSite.session_id)
        .join(Patient, col(Patient.id) == TreatmentSession.patient_id)
    ).all()
    other = {"left": "right", "right": "left"}

    for site, affected in rows:
        if site.role == "midline":
            assert site.side == "midline"
            assert site.x == 200
        elif affected == "bilateral":
            assert site.role == "affected"
        elif site.role == "affected":
            assert site.side == affected
        else:
            assert site.side == other[affected]
        # The patient's right is drawn on the viewer's left of the 400-wide map.
        if site.side == "right":
            assert 0 < site.x < 200
        elif site.side == "left":
            assert 200 < site.x < 400
        assert 0 < site.y < 520


def test_sites_are_numbered_from_one_in_each_session(session: Session) -> None:
    numbers: dict[int, list[int]] = {}
    for session_id, number in session.exec(
        select(InjectionSite.session_id, InjectionSite.number).order_by(
            col(InjectionSite.id)
        )
    ):
        numbers.setdefault(session_id, []).append(number)

    assert all(found == list(range(1, len(found) + 1)) for found in numbers.values())
    assert len(numbers) == table_count(session, TreatmentSession)


def test_every_vial_expires_after_its_session_and_matches_its_product(
    session: Session,
) -> None:
    rows = session.exec(
        select(TreatmentSession, VialLot).join(
            VialLot, col(VialLot.id) == TreatmentSession.vial_lot_id
        )
    ).all()

    assert len(rows) == table_count(session, TreatmentSession)
    for treatment, lot in rows:
        assert lot.expiry_date > treatment.performed_at.date()
        assert lot.product_id == treatment.product_id
        assert lot.reconstituted_at is not None
        assert lot.reconstituted_at.date() == treatment.performed_at.date()


def test_full_sessions_are_at_least_twelve_weeks_apart_and_in_the_past(
    session: Session,
) -> None:
    sessions = session.exec(
        select(TreatmentSession).order_by(
            col(TreatmentSession.patient_id), col(TreatmentSession.performed_at)
        )
    ).all()
    full: dict[int, list[TreatmentSession]] = {}
    for treatment in sessions:
        assert treatment.performed_at < NOW
        assert treatment.status == "signed"
        assert treatment.signed_at is not None
        assert treatment.consent_obtained
        if treatment.kind == "full":
            full.setdefault(treatment.patient_id, []).append(treatment)

    for cycles in full.values():
        assert [t.cycle_number for t in cycles] == list(range(1, len(cycles) + 1))
        for earlier, later in zip(cycles, cycles[1:], strict=False):
            assert later.performed_at - earlier.performed_at >= timedelta(weeks=12)


def test_top_ups_belong_to_their_cycles_full_session(session: Session) -> None:
    top_ups = session.exec(
        select(TreatmentSession).where(TreatmentSession.kind == "top_up")
    ).all()

    for top_up in top_ups:
        assert top_up.cycle_session_id is not None
        opening = session.get(TreatmentSession, top_up.cycle_session_id)
        assert opening is not None
        assert opening.kind == "full"
        assert opening.patient_id == top_up.patient_id
        assert opening.cycle_number == top_up.cycle_number
        gap = top_up.performed_at - opening.performed_at
        assert timedelta(days=12) <= gap <= timedelta(days=18)


def test_scores_follow_the_published_formulas(session: Session) -> None:
    assessments = session.exec(select(Assessment)).all()

    instruments = {a.instrument for a in assessments}
    assert instruments == {"sunnybrook", "saq"}
    for assessment in assessments:
        scores, items = assessment.scores, assessment.items
        if assessment.instrument == "sunnybrook":
            resting = 5 * sum(RESTING_POINTS[v] for v in items["resting"].values())
            voluntary = 4 * sum(items["voluntary"].values())
            synkinesis = sum(items["synkinesis"].values())
            assert (scores["resting"], scores["voluntary"], scores["synkinesis"]) == (
                resting,
                voluntary,
                synkinesis,
            )
            assert scores["composite"] == voluntary - resting - synkinesis
            assert assessment.total == scores["composite"]
            assert assessment.formula_version == "sunnybrook-1996"
        else:
            assert len(items) == 9
            assert all(1 <= answer <= 5 for answer in items.values())
            assert assessment.total == pytest.approx(
                sum(items.values()) / 45 * 100, abs=0.05
            )
            assert assessment.formula_version == "saq-unsourced-v1"


def test_the_latest_cycle_has_a_proposed_treatment_window(session: Session) -> None:
    proposed = session.exec(
        select(Appointment).where(Appointment.status == "proposed")
    ).all()

    assert len(proposed) == PATIENTS
    for appointment in proposed:
        source = session.get(TreatmentSession, appointment.source_session_id)
        assert source is not None
        treated = source.performed_at.date()
        assert appointment.window_start == treated + timedelta(weeks=12)
        assert appointment.window_end == treated + timedelta(weeks=16)
        assert appointment.due_date == treated + timedelta(weeks=14)
        assert appointment.starts_at is None


def test_a_demo_injector_is_created_once_and_the_run_is_audited(
    engine: Engine, counts: dict[str, int]
) -> None:
    seed_demo(engine, patients=3, cycles=1, seed=11, now=NOW)

    with Session(engine) as session:
        users = session.exec(select(User)).all()
        assert [(u.email, u.role) for u in users] == [
            (DEMO_INJECTOR_EMAIL, Role.INJECTOR)
        ]
        authors = set(session.exec(select(TreatmentSession.injector_id)))
        assert authors == {users[0].id}
        events = session.exec(select(AuditEvent).order_by(col(AuditEvent.id))).all()
    seeds = [e for e in events if e.action == "seed"]
    assert len(seeds) == 2
    assert seeds[0].entity_type == "demo"
    assert seeds[0].after is not None
    assert seeds[0].after["patients"] == PATIENTS


@pytest.mark.audit_exempt(
    "stores an existing injector directly before seeding",
    tables=["user"],
)
def test_an_existing_injector_is_used(engine: Engine) -> None:
    with Session(engine) as session:
        injector = User(
            email="dr.who@example.org",
            name="Dr Who",
            role=Role.INJECTOR,
            password_hash="not-a-hash",
        )
        session.add(injector)
        session.commit()
        injector_id = injector.id

    seed_demo(engine, patients=5, cycles=2, seed=1, now=NOW)

    with Session(engine) as session:
        assert table_count(session, User) == 1
        authors = set(session.exec(select(Assessment.entered_by_id)))
    assert authors == {injector_id}


def test_seeding_twice_keeps_mrns_unique(engine: Engine) -> None:
    seed_demo(engine, patients=10, cycles=2, seed=3, now=NOW)
    seed_demo(engine, patients=10, cycles=2, seed=3, now=NOW)

    mrns = [row["mrn"] for row in patient_rows(engine)]
    assert len(mrns) == len(set(mrns)) == 20
    assert mrns[0] == "DEMO000001"
    assert mrns[-1] == "DEMO000020"


def test_naive_now_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        seed_demo(engine, patients=1, cycles=1, seed=1, now=datetime(2026, 1, 1))


@pytest.mark.pg
@pytest.mark.audit_exempt(
    "stores a patient directly to show the sequences moved past the seeded ids",
    tables=["patient"],
)
def test_seeding_works_on_postgresql() -> None:
    url = os.environ.get("PLANNER_TEST_DATABASE_URL")
    if not url:
        pytest.skip("PLANNER_TEST_DATABASE_URL is not set")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    # A schema of its own keeps the run apart from whatever the database holds.
    schema = f"demo_test_{uuid.uuid4().hex[:12]}"
    admin = build_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    engine = migrated_engine(scoped.render_as_string(hide_password=False))
    try:
        first = seed_demo(engine, patients=30, cycles=3, seed=2, now=NOW)
        second = seed_demo(engine, patients=30, cycles=3, seed=2, now=NOW)
        with Session(engine) as session:
            assert table_count(session, Patient) == 60
            assert table_count(session, TreatmentSession) == (
                first["sessions"] + second["sessions"]
            )
            # The sequences moved past the explicit ids: a plain insert still works.
            session.add(
                Patient(
                    mrn="PG-1",
                    given_name="Ada",
                    family_name="Lovelace",
                    date_of_birth=datetime(1980, 1, 1).date(),
                    cause="bells",
                    affected_side="left",
                )
            )
            session.commit()
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
