"""Deterministic synthetic clinic data for demonstrations and benchmarks.

``seed_demo`` adds patients to whatever the database holds already. Everything
is drawn from one seeded numpy generator, so the same seed on the same database
state gives the same rows. ``now`` is only the anchor the history is laid back
from. Rows are built column-wise for the whole run and written with Core bulk
inserts, a few thousand patients per transaction.
"""

import re
import secrets
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentKind
from planner.demo.appointments import build_appointment_rows
from planner.demo.clock import day_number
from planner.demo.clock import utc_seconds
from planner.demo.consents import DemoForm
from planner.demo.consents import build_consent_rows
from planner.demo.consents import build_research_consent_rows
from planner.demo.outcomes import CycleTimes
from planner.demo.outcomes import build_adverse_rows
from planner.demo.outcomes import build_assessment_rows
from planner.demo.outcomes import build_response_rows
from planner.demo.outcomes import draw_adverse
from planner.demo.outcomes import draw_severity
from planner.demo.people import MRN_PREFIX
from planner.demo.people import draw_cohort
from planner.demo.sites import build_site_rows
from planner.demo.sites import draw_plans
from planner.demo.tables import Rows
from planner.demo.tables import chunk_bounds
from planner.demo.tables import insert_chunk
from planner.demo.timeline import draw_cycle_counts
from planner.demo.timeline import draw_full_sessions
from planner.demo.timeline import draw_review_seconds
from planner.demo.timeline import draw_reviews
from planner.demo.timeline import order_sessions
from planner.demo.treatments import Catalogue
from planner.demo.treatments import build_treatments
from planner.demo.treatments import draw_full_products
from planner.demo.treatments import read_catalogue
from planner.models import AuditAction
from planner.models import Patient
from planner.models import Role
from planner.models import User
from planner.passwords import hash_password
from planner.services.audit import SYSTEM
from planner.services.audit import record_event
from planner.services.catalogue import load_catalogue
from planner.services.consent_forms import current_form

__all__ = ["DEMO_INJECTOR_EMAIL", "seed_demo"]

DEMO_INJECTOR_EMAIL = "demo.injector@example.org"
# The config's default clinic zone; demo times are laid out in clinic hours.
CLINIC_TIMEZONE = "Europe/London"
# Patients per transaction: few commits, since each one syncs the disk.
CHUNK_PATIENTS = 2_500
_DEMO_MRN = re.compile(rf"^{MRN_PREFIX}(\d+)$")


@dataclass(frozen=True)
class DemoRows:
    """Every table's rows for one run, parents first."""

    patients: Rows
    lots: Rows
    sessions: Rows
    sites: Rows
    consents: Rows
    research_consents: Rows
    assessments: Rows
    appointments: Rows
    responses: Rows
    adverse_events: Rows

    def in_insert_order(self) -> list[Rows]:
        return [
            self.patients,
            self.lots,
            self.sessions,
            self.sites,
            self.consents,
            self.research_consents,
            self.assessments,
            self.responses,
            self.adverse_events,
            self.appointments,
        ]

    def counts(self) -> dict[str, int]:
        return {
            "patients": len(self.patients),
            "sessions": len(self.sessions),
            "sites": len(self.sites),
            "assessments": len(self.assessments),
            "appointments": len(self.appointments),
            "vial_lots": len(self.lots),
            "responses": len(self.responses),
            "adverse_events": len(self.adverse_events),
        }


def seed_demo(
    engine: Engine,
    *,
    patients: int,
    cycles: int,
    seed: int,
    now: datetime,
    clinic_timezone: str = CLINIC_TIMEZONE,
) -> dict[str, int]:
    """Add synthetic patients with treatment cycles, outcomes and follow-up.

    :return: how many rows of each kind were added.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    with Session(engine) as session:
        load_catalogue(session)
        injectors = ensure_injectors(session)
        forms = {}
        for kind in (ConsentKind.TREATMENT, ConsentKind.RESEARCH):
            found = current_form(session, kind)
            assert found.id is not None
            forms[kind] = DemoForm(found.id, found.version)
        session.commit()
    with engine.connect() as connection:
        first_number = next_demo_number(connection)
        catalogue = read_catalogue(connection)
    # Mixing in the first MRN number keeps a second run with the same seed from
    # repeating the first run's people (and its vial lots' unique timestamps).
    rng = np.random.default_rng([seed, first_number])
    rows = build_demo_rows(
        rng,
        patients=patients,
        cycles=cycles,
        today=day_number(now),
        first_number=first_number,
        injectors=injectors,
        catalogue=catalogue,
        zone=clinic_timezone,
        forms=forms,
    )
    owned = {"patient": rows.patients, "lot": rows.lots, "session": rows.sessions}
    for start, stop in chunk_bounds(patients, CHUNK_PATIENTS):
        with engine.begin() as connection:
            insert_chunk(connection, rows.in_insert_order(), owned, start, stop)
    counts = rows.counts()
    with Session(engine) as session:
        record_event(
            session,
            SYSTEM,
            AuditAction.SEED,
            "demo",
            None,
            after={
                **counts,
                "seed": seed,
                "cycles": cycles,
                "first_mrn_number": first_number,
            },
        )
        session.commit()
    return counts


def ensure_injectors(session: Session) -> list[int]:
    """Return the active injectors' ids, adding a demo injector if there is none."""
    found = session.exec(
        select(User.id)
        .where(col(User.role) == Role.INJECTOR, col(User.active).is_(True))
        .order_by(col(User.id))
    ).all()
    ids = [user_id for user_id in found if user_id is not None]
    if ids:
        return ids
    user = session.exec(select(User).where(User.email == DEMO_INJECTOR_EMAIL)).first()
    if user is None:
        user = User(
            email=DEMO_INJECTOR_EMAIL,
            name="Demo Injector",
            role=Role.INJECTOR,
            # Nobody logs in as the demo author, so the password is thrown away.
            password_hash=hash_password(secrets.token_urlsafe()),
        )
        session.add(user)
        session.commit()
    assert user.id is not None
    return [user.id]


def next_demo_number(connection: Connection) -> int:
    """Return the number after the highest demo MRN in the database."""
    mrns = connection.execute(
        select(Patient.mrn).where(col(Patient.mrn).like(f"{MRN_PREFIX}%"))
    ).scalars()
    numbers = [int(match[1]) for mrn in mrns if (match := _DEMO_MRN.match(mrn))]
    return max(numbers, default=0) + 1


def build_demo_rows(
    rng: np.random.Generator,
    *,
    patients: int,
    cycles: int,
    today: int,
    first_number: int,
    injectors: list[int],
    catalogue: Catalogue,
    zone: str,
    forms: dict[ConsentKind, DemoForm],
) -> DemoRows:
    """Draw the whole run's rows; ids are given out later, chunk by chunk."""
    full = draw_full_sessions(rng, draw_cycle_counts(rng, patients, cycles), today)
    reviews = draw_reviews(rng, full, today)
    sessions = order_sessions(full, reviews)
    first_day = np.full(patients, today, dtype=np.int64)
    opening = full.cycle == 1
    first_day[full.patient[opening]] = full.day[opening]
    cohort = draw_cohort(
        rng,
        first_number=first_number,
        first_day=first_day,
        today=today,
        injectors=injectors,
        zone=zone,
    )
    performed = utc_seconds(sessions.day, sessions.local_seconds, zone)
    treatments = build_treatments(
        rng,
        sessions=sessions,
        full_product=draw_full_products(rng, full, patients, catalogue),
        performed=performed,
        cohort=cohort,
        catalogue=catalogue,
    )
    sites = build_site_rows(
        rng,
        plan=draw_plans(rng, cohort),
        sessions=sessions,
        factor=catalogue.factors[treatments.product],
        performed_at=treatments.performed_at,
    )
    times = CycleTimes(
        full=full,
        reviews=reviews,
        performed=performed[sessions.of_full],
        review=draw_review_seconds(rng, reviews, sessions, zone),
        session=sessions.of_full,
        today=today,
    )
    adverse = draw_adverse(rng, times)
    return DemoRows(
        patients=cohort.rows,
        lots=treatments.lots,
        sessions=treatments.sessions,
        sites=sites,
        consents=build_consent_rows(
            sessions, performed, cohort, forms[ConsentKind.TREATMENT]
        ),
        # A generator of its own: the other tables' draws stay as they were.
        research_consents=build_research_consent_rows(
            rng.spawn(1)[0], sessions, performed, cohort, forms[ConsentKind.RESEARCH]
        ),
        assessments=build_assessment_rows(
            rng, times, cohort, draw_severity(rng, times, cohort)
        ),
        appointments=build_appointment_rows(rng, times, cohort, zone),
        responses=build_response_rows(rng, times, cohort, adverse),
        adverse_events=build_adverse_rows(rng, times, cohort, adverse),
    )
