"""The integrity check itself: quiet on a sound database, loud on each kind of damage.

Each test damages a small demo clinic the way a bug could (raw SQL, behind the
services' backs) and expects ``integrity_problems`` to name the damage.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import text

from planner.db import get_engine
from planner.demo import seed_demo
from tests.fuzz.integrity import Baseline
from tests.fuzz.integrity import integrity_problems
from tests.fuzz.integrity import take_baseline

NOW = datetime(2026, 3, 2, 10, tzinfo=UTC)


@pytest.fixture
def demo(app: Flask) -> tuple[Engine, Baseline]:
    """A few patients with signed cycles, and the baseline taken over them."""
    engine = get_engine(app)
    seed_demo(engine, patients=3, cycles=2, seed=5, now=NOW)
    return engine, take_baseline(engine)


def signed_site(connection: Connection) -> int:
    site_id: int = connection.execute(
        text(
            "SELECT s.id FROM injection_site s JOIN treatment_session t"
            " ON t.id = s.session_id WHERE t.status = 'signed' ORDER BY s.id LIMIT 1"
        )
    ).scalar_one()
    return site_id


def test_a_sound_database_has_no_problems(demo: tuple[Engine, Baseline]) -> None:
    engine, baseline = demo
    assert baseline.audit
    assert baseline.signed_sites
    assert integrity_problems(engine, baseline) == []


@pytest.mark.audit_exempt("deliberate unaudited damage", tables=["injection_site"])
def test_a_signed_dose_changed_without_amendment_is_found(
    demo: tuple[Engine, Baseline],
) -> None:
    engine, baseline = demo
    with engine.begin() as connection:
        site_id = signed_site(connection)
        connection.execute(
            text("UPDATE injection_site SET units = units + 1 WHERE id = :id"),
            {"id": site_id},
        )
    problems = integrity_problems(engine, baseline)
    assert f"site {site_id} of signed session changed unamended" in problems


@pytest.mark.audit_exempt("deliberate unaudited damage", tables=["injection_site"])
def test_a_site_touched_after_signing_without_amendment_is_found(
    demo: tuple[Engine, Baseline],
) -> None:
    engine, _baseline = demo
    with engine.begin() as connection:
        site_id = signed_site(connection)
        connection.execute(
            text("UPDATE injection_site SET updated_at = :later WHERE id = :id"),
            {"id": site_id, "later": datetime.now(UTC) + timedelta(days=400)},
        )
    # A fresh baseline: only the timestamps can tell.
    problems = integrity_problems(engine, take_baseline(engine))
    assert f"site {site_id} changed after signing with no amendment" in problems


@pytest.mark.audit_exempt("deliberate unaudited damage", tables=["patient"])
def test_a_version_below_one_is_found(demo: tuple[Engine, Baseline]) -> None:
    engine, baseline = demo
    with engine.begin() as connection:
        connection.execute(text("UPDATE patient SET version = 0"))
    assert "3 patient rows have a version below 1" in integrity_problems(
        engine, baseline
    )


@pytest.mark.audit_exempt("deliberate damage to the audit trail itself")
def test_a_lost_audit_row_and_its_missing_guard_are_found(
    demo: tuple[Engine, Baseline],
) -> None:
    engine, baseline = demo
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("DROP TRIGGER audit_event_no_delete"))
            guard = "audit_event_no_delete"
        else:
            connection.execute(
                text("DROP TRIGGER audit_event_no_change ON audit_event")
            )
            guard = "audit_event_no_change"
        first = min(baseline.audit)
        connection.execute(
            text("DELETE FROM audit_event WHERE id = :id"), {"id": first}
        )
    problems = integrity_problems(engine, baseline)
    assert f"audit guard trigger missing: {guard}" in problems
    assert f"audit rows disappeared: [{first}]" in problems
    assert any(problem.startswith("audit rows fell from") for problem in problems)


@pytest.mark.audit_exempt("deliberate orphan row", tables=["injection_site"])
def test_an_orphan_row_and_an_unchecked_key_are_found(
    demo: tuple[Engine, Baseline],
) -> None:
    engine, baseline = demo
    orphan = (
        "INSERT INTO injection_site (session_id, number, muscle, side, role, x, y,"
        " units, version, created_at, updated_at) VALUES (999999, 1, 'mentalis',"
        " 'left', 'affected', 1, 1, 2, 1, :now, :now)"
    )
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("PRAGMA foreign_keys = OFF"))
            connection.execute(text(orphan), {"now": NOW})
            connection.execute(text("PRAGMA foreign_keys = ON"))
        else:
            name = connection.execute(
                text(
                    "SELECT conname FROM pg_constraint WHERE contype = 'f'"
                    " AND conrelid = 'injection_site'::regclass"
                    " AND pg_get_constraintdef(oid) LIKE 'FOREIGN KEY (session_id)%'"
                )
            ).scalar_one()
            connection.execute(
                text(f"ALTER TABLE injection_site DROP CONSTRAINT {name}")
            )
            connection.execute(text(orphan), {"now": NOW})
            connection.execute(
                text(
                    f"ALTER TABLE injection_site ADD CONSTRAINT {name} FOREIGN KEY"
                    " (session_id) REFERENCES treatment_session (id) NOT VALID"
                )
            )
    problems = integrity_problems(engine, baseline)
    assert "1 injection_site rows name a missing treatment_session (session_id)" in (
        problems
    )
    if engine.dialect.name == "sqlite":
        assert any(p.startswith("PRAGMA foreign_key_check") for p in problems)
    else:
        assert "foreign key on injection_site(session_id) not validated" in problems
