"""The patient search is answered from its indexes and matches case-insensitively.

(Also the worklist's overdue section, the other index migration 0003 adds.)

The plan tests EXPLAIN the statements ``search_patients`` really runs, captured
as they go to the database, on tables made by the models and by the migrations.
PostgreSQL is asked with ``enable_seqscan`` off: on a small table a sequential
scan is cheapest anyway, and the question is whether the index can be used.
"""

import uuid
from collections.abc import Iterator
from datetime import date
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from planner.db import build_engine
from planner.db_types import utc_now
from planner.migrate import upgrade_database
from planner.models import Appointment
from planner.models import Patient
from planner.services import patients as service
from planner.services.patients import _after_prefix
from planner.services.patients import _case_spellings
from planner.services.worklist import build_worklist
from tests.conftest import PG_URL
from tests.conftest import schema_engine

SEARCH_INDEXES = {
    "ix_patient_search_family",
    "ix_patient_search_given",
    "ix_patient_search_mrn",
}
FILLER = 300
# The plan tests fill the tables with bulk inserts, as the demo seeder does.
BULK_FILLED = pytest.mark.audit_exempt(
    "fills the tables with raw inserts", tables=["patient", "appointment"]
)


def patient_row(number: int, family: str, given: str = "Sam") -> dict[str, Any]:
    now = utc_now()
    return {
        "mrn": f"F{number:06d}",
        "given_name": given,
        "family_name": family,
        "date_of_birth": date(1970, 1, 1),
        "sex": "unknown",
        "cause": "bells",
        "affected_side": "left",
        "pregnant": False,
        "breastfeeding": False,
        "neuromuscular_disease": False,
        "aminoglycosides": False,
        "toxin_allergy": False,
        "version": 1,
        "created_at": now,
        "updated_at": now,
    }


def fill(engine: Engine) -> None:
    """Add enough varied patients that an index is worth choosing."""
    rows = [
        patient_row(n, f"Family{n:04d}", given=f"Given{n % 37:02d}")
        for n in range(FILLER)
    ]
    rows.append(patient_row(FILLER, "Okafor", given="Ada"))
    rows.append(patient_row(FILLER + 1, "Élise", given="Émile"))
    with engine.begin() as connection:
        connection.execute(insert(Patient.__table__), rows)
        connection.execute(text("ANALYZE"))


@pytest.fixture(params=["models", "migrations"])
def search_engine(request, db_url, tmp_path, migrated_sqlite) -> Iterator[Engine]:
    """A filled patient table, made by create_all or by the migrations."""
    migrated = migrated_sqlite if request.param == "migrations" else None
    engine = schema_engine(db_url, tmp_path / "search.db", migrated)
    fill(engine)
    yield engine
    engine.dispose()


def search_statements(engine: Engine, query: str) -> list[tuple[str, Any]]:
    """Run the search and return the statements it sent, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with Session(engine) as session:
            service.search_patients(session, query)
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(sent) == 2, sent  # the count and the page
    return sent


def plan(engine: Engine, statement: str, parameters: Any) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            rows = connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters
            )
            return "\n".join(str(row[3]) for row in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + statement, parameters)
        return "\n".join(str(row[0]) for row in rows)


@BULK_FILLED
@pytest.mark.parametrize("query", ["okaf", "OKAFOR ada", "élise", "f00012"])
def test_search_reads_every_column_through_its_index(search_engine, query):
    for statement, parameters in search_statements(search_engine, query):
        explained = plan(search_engine, statement, parameters)
        used = {name for name in SEARCH_INDEXES if name in explained}
        if query.isascii():
            assert used == SEARCH_INDEXES, explained
        else:  # a non-ASCII term cannot start an MRN, so that column is not read
            assert used == SEARCH_INDEXES - {"ix_patient_search_mrn"}, explained
        assert "SCAN patient" not in explained, explained  # SQLite
        assert "Seq Scan" not in explained, explained  # PostgreSQL


@BULK_FILLED
def test_search_without_a_query_still_pages_by_the_name_index(search_engine):
    _count, (page, parameters) = search_statements(search_engine, "")
    assert "ix_patient_name_order" in plan(search_engine, page, parameters)


@BULK_FILLED
def test_migrated_indexes_match_the_models(search_engine):
    # The schema test compares the whole schema; this names the search indexes.
    with search_engine.connect() as connection:
        if search_engine.dialect.name == "sqlite":
            found = dict(
                connection.execute(
                    text("SELECT name, sql FROM sqlite_master WHERE type = 'index'")
                ).all()
            )
            for name in SEARCH_INDEXES:
                assert "COLLATE NOCASE" in found[name]
        else:
            found = dict(
                connection.execute(
                    text("SELECT indexname, indexdef FROM pg_indexes")
                ).all()
            )
            for name in SEARCH_INDEXES:
                assert "lower(" in found[name]
                assert "text_pattern_ops" in found[name]


def fill_appointments(engine: Engine, today: date) -> None:
    """Give the filled patients a history: mostly attended, a few windows open."""
    now = utc_now()
    rows = []
    for number in range(2000):
        window_end = today + timedelta(days=number % 400 - 300)
        status = "proposed" if number % 10 == 0 else "attended"
        rows.append(
            {
                "patient_id": number % FILLER + 1,
                "kind": "treatment",
                "status": status,
                "window_start": window_end - timedelta(days=28),
                "window_end": window_end,
                "due_date": window_end - timedelta(days=14),
                "version": 1,
                "created_at": now,
                "updated_at": now,
            }
        )
    with engine.begin() as connection:
        connection.execute(insert(Appointment.__table__), rows)
        connection.execute(text("ANALYZE"))


@BULK_FILLED
def test_worklist_overdue_section_reads_its_index(search_engine):
    today = date(2026, 11, 23)
    fill_appointments(search_engine, today)
    sent: list[tuple[str, Any]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many) -> None:
        sent.append((statement, parameters))

    event.listen(search_engine, "before_cursor_execute", capture)
    try:
        with Session(search_engine) as session:
            build_worklist(session, today=today, zone=ZoneInfo("UTC"))
    finally:
        event.remove(search_engine, "before_cursor_execute", capture)
    overdue = [(s, p) for s, p in sent if "appointment.window_end <" in s]
    assert len(overdue) == 2  # its count and its rows
    for statement, parameters in overdue:
        explained = plan(search_engine, statement, parameters)
        assert "ix_appointment_status_window_end" in explained, explained


# --- what the search finds ----------------------------------------------------


@pytest.fixture
def people(make_patient) -> None:
    for mrn, given, family in [
        ("AB-100", "Ada", "Okafor"),
        ("ab-200", "Ben", "OKAG"),
        ("Q7", "Cy", "okaf-x"),
        ("E1", "Émile", "Élise"),
        ("E2", "élodie", "DUBOIS"),
        ("M1", "Jürgen", "Müller"),
        ("M2", "Ölçer", "ÖZTÜRK"),
        ("M3", "Jean-Émile", "Ortiz"),
        ("G1", "Σωκράτης", "Παππάς"),
        ("P1", "Pat", "Per%cent"),
        ("P2", "Pam", "Perkins"),
        ("U1", "Uma", "Under_score"),
        ("U2", "Ulf", "Underxscore"),
        ("B1", "Bo", "Back\\slash"),
        ("B2", "Bea", "Backslash"),
        ("Z1", "Zed", "Ab@c"),
        ("Z2", "Zoe", "AbAc"),
    ]:
        make_patient(mrn=mrn, given_name=given, family_name=family)


def found(session, query: str) -> list[str]:
    page = service.search_patients(session, query, size=50)
    assert page.total == len(page.items)
    return sorted(p.mrn for p in page.items)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A prefix of the family name, the given name or the MRN, in any case.
        ("okaf", ["AB-100", "Q7"]),
        ("OKA", ["AB-100", "Q7", "ab-200"]),
        ("oKaG", ["ab-200"]),
        ("ada", ["AB-100"]),
        ("AB-", ["AB-100", "ab-200"]),
        ("ab-1", ["AB-100"]),
        ("kafor", []),
        # Every word must match somewhere.
        ("ada okafor", ["AB-100"]),
        ("okafor ben", []),
    ],
)
def test_search_is_a_case_insensitive_prefix_match(session, people, query, expected):
    assert found(session, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Typed as stored, in lower case, in capitals: each finds the name.
        ("Élise", ["E1"]),
        ("élise", ["E1"]),
        ("ÉLISE", ["E1"]),
        ("éli", ["E1"]),
        ("émile", ["E1"]),
        ("ÉLODIE", ["E2"]),
        ("müller", ["M1"]),
        ("MÜLL", ["M1"]),
        ("öztürk", ["M2"]),
        ("Öztürk", ["M2"]),
        ("ölçer", ["M2"]),
        ("jean-émile", ["M3"]),
        ("σωκ", ["G1"]),
        ("ΠΑΠΠΆΣ", ["G1"]),
        ("παππάς", ["G1"]),
        # Accents are letters of their own, as before.
        ("muller", []),
    ],
)
def test_search_folds_case_beyond_ascii(session, people, query, expected):
    assert found(session, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("per%", ["P1"]),
        ("%", []),
        ("under_", ["U1"]),
        ("_", []),
        ("back\\", ["B1"]),
        ("ab@", ["Z1"]),
        ("aba", ["Z2"]),
    ],
)
def test_wildcards_and_backslashes_are_plain_characters(
    session, people, query, expected
):
    assert found(session, query) == expected


@pytest.mark.parametrize(
    ("prefix", "after"),
    [
        ("abc", "abd"),
        ("ab@", "ab["),  # not "abA": NOCASE would read it as "aba"
        ("é", "ê"),
        ("a\U0010ffff", "b"),
        ("\U0010ffff", None),
        ("\ud7ff", "\ue000"),
    ],
)
def test_after_prefix_bounds_the_range(prefix, after):
    assert _after_prefix(prefix) == after


def test_an_ascii_term_is_searched_once():
    assert _case_spellings("OkAf") == {"okaf"}
    # Lower case, and capitalised (the same as in capitals, once ASCII is folded).
    assert _case_spellings("éLi") == {"éli", "Éli"}


# --- PostgreSQL with a linguistic collation -----------------------------------


@pytest.fixture
def icu_database() -> Iterator[Engine]:
    """A scratch database whose default collation is ICU en-US, not C."""
    if not PG_URL:
        pytest.skip("needs PLANNER_TEST_DATABASE_URL")
    name = f"planner_icu_{uuid.uuid4().hex[:8]}"
    admin = build_engine(PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text(
                    f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' "
                    "LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
                )
            )
    except DBAPIError as exc:
        admin.dispose()
        pytest.skip(f"cannot create an ICU database here: {exc.orig}")
    engine = build_engine(make_url(PG_URL).set(database=name).render_as_string(False))
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


@BULK_FILLED
def test_search_on_a_database_with_a_linguistic_collation(icu_database):
    # en-US sorts "a" < "B" < "c" and lowers every letter it knows, so the
    # search must not rely on byte order or on ASCII-only lower case there.
    upgrade_database(icu_database)
    fill(icu_database)
    with icu_database.begin() as connection:
        connection.execute(
            insert(Patient.__table__),
            [
                patient_row(0, family) | {"mrn": mrn}
                for mrn, family in [
                    ("X1", "Ögren"),
                    ("X2", "o'brien"),
                    ("X3", "OBrian"),
                ]
            ],
        )
    with Session(icu_database) as session:

        def mrns(query: str) -> list[str]:
            return sorted(p.mrn for p in service.search_patients(session, query).items)

        assert mrns("ögr") == ["X1"]
        assert mrns("ÖGREN") == ["X1"]
        assert mrns("o'b") == ["X2"]
        assert mrns("obr") == ["X3"]
        assert mrns("okafor") == ["F000300"]
    for statement, parameters in search_statements(icu_database, "okafor"):
        explained = plan(icu_database, statement, parameters)
        assert all(name in explained for name in SEARCH_INDEXES), explained
