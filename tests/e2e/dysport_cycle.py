"""A Dysport cycle seeded in the live server's database, at a chosen interval.

The e2e tests of the product's own interval (tests/e2e/test_top_up_*_e2e.py) each
need the same start: a clinic admin sets Dysport's minimum interval the day
before a signed Dysport full treatment some clinic days ago, optionally with a
top-up charted now and the interval changed after it.
"""

from dataclasses import dataclass
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlmodel import Session

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.settings import get_setting
from planner.services.settings import update_setting
from planner.services.users import create_user
from tests.e2e.conftest import LiveServer
from tests.e2e.live_db import injector
from tests.e2e.live_db import live_session
from tests.factories import ZONE
from tests.factories import make_patient
from tests.factories import make_treatment

KEY = "min_interval_days.dysport"
DYSPORT = {"product": "dysport", "vial_units": 300}
BOTOX = {"product": "botox", "vial_units": 100}


@dataclass(frozen=True)
class DysportCycle:
    patient_id: int
    top_up_id: int | None


def set_interval(session: Session, desk: Actor, days: int, when: datetime) -> None:
    version = get_setting(session, KEY).version
    update_setting(session, desk, KEY, str(days), version=version, now=when, zone=ZONE)


def dysport_cycle(
    server: LiveServer,
    mrn: str,
    *,
    days_ago: int,
    interval: int,
    top_up: bool = False,
    interval_after: int | None = None,
    top_up_product: str = "dysport",
) -> DysportCycle:
    """Sign a new patient's Dysport treatment ``days_ago`` clinic days ago (noon)
    with Dysport's interval at ``interval``; with ``top_up``, chart a top-up now;
    with ``interval_after``, change the interval to it afterwards. The top-up is
    in ``top_up_product`` (Dysport unless said), in its own units."""
    now = utc_now()
    given = datetime.combine(
        clinic_today(ZONE, now) - timedelta(days=days_ago), time(12, 0), tzinfo=ZONE
    )
    with live_session(server) as session:
        admin = create_user(
            session,
            SYSTEM,
            email=f"e2e.admin.{mrn.lower()}@example.org",
            name="Ada Admin",
            role="admin",
            password="settings at the desk 2024",
        )
        desk = Actor(admin.id, admin.email)
        set_interval(session, desk, interval, given - timedelta(days=1))
        actor = injector(session, server)
        patient = make_patient(
            session, actor, mrn, given_name="Ines", affected_side="left"
        )
        assert patient.id is not None
        make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", 10)],
            when=given,
            sign=True,
            lot_number="D1",
            **DYSPORT,
        )
        top_up_id = None
        if top_up:
            charted = make_treatment(
                session,
                actor,
                patient.id,
                [("mentalis", "left", 5 if top_up_product == "dysport" else 2)],
                when=now,
                kind="top_up",
                lot_number="D2",
                **(DYSPORT if top_up_product == "dysport" else BOTOX),
            )
            top_up_id = charted.id
        if interval_after is not None:
            set_interval(session, desk, interval_after, now)
        return DysportCycle(patient.id, top_up_id)
