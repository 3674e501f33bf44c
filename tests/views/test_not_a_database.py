"""A database file that is not a database answers the readable 503, never a 500.

The schema gate answered only OperationalError and ProgrammingError: a file
that is not a database raises SQLAlchemy's base DatabaseError, so once the
schema's verdict was kept (the clinic's file replaced under a running planner)
every page was a 500. Before any verdict the page said to try again in a
minute, which no wait mends.
"""

from pathlib import Path

import pytest

from planner.db import get_engine
from planner.schema_gate import NOT_A_DATABASE
from tests.conftest import Browser
from tests.factories import make_app
from tests.views.test_schema_gate import API
from tests.views.test_schema_gate import EMAIL
from tests.views.test_schema_gate import PAGE
from tests.views.test_schema_gate import init_db_and_admin

NOTES = "these are someone's notes, not a database\n" * 50


@pytest.fixture
def app(tmp_path):
    app = make_app(f"sqlite:///{tmp_path / 'p.db'}", instance_path=tmp_path / "i")
    yield app
    get_engine(app).dispose()


def replace_with_notes(app, database: Path) -> None:
    get_engine(app).dispose()
    for companion in ("-wal", "-shm"):
        database.with_name(database.name + companion).unlink(missing_ok=True)
    database.write_text(NOTES)


def says_not_a_database(browser: Browser) -> None:
    page = browser.get(PAGE)
    assert page.status_code == 503
    text = page.get_data(as_text=True)
    assert "<h1>The database cannot be read</h1>" in text
    assert "is not a database: an administrator checks PLANNER_DATABASE_URL" in text
    api = browser.client.get(API, headers={"Accept": "application/json"})
    assert api.status_code == 503
    assert api.get_json() == {"error": NOT_A_DATABASE}


def test_a_file_that_is_not_a_database_says_so_from_the_first_page(app, tmp_path):
    (tmp_path / "p.db").write_text(NOTES)
    says_not_a_database(Browser(app.test_client()))
    assert (tmp_path / "p.db").read_text() == NOTES


def test_a_file_replaced_under_a_running_planner_is_a_503_not_a_500(app, tmp_path):
    init_db_and_admin(app)
    browser = Browser(app.test_client())
    assert browser.login(EMAIL).status_code == 302
    assert browser.get(PAGE).status_code == 200
    replace_with_notes(app, tmp_path / "p.db")
    says_not_a_database(browser)
