"""Build records for tests through the services, with sensible defaults.

Each factory takes the session and the actor explicitly and accepts keyword
overrides; conftest.py wraps the common ones as fixtures (``make_patient``).
"""

from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import Engine
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import create_app
from planner.consent import ConsentKind
from planner.db_types import utc_now
from planner.demo import seed_demo
from planner.facemap import load_face_map
from planner.facemap import reference_points
from planner.models import Appointment
from planner.models import Assessment
from planner.models import AuditEvent
from planner.models import ConsentRecord
from planner.models import Patient
from planner.models import TreatmentSession
from planner.services import chart as chart_service
from planner.services import consent as consent_service
from planner.services import consent_forms
from planner.services import consent_status
from planner.services import outcomes as outcome_service
from planner.services import safety
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import default_units
from planner.services.diary_tokens import link_key
from planner.services.patients import create_patient
from planner.services.research_export import export_csv

ZONE = ZoneInfo("Europe/London")
# The diary key of the test app (its SECRET_KEY is "test"): handouts print the link.
DIARY_KEY = link_key("test")
FACE_MAP = load_face_map(Path(__file__).resolve().parents[1] / "face_maps")

PATIENT_DEFAULTS: dict[str, Any] = {
    "given_name": "Ada",
    "family_name": "Okafor",
    "date_of_birth": date(1971, 5, 14),
    "sex": "female",
    "cause": "bells",
    "affected_side": "left",
}


def reference_point(muscle: str, side: str) -> tuple[float, float]:
    """Return the map's first reference point for a muscle on a side."""
    x, y = reference_points(FACE_MAP, FACE_MAP.muscle(muscle), side)[0]
    return float(x), float(y)


def tap_at(muscle: str, side: str) -> dict[str, float]:
    """Return a muscle's reference point as the chart API takes it."""
    x, y = reference_point(muscle, side)
    return {"x": x, "y": y}


def make_app(
    database_url: str,
    *,
    secret_key: str = "t",
    instance_path: Path | None = None,
    check_schema: bool = True,
) -> Flask:
    """A test app on a database of its own (a file, or a server's), not the
    suite's: passwords hashed fast, and its instance folder where told.

    ``check_schema=False`` for a schema create_all built: it has no Alembic
    version row, and every request would answer 503 (planner/schema_gate.py).
    """
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": secret_key,
            "PASSWORD_HASHING": "fast-for-tests",
            "CHECK_SCHEMA": check_schema,
        }
    )
    if instance_path is not None:
        app.instance_path = str(instance_path)
    return app


def make_patient(session: Session, actor: Actor, mrn: str, **overrides: Any) -> Patient:
    """Create a patient with the default demographics."""
    return create_patient(session, actor, {**PATIENT_DEFAULTS, "mrn": mrn, **overrides})


def make_demo_patient(
    engine: Engine, session: Session, *, patients: int, cycles: int, seed: int
) -> Patient:
    """Seed a demo clinic as of 1 November 2026 and return its first patient."""
    seed_demo(
        engine,
        patients=patients,
        cycles=cycles,
        seed=seed,
        now=datetime(2026, 11, 1, tzinfo=UTC),
    )
    first = session.exec(select(Patient).order_by(col(Patient.id))).first()
    assert first is not None
    return first


def treatment_form(when: datetime, **overrides: Any) -> dict[str, Any]:
    """Return the open-session form for a new vial; an override of None drops a key."""
    data = {
        "kind": "full",
        "product": "botox",
        "lot_choice": "new",
        "lot_number": "C1234AB",
        "expiry_date": "2027-06-30",
        "vial_units": 100,
        "diluent_ml": 2.5,
        "reconstituted_at": when.isoformat(),
        "consent_obtained": "true",
        **overrides,
    }
    return {key: value for key, value in data.items() if value is not None}


@dataclass
class Treatment:
    """A charted session: the record, its current version and the sites tapped."""

    record: TreatmentSession
    version: int
    sites: list[Any] = field(default_factory=list)

    @property
    def id(self) -> int:
        assert self.record.id is not None
        return self.record.id


def make_treatment(
    session: Session,
    actor: Actor,
    patient_id: int,
    sites: Iterable[tuple[str, str, float | None]] = (),
    *,
    when: datetime,
    sign: bool = False,
    reason: str = "Agreed with the patient.",
    reason_for_every_warning: bool = True,
    **form: Any,
) -> Treatment:
    """Open a session on a new vial, tap (muscle, side, units) sites, sign if asked.

    Signing gives ``reason`` for every warning shown, or only for those that
    need one when ``reason_for_every_warning`` is false.
    """
    record = session_service.open_session(
        session, actor, patient_id, treatment_form(when, **form), zone=ZONE, now=when
    )
    treatment = Treatment(record, record.version)
    for muscle, side, units in sites:
        data: dict[str, Any] = {**tap_at(muscle, side), "version": treatment.version}
        if units is not None:
            data["units"] = units
        treatment.version, site = chart_service.add_site(
            session,
            actor,
            treatment.id,
            data,
            face_map=FACE_MAP,
            default_units=default_units(session),
            now=when,
            zone=ZONE,
        )
        treatment.sites.append(site)
    if sign:
        sign_treatment(
            session,
            actor,
            treatment,
            when=when,
            reason=reason,
            reason_for_every_warning=reason_for_every_warning,
        )
    return treatment


# One chin site's usual dose (units) and the size of the vial it comes from.
CHIN_DOSES: dict[str, tuple[float, int]] = {"botox": (4, 100), "dysport": (10, 300)}


def sign_chin(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    when: datetime,
    lot_number: str,
    product: str = "botox",
    units: float | None = None,
) -> Treatment:
    """Sign a treatment of one site, mentalis on the left: the product's usual
    dose (or ``units``) from a vial of its usual size, with that lot number."""
    dose, vial = CHIN_DOSES[product]
    return make_treatment(
        session,
        actor,
        patient_id,
        [("mentalis", "left", dose if units is None else units)],
        when=when,
        sign=True,
        product=product,
        vial_units=vial,
        lot_number=lot_number,
    )


def proposed_treatment(
    session: Session, actor: Actor, patient_id: int, *, when: datetime
) -> Appointment:
    """Sign a full treatment on ``when``; return the re-treatment it proposes."""
    make_treatment(
        session, actor, patient_id, [("mentalis", "left", 4)], when=when, sign=True
    )
    return session.exec(
        select(Appointment).where(
            Appointment.patient_id == patient_id, Appointment.kind == "treatment"
        )
    ).one()


def give_consent(
    session: Session,
    actor: Actor,
    patient_id: int,
    *,
    when: datetime,
    kind: ConsentKind = ConsentKind.TREATMENT,
    name: str = "Ada Okafor",
) -> ConsentRecord:
    """Sign the kind's current form for the patient at ``when`` (typed signature)."""
    form = consent_forms.current_form(session, kind)
    return consent_service.sign_consent(
        session,
        actor,
        patient_id,
        kind,
        {
            "form_id": form.id,
            "printed_name": name,
            "method": "typed",
            "typed_confirm": True,
        },
        now=when,
    )


def ensure_consent(
    session: Session, actor: Actor, session_id: int, *, when: datetime
) -> None:
    """Give treatment consent before signing at ``when``, unless one is valid.

    Signing needs the patient's valid consent at the treatment time (issue 20);
    tests that sign a chart call this (through ``sign_treatment``) instead of
    each recording one. The consent is given when the chart was opened, so it
    covers a treatment signed on a later day.
    """
    record = session.get(TreatmentSession, session_id)
    assert record is not None
    treated_at = safety.treatment_time(record, when, ZONE)
    if consent_status.treatment_consent_errors(
        session, record, treated_at=treated_at, now=when, zone=ZONE
    ):
        given = min(record.performed_at, when)
        give_consent(session, actor, record.patient_id, when=given)


def sign_treatment(
    session: Session,
    actor: Actor,
    treatment: Treatment,
    *,
    when: datetime,
    reason: str = "Agreed with the patient.",
    reason_for_every_warning: bool = True,
) -> None:
    """Sign a charted draft, giving ``reason`` for the warnings shown.

    The warnings are the chair's checks themselves (what the chart state shows
    of a draft), without drawing the chart's map as the whole state would.
    """
    record = session.get(TreatmentSession, treatment.id)
    assert record is not None
    warnings = safety.check_chart(session, record, zone=ZONE, now=when)
    reasons = {
        safety.warning_key(w): reason
        for w in warnings
        if reason_for_every_warning or w.needs_reason
    }
    ensure_consent(session, actor, treatment.id, when=when)
    session_service.sign_session(
        session,
        actor,
        treatment.id,
        {"version": treatment.version, "consent_obtained": True, "reasons": reasons},
        zone=ZONE,
        now=when,
        diary_key=DIARY_KEY,
    )


def audit_events(session: Session, entity_type: str) -> Sequence[AuditEvent]:
    """The audit trail of one kind of record (``entity_type``), oldest first."""
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type)
        .order_by(col(AuditEvent.id))
    ).all()


def research_csv(session: Session, actor: Actor, name: str, **options: Any) -> str:
    """A research file's whole text, as ``export_csv`` streams it: on the test
    face map and clinic zone, with the test app's key, now, unless told otherwise."""
    options = {
        "secret_key": "test",
        "face_map": FACE_MAP,
        "zone": ZONE,
        "now": utc_now(),
        **options,
    }
    return "".join(export_csv(session, actor, name, **options))


def consent_to_research(
    session: Session, actor: Actor, patient_ids: Iterable[int] | None = None
) -> None:
    """Sign research consent for these patients (every patient if None) a minute
    ago: the research export is opt-in, and exports over HTTP run at the real now."""
    if patient_ids is None:
        patient_ids = session.exec(select(Patient.id)).all()
    for patient_id in patient_ids:
        assert patient_id is not None
        give_consent(
            session,
            actor,
            patient_id,
            when=utc_now() - timedelta(minutes=1),
            kind=ConsentKind.RESEARCH,
        )


def make_appointment(
    session: Session,
    patient_id: int,
    starts_at: datetime,
    *,
    minutes: int = 15,
    **overrides: Any,
) -> Appointment:
    """Store a booked review starting at ``starts_at`` (a row: no audit event)."""
    appointment = Appointment(
        **{
            "patient_id": patient_id,
            "kind": "review",
            "status": "booked",
            "due_date": starts_at.date(),
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes),
            **overrides,
        }
    )
    session.add(appointment)
    session.commit()
    return appointment


def make_assessment(
    session: Session,
    actor: Actor,
    patient_id: int,
    instrument: str = "house_brackmann",
    items: Any = None,
    *,
    when: datetime,
    timepoint: str = "review",
    **options: Any,
) -> Assessment:
    """Score and store one instrument (House-Brackmann grade 2 unless told)."""
    return outcome_service.record_assessment(
        session,
        actor,
        patient_id,
        instrument,
        {"grade": 2} if items is None else items,
        timepoint=timepoint,
        zone=ZONE,
        now=when,
        **options,
    )
