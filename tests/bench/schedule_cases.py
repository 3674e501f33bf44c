"""Benchmark rows for the follow-up worklist at two sizes, to show how it scales."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text

from planner import create_app
from planner.db import build_engine


def _appointments(url: str) -> int:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT count(*) FROM appointment")
                ).scalar_one()
            )
    finally:
        engine.dispose()


def worklist_scaling(
    client: FlaskClient,
    url: str,
    *,
    small_path: Path,
    prepare: Callable[[Path], str],
    log_in: Callable[[FlaskClient, str], None],
    measure: Callable[[str, Callable[[], Any]], dict[str, Any]],
) -> list[dict[str, Any]]:
    """Time GET /schedule/ on the main database and on one a tenth its size.

    ``measure(name, call)`` times the call and returns the table row (run.py's).
    """
    small_url = prepare(small_path)
    small_app = create_app(
        {"DATABASE_URL": small_url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    small_client = small_app.test_client()
    log_in(small_client, small_url)
    rows = []
    for label, target, database in (
        ("large", client, url),
        ("small", small_client, small_url),
    ):
        count = _appointments(database)
        name = f"GET /schedule/ ({count:,} appointments, {label})"
        rows.append(measure(name, lambda target=target: target.get("/schedule/")))
    return rows
