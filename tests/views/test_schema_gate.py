"""Every request answers 503, never a 500, while the database is behind the code.

A clinic that updated planner and forgot ``init-db`` (or ``make run``, which
runs it) had a 500 on every page that read a changed table; only /healthz said
why. Each page now says so, plainly, and the API answers JSON with the same
reason; at head both answer 200. The database here is migrated to the revision
before the code's head, on SQLite and on PostgreSQL.
"""

import re

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text

from planner import schema_gate
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import alembic_config
from planner.migrate import head_revision
from planner.schema_gate import NEEDS_NEWER_PLANNER
from planner.schema_gate import NEEDS_UPDATE
from tests.conftest import PASSWORD
from tests.conftest import PG_URL
from tests.conftest import Browser
from tests.conftest import reset_postgres
from tests.factories import make_app

pytestmark = pytest.mark.pg

HEAD = head_revision(build_engine("sqlite://"))
EMAIL = "admin@example.org"
PAGE = "/schedule/"
API = "/api/v1/patients"


def before_head() -> str:
    """Return the revision one before the code's head."""
    scripts = ScriptDirectory.from_config(alembic_config(build_engine("sqlite://")))
    down = scripts.get_revision(HEAD).down_revision
    assert isinstance(down, str)
    return down


@pytest.fixture
def clinic(db_url, tmp_path):
    """An app that checks its schema, on an empty database of its own."""
    url = f"sqlite:///{tmp_path / 'planner.db'}" if db_url == "sqlite://" else db_url
    app = make_app(url, instance_path=tmp_path / "instance")
    if url == PG_URL:
        reset_postgres(get_engine(app))
    yield app
    get_engine(app).dispose()


def migrate_to(app, revision):
    command.upgrade(alembic_config(get_engine(app)), revision)


def init_db_and_admin(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        args=[
            "create-user",
            *("--email", EMAIL, "--name", "Admin", "--role", "admin"),
            *("--password", PASSWORD),
        ]
    )
    assert result.exit_code == 0, result.output


def logged_in(app) -> Browser:
    browser = Browser(app.test_client())
    assert browser.login(EMAIL).status_code == 302
    return browser


NEEDS_UPDATE_HTML = (
    "The database needs updating: an administrator runs "
    "<code>flask --app planner init-db</code> (or <code>make run</code>)."
)


def says_needs_update(response, revision):
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "<h1>The database needs updating</h1>" in page
    # The message's commands are shown as code, not between backquotes.
    assert NEEDS_UPDATE.replace("`", "") == re.sub(r"</?code>", "", NEEDS_UPDATE_HTML)
    assert NEEDS_UPDATE_HTML in page
    assert "`" not in page
    assert f"the database is at migration {revision}, this planner needs {HEAD}" in page
    assert "Traceback" not in page


def says_needs_update_in_json(response, revision):
    assert response.status_code == 503
    assert response.get_json() == {
        "error": NEEDS_UPDATE,
        "schema": f"the database is at migration {revision}, this planner needs "
        f"{HEAD}: run `flask --app planner init-db`",
    }


def test_a_database_one_migration_behind_answers_503_until_init_db(clinic):
    previous = before_head()
    migrate_to(clinic, previous)
    client = clinic.test_client()
    # Before the login: its page and its check read the users' tables.
    says_needs_update(client.get("/login"), previous)
    says_needs_update(client.get(PAGE), previous)
    says_needs_update(
        client.post("/login", data={"email": EMAIL, "password": PASSWORD}), previous
    )
    says_needs_update_in_json(client.get(API), previous)
    says_needs_update_in_json(
        client.get(PAGE, headers={"Accept": "application/json"}), previous
    )
    # /healthz keeps its own answer for load balancers.
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.get_json()["schema"].startswith(
        f"the database is at migration {previous}"
    )
    with client.get("/static/css/app.css") as static:
        assert static.status_code == 200

    init_db_and_admin(clinic)
    browser = logged_in(clinic)
    assert browser.get(PAGE).status_code == 200
    assert browser.get(API).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_the_verdict_is_kept_once_the_schema_fits(clinic, monkeypatch):
    init_db_and_admin(clinic)
    browser = logged_in(clinic)
    assert browser.get(PAGE).status_code == 200

    def no_check(*_args, **_kwargs):
        raise AssertionError("the schema was checked again")

    monkeypatch.setattr(schema_gate, "schema_mismatch", no_check)
    for _ in range(3):
        assert browser.get(PAGE).status_code == 200
        assert browser.get(API).status_code == 200


def test_a_database_error_checks_again_and_answers_503_not_500(clinic):
    init_db_and_admin(clinic)
    browser = logged_in(clinic)
    assert browser.get(PAGE).status_code == 200
    # An older backup restored under the running planner: the verdict it kept
    # is stale, and the page's query fails on the missing column. The worklist
    # reads appointment.no_rebooking_reason, which 0023 added: step below it,
    # whatever migrations come after.
    previous = "0022"
    command.downgrade(alembic_config(get_engine(clinic)), previous)
    says_needs_update(browser.get(PAGE), previous)
    says_needs_update_in_json(browser.get(API), previous)
    migrate_to(clinic, "head")
    assert browser.get(PAGE).status_code == 200
    assert browser.get(API).status_code == 200


def test_a_database_a_newer_planner_migrated_says_to_update_planner(clinic):
    init_db_and_admin(clinic)
    with get_engine(clinic).begin() as connection:
        connection.execute(
            text("UPDATE alembic_version SET version_num = 'zzzz_future'")
        )
    client = clinic.test_client()
    page = client.get("/login")
    assert page.status_code == 503
    assert NEEDS_NEWER_PLANNER in page.get_data(as_text=True)
    answer = client.get(API)
    assert answer.status_code == 503
    assert answer.get_json()["error"] == NEEDS_NEWER_PLANNER
