"""Benchmark row for a batch recall: a lot given to 3 of 1,000 seeded patients.

The lot is planted through the services (open, chart and sign a session for
each of three patients spread over the table) in the 1,000-patient database the
worklist rows use, with a lot number new to each run. The row is the whole
request: look the lot up across every vial, gather the sessions and sites,
write an audit event per patient named, commit and render the page. Before it
is timed, the answer is checked to name exactly the three patients. Target
(issue 21): under 100 ms; run.py prints it beside the bare-Flask read floor.
"""

import re
import uuid
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import create_app
from planner.db import build_engine
from planner.models import Patient
from planner.models import Role
from planner.models import User
from planner.services.audit import Actor
from tests.factories import make_treatment

RECALLED_PATIENTS = 3
TARGET_MS = 100


def plant_recall_lot(
    session: Session, actor: Actor, lot_number: str, *, count: int = RECALLED_PATIENTS
) -> list[int]:
    """Give ``count`` patients, spread over the table, a signed session from a lot."""
    ids = list(session.exec(select(Patient.id).order_by(col(Patient.id))).all())
    step = max(len(ids) // count, 1)
    chosen = [int(i) for i in ids[step // 2 :: step][:count] if i is not None]
    when = datetime.now(UTC)
    for patient_id in chosen:
        make_treatment(
            session,
            actor,
            patient_id,
            [("mentalis", "left", 2.5), ("depressor_anguli_oris", "left", 2.5)],
            when=when,
            sign=True,
            kind="full",
            lot_number=lot_number,
        )
    return chosen


def _bench_actor(session: Session, email: str) -> Actor:
    user = session.exec(select(User).where(User.email == email)).one()
    assert user.role == Role.INJECTOR
    return Actor(user.id, user.email)


def named_patients(page: str) -> set[int]:
    """Read the patient ids a recall page links to."""
    return {int(found) for found in re.findall(r'href="/patients/(\d+)"', page)}


def register_stock_cases(
    *,
    small_path: Path,
    prepare: Callable[[Path], str],
    log_in: Callable[[FlaskClient, str], None],
    bench_email: str,
    register: Any,
) -> None:
    """Plant a recalled lot in the 1,000-patient database and register its row."""
    url = prepare(small_path)
    app = create_app(
        {"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False}
    )
    client = app.test_client()
    log_in(client, url)
    lot = f"RECALL-{uuid.uuid4().hex[:8].upper()}"
    engine = build_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            patients = plant_recall_lot(
                session, _bench_actor(session, bench_email), lot
            )
            total = len(session.exec(select(Patient.id)).all())
    finally:
        engine.dispose()
    page = client.get(
        "/stock/recall", query_string={"product": "botox", "lot": lot.lower()}
    )
    found = named_patients(page.get_data(as_text=True))
    if page.status_code != 200 or found != set(patients):
        raise SystemExit(f"recall of {lot} named {sorted(found)}, not {patients}")
    register(
        f"GET /stock/recall ({RECALLED_PATIENTS} of {total:,} patients; "
        f"target < {TARGET_MS} ms)",
        lambda _b, _i: client.get(
            "/stock/recall", query_string={"product": "botox", "lot": lot}
        ),
    )
