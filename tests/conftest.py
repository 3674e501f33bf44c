"""Fixtures: an app per test on a fresh database, factories, logged-in clients."""

import copy
import os
import re
import sqlite3
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session
from sqlmodel import SQLModel

import planner.models  # noqa: F401  # registers every table on the metadata
from planner import create_app
from planner import passwords
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import upgrade_database
from planner.models import Patient
from planner.models import Role
from planner.models import User
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests import factories

# The audit guard fails any test whose commits leave a change unaudited (issue 7);
# pytester lets tests/services/test_audit_guard.py prove that it does.
pytest_plugins = ["tests.audit_guard", "pytester"]

PASSWORD = "correct horse battery staple"
# The database PLANNER_TEST_DATABASE_URL names; under pytest-xdist each worker
# (gw0, gw1, ...) gets a database of its own beside it, so that one worker's
# TRUNCATE never empties another's tables mid-test.
BASE_PG_URL = os.environ.get("PLANNER_TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def worker_database_url(base: str, worker: str) -> str:
    if not base or not worker:
        return base
    url = make_url(base)
    return url.set(database=f"{url.database}_{worker}").render_as_string(False)


PG_URL = worker_database_url(BASE_PG_URL, WORKER)
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


# PostgreSQL runs every service test, where the SQL lives, except the print
# layout modules (WeasyPrint's pagination of the same data; the report data
# itself is gathered on PostgreSQL in test_reports). Of the HTTP tests it runs
# the modules whose requests reach dialect-sensitive SQL (aggregates, locks,
# throttling, the audit search, exports). Any test marked pg runs on it too. The
# rest would repeat on PostgreSQL what their services' tests already ran there,
# at a third of the suite's time on two cores (issue 12).
PG_VIEW_MODULES = frozenset(
    {
        "test_api",
        "test_chart_api",
        "test_fhir_export",
        "test_login_security",
        "test_read_audit",
        "test_research_export",
    }
)
PRINT_LAYOUT_MODULES = frozenset(
    {
        "test_comparison_report",
        "test_handout_print",
        "test_handout_therapy",
        "test_record_consent_print",
        "test_record_print",
    }
)


# The parameters that name the product a test charts. The products differ in
# their units, ranges and wording, which SQLite checks for each of them; the SQL
# does not differ (a product is rows, not queries), so PostgreSQL runs one
# product's case of each test: the first, with every other parameter's cases.
PRODUCT_PARAMS = frozenset({"product", "vial_product", "brand"})


def sqlite_only(item: pytest.Item) -> bool:
    """Whether this PostgreSQL test repeats SQLite's without reaching other SQL."""
    if item.get_closest_marker("pg") is not None:
        return False
    folder, module = item.path.parent.name, item.path.stem
    if folder == "views":
        return module not in PG_VIEW_MODULES
    return folder == "services" and module in PRINT_LAYOUT_MODULES


def another_products_case(item: pytest.Item, seen: set[tuple[Any, ...]]) -> bool:
    """Whether this PostgreSQL test is a product case after its test's first.

    ``seen`` collects each test's cases by everything but the product, so a case
    that differs in anything else (a muscle, a dose, a second product) still runs.
    """
    callspec = getattr(item, "callspec", None)
    if callspec is None or item.get_closest_marker("pg") is not None:
        return False
    if not PRODUCT_PARAMS & set(callspec.params):
        return False
    rest = tuple(
        sorted(
            (name, index)
            for name, index in callspec.indices.items()
            if name not in PRODUCT_PARAMS and name != "db_url"
        )
    )
    case = (item.path, getattr(item, "originalname", item.name), rest)
    if case in seen:
        return True
    seen.add(case)
    return False


# The modules that take half a minute or more of one worker, longest first.
# pytest-xdist hands a worker the next module as it finishes one, so whatever
# comes last in the order may run alone on one core at the end: the long ones
# must not. In collection order tests/views/test_xss.py came last, and the
# other worker sat idle while it ran alone.
START_FIRST = {
    name: rank
    for rank, name in enumerate(
        [
            "test_api_schema.py",
            "test_every_page_a11y.py",
            "test_forms_fuzz.py",
            "test_chart_api.py",
            "test_reports_pages.py",
            "test_research_export.py",
            "test_login_security.py",
            "test_diary_pages.py",
            "test_properties.py",
            "test_xss.py",
            "test_other_product_top_up_pages.py",
            "test_read_audit.py",
        ]
    )
}


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    product_cases: set[tuple[Any, ...]] = set()
    for item in items:
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_url") == (
            "postgresql"
        )
        if on_postgres and (
            sqlite_only(item) or another_products_case(item, product_cases)
        ):
            left_out.append(item)
        else:
            kept.append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
    # pytest-xdist hands out whole modules in this order: the longest start
    # first, so that none is left running alone on one core at the end.
    items[:] = sorted(kept, key=lambda item: START_FIRST.get(item.path.name, 99))


def reset_postgres(engine: Engine) -> None:
    """Give the test an empty public schema on the shared PostgreSQL database.

    A connection an earlier test left open in a transaction (an unread streamed
    response, say) would make DROP SCHEMA wait for ever: end such sessions first.
    """
    with engine.begin() as connection:
        end_other_sessions(connection)
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def end_other_sessions(connection: Connection, *, idle_too: bool = True) -> None:
    """End the database's other sessions; those idle in a pool only if asked."""
    connection.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            + ("" if idle_too else " AND state <> 'idle'")
        )
    )


# Everything in the public schema a test could change besides rows: tables and
# columns, constraints, indexes, sequences, types, functions, views and triggers
# (with whether each is enabled). Equal digests mean the schema create_all built.
SCHEMA_DIGEST = text(
    """
    SELECT md5(coalesce(string_agg(item, ' ' ORDER BY item), '')) FROM (
      SELECT 'c ' || table_name || '.' || column_name || ' ' || data_type || ' '
             || is_nullable || ' ' || coalesce(column_default, '') AS item
        FROM information_schema.columns WHERE table_schema = 'public'
      UNION ALL SELECT 'k ' || conrelid::regclass::text || ' ' || conname || ' '
             || pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      UNION ALL SELECT 'i ' || indexdef FROM pg_indexes WHERE schemaname = 'public'
      UNION ALL SELECT 'r ' || relkind::text || ' ' || relname
        FROM pg_class WHERE relnamespace = 'public'::regnamespace
      UNION ALL SELECT 'y ' || typname FROM pg_type
        WHERE typnamespace = 'public'::regnamespace
      UNION ALL SELECT 'e ' || enumtypid::regtype::text || ' ' || enumlabel
        FROM pg_enum
      UNION ALL SELECT 'f ' || proname || ' ' || md5(prosrc) FROM pg_proc
        WHERE pronamespace = 'public'::regnamespace
      UNION ALL SELECT 't ' || tgrelid::regclass::text || ' ' || tgname || ' '
             || tgenabled::text FROM pg_trigger WHERE NOT tgisinternal
      UNION ALL SELECT 'n ' || nspname FROM pg_namespace
        WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
    ) AS schema
    """
)
TABLES = text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
# The schema create_all built at the start of this run; None until then.
built_digest: list[str] = []


def clean_postgres(engine: Engine) -> None:
    """Leave the public schema as create_all builds it, with no rows in it.

    Dropping and rebuilding the schema costs a tenth of a second a test, so a
    schema that is still the one built earlier is only emptied (see
    ``empty_rows``); a test that changed it (a migration, a dropped index) gets
    it rebuilt.
    """
    with engine.begin() as connection:
        # Pooled connections wait idle and hold no locks: only others are ended.
        end_other_sessions(connection, idle_too=False)
        digest = connection.execute(SCHEMA_DIGEST).scalar_one()
        emptied = bool(built_digest) and digest == built_digest[0]
        written = empty_rows(connection) if emptied else []
    if emptied:
        if written:
            # VACUUM cuts each emptied table back to no pages, so the next test's
            # rows are stored, and read back without ORDER BY, in the order they
            # were written, as after a TRUNCATE (DELETE alone leaves gaps that
            # later rows fill: tests reading "the first site" saw another).
            vacuum = engine.execution_options(isolation_level="AUTOCOMMIT")
            with vacuum.connect() as connection:
                tables = ", ".join(f'"{name}"' for name in written)
                connection.execute(text(f"VACUUM {tables}"))
        return
    reset_postgres(engine)
    SQLModel.metadata.create_all(engine)
    with engine.connect() as connection:
        built_digest[:] = [connection.execute(SCHEMA_DIGEST).scalar_one()]


# Sequences restart at 1 (tests name /sessions/1): every sequence in the schema.
RESTART_SEQUENCES = text(
    "SELECT setval(oid, 1, false) FROM pg_class "
    "WHERE relkind = 'S' AND relnamespace = 'public'::regnamespace"
)


def empty_rows(connection: Connection) -> list[str]:
    """Delete the rows of the tables that have any, restart the sequences; name them.

    A test writes to a few of the schema's tables: DELETE on those (and a VACUUM,
    see ``clean_postgres``) costs a fifth of a TRUNCATE of them all, which makes
    every table a new file. The superuser the test cluster runs as deletes with
    triggers and foreign keys off (session_replication_role), so the audit
    table's append-only guard and the order of the tables do not matter; anyone
    else gets TRUNCATE.
    """
    names = list(connection.execute(TABLES).scalars())
    probe = " UNION ALL ".join(
        f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names
    )
    written = list(connection.execute(text(probe)).scalars()) if names else []
    superuser = connection.execute(text("SHOW is_superuser")).scalar_one() == "on"
    if written and superuser:
        connection.execute(text("SET LOCAL session_replication_role = replica"))
        for name in written:
            connection.execute(text(f'DELETE FROM "{name}"'))
    elif written:
        tables = ", ".join(f'"{name}"' for name in written)
        # The audit table refuses TRUNCATE in production; a test's data may go.
        connection.execute(
            text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_truncate")
        )
        connection.execute(text(f"TRUNCATE {tables} CASCADE"))
        connection.execute(
            text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_truncate")
        )
        written = []  # TRUNCATE left new, empty files: nothing to vacuum
    connection.execute(RESTART_SEQUENCES)
    return written


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine | None]:
    if not PG_URL:
        yield None
        return
    if PG_URL != BASE_PG_URL:
        create_database_if_missing(BASE_PG_URL, make_url(PG_URL).database or "")
    engine = build_engine(PG_URL)
    yield engine
    engine.dispose()


def create_database_if_missing(admin_url: str, name: str) -> None:
    admin = build_engine(admin_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if exists is None:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template() -> Iterator[sqlite3.Connection]:
    """An in-memory database with the tables and the catalogue, built once."""
    engine = build_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        load_catalogue(session)
    with engine.connect() as connection:
        template = connection.connection.driver_connection
        assert isinstance(template, sqlite3.Connection)
        yield template
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file the migrations built, once per worker: copy it, never open it.

    Running the migrations costs a quarter of a second; ``copy_sqlite`` gives a
    test the same database in a thousandth of that.
    """
    path = tmp_path_factory.mktemp("migrated") / "planner.db"
    engine = build_engine(f"sqlite:///{path}")
    try:
        upgrade_database(engine)
    finally:
        engine.dispose()
    return path


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy a SQLite database into a new file, page by page."""
    original = sqlite3.connect(source)
    copied = sqlite3.connect(target)
    with closing(original), closing(copied):
        original.backup(copied)


def schema_engine(db_url: str, path: Path, migrated: Path | None) -> Engine:
    """Return an engine on a schema the migrations built, or create_all if None.

    On SQLite the database is the file ``path``: a copy of ``migrated``. On
    PostgreSQL ``db_url`` left the empty tables create_all builds, which the
    migrations replace.
    """
    if db_url == "sqlite://":
        if migrated is not None:
            copy_sqlite(migrated, path)
        engine = build_engine(f"sqlite:///{path}")
    else:
        engine = build_engine(db_url)
        if migrated is not None:
            reset_postgres(engine)
            upgrade_database(engine)
    if migrated is None:
        SQLModel.metadata.create_all(engine)
    return engine


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, pg_engine: Engine | None) -> str:
    """The database each test runs on: in-memory SQLite, and PostgreSQL when set.

    On PostgreSQL the tables exist and are empty; on SQLite the app fixture
    copies them in.
    """
    if request.param == "postgresql":
        assert pg_engine is not None
        clean_postgres(pg_engine)
        return PG_URL
    return "sqlite://"


TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test",
    "LOGIN_MAX_FAILURES": 3,
    # Production keeps strong hashing (tests/unit/test_passwords.py).
    "PASSWORD_HASHING": "fast-for-tests",
    # create_all builds these schemas, with no Alembic version row to compare;
    # tests/services/test_schema_version.py checks migrated databases.
    "CHECK_SCHEMA": False,
}


@pytest.fixture(autouse=True)
def test_password_hashing() -> None:
    """Start every test on the test profile, whatever the last test's app set.

    The profile is process-wide and create_app sets it, but the apps here are
    built once per worker: after a test made an app with the production
    profile (tests/unit/test_passwords.py, a fault test), every later test in
    that worker hashed and checked each password at full strength, half a
    second per new user and login (test_chart_api: 10 s of CPU, not 3).
    """
    passwords.use_profile(TEST_CONFIG["PASSWORD_HASHING"])


@dataclass
class BuiltApp:
    """An app built once per worker and database, and what to put back after a test."""

    app: Flask
    config: dict[str, Any]
    extensions: frozenset[str]
    rules: int
    engine: Engine

    @classmethod
    def build(cls, db_url: str) -> "BuiltApp":
        app = create_app({**TEST_CONFIG, "DATABASE_URL": db_url})
        return cls(
            app,
            copy.deepcopy(dict(app.config)),
            frozenset(app.extensions),
            len(list(app.url_map.iter_rules())),
            get_engine(app),
        )

    def restore(self) -> bool:
        """Put back the config, the engine, drop what the test cached.

        False if the test added routes: the app cannot serve another test.
        """
        self.app.config.clear()
        self.app.config.update(copy.deepcopy(self.config))
        for key in set(self.app.extensions) - self.extensions:
            del self.app.extensions[key]
        self.app.extensions["planner.engine"] = self.engine
        return len(list(self.app.url_map.iter_rules())) == self.rules


# Building an app costs 50 ms (its URL rules) and its templates compile again on
# first use: one app per database serves a worker's tests. Its one engine serves
# them too: SQLAlchemy caches each statement's compiled SQL per engine, and a new
# engine a test compiled every query again, a third of a service test's time. On
# SQLite each test gets its database afresh from the template (``reset_sqlite``).
# A test that changes the app's routes gets its own app (mark it own_app); the
# config, the engine and the extensions' caches are put back after each.
built_apps: dict[str, BuiltApp] = {}


def reset_sqlite(engine: Engine, template: sqlite3.Connection) -> None:
    """Make the engine's in-memory database a copy of the template, whole.

    The backup replaces every page (tables, indexes and rows a test left), ten
    times quicker than building the tables; the connection's own settings are
    put back as the engine's connect hook set them.
    """
    with engine.connect() as connection:
        target = connection.connection.driver_connection
        assert isinstance(target, sqlite3.Connection)
        if target.in_transaction:  # left open by a test that never closed it
            target.rollback()
        template.backup(target)
        target.execute("PRAGMA foreign_keys=ON")


@pytest.fixture
def app(
    request: pytest.FixtureRequest,
    db_url: str,
    tmp_path: Any,
    sqlite_template: sqlite3.Connection,
) -> Iterator[Flask]:
    own = request.node.get_closest_marker("own_app") is not None
    built = BuiltApp.build(db_url) if own else built_apps.get(db_url)
    if built is None:
        built = built_apps[db_url] = BuiltApp.build(db_url)
    app = built.app
    engine = built.engine
    app.instance_path = str(tmp_path / "instance")
    if db_url == "sqlite://":
        reset_sqlite(engine, sqlite_template)
    else:
        with Session(engine) as session:
            load_catalogue(session)
    try:
        yield app
    finally:
        if own:
            engine.dispose()
        elif not built.restore():
            engine.dispose()
            del built_apps[db_url]


@pytest.fixture(name="session")
def session_fixture(app: Flask) -> Iterator[Session]:
    with Session(get_engine(app), expire_on_commit=False) as session:
        yield session


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_patient(session: Session) -> Callable[..., Patient]:
    counter = iter(range(1, 1_000_000))

    def make(**overrides: Any) -> Patient:
        mrn = overrides.pop("mrn", f"MRN{next(counter):05d}")
        return factories.make_patient(session, SYSTEM, mrn, **overrides)

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    counter = iter(range(1, 1_000_000))

    def make(role: Role = Role.INJECTOR, **overrides: Any) -> User:
        number = next(counter)
        data = {
            "email": f"user{number}@example.org",
            "name": f"Test User {number}",
            "role": role.value,
            "password": PASSWORD,
            **overrides,
        }
        return create_user(session, SYSTEM, **data)

    return make


@pytest.fixture
def injector(make_user: Callable[..., User]) -> Actor:
    """Return the actor of a new injector."""
    user = make_user(Role.INJECTOR)
    return Actor(user.id, user.email)


def assert_shows(page: str, *parts: str) -> None:
    """Assert that every part appears in the page, naming the first missing one."""
    for part in parts:
        assert part in page, f"{part!r} not in the page"


CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


class Browser:
    """A test client that logs in and sends CSRF tokens as the real pages do."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.token = ""

    def refresh_token(self, path: str = "/login") -> str:
        page = self.client.get(path, follow_redirects=True).get_data(as_text=True)
        found = CSRF_META.search(page) or CSRF_INPUT.search(page)
        assert found, f"no CSRF token on {path}"
        self.token = found.group(1)
        return self.token

    def login(self, email: str, password: str = PASSWORD) -> Any:
        self.refresh_token("/login")
        response = self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": self.token},
        )
        self.refresh_token("/patients/")
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post_form(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        return self.client.post(path, data={**data, "csrf_token": self.token}, **kwargs)

    def api(self, method: str, path: str, json: Any = None, **kwargs: Any) -> Any:
        headers = {"X-CSRFToken": self.token, **kwargs.pop("headers", {})}
        return self.client.open(
            path, method=method, json=json, headers=headers, **kwargs
        )


@pytest.fixture
def browser(client: FlaskClient) -> Browser:
    return Browser(client)


@pytest.fixture
def login_as(app: Flask, make_user: Callable[..., User]) -> Callable[..., Browser]:
    """Return a function giving a logged-in Browser for a new user of a role."""

    def login(role: Role = Role.INJECTOR) -> Browser:
        user = make_user(role)
        browser = Browser(app.test_client())
        response = browser.login(user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return browser

    return login
