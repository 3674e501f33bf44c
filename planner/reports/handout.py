"""The patient's take-home sheet for one session: where, what next, what to watch."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.facemap import FaceMap
from planner.facemap import Site
from planner.facemap import render_face_map
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.reports.advice import PlaceTreated
from planner.reports.advice import TailoredAdvice
from planner.reports.advice import advice_for
from planner.reports.advice import places_treated
from planner.reports.appointments import NextAppointment
from planner.reports.appointments import upcoming_appointments
from planner.services.sessions import get_session_record

# One calm colour for every site: the handout shows where, not how much.
SITE_COLOUR = "#0072B2"
# The renderer sizes a dot by its dose. The handout leaves doses out, so every
# dot is drawn as if it held this many units: the size that keeps the site's
# number readable on paper. (The figure only shapes the dots; no text shows it.)
PLAIN_UNITS = 9.0


@dataclass(frozen=True)
class PatientHandout:
    """What the patient takes home after a session."""

    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    treated_on: datetime
    product: str
    inn: str
    svg: Markup
    places: list[PlaceTreated]
    advice: list[TailoredAdvice]
    appointments: list[NextAppointment]


def patient_handout(
    session: Session,
    session_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
) -> PatientHandout:
    """Gather the handout for one session: places treated, advice, appointments."""
    record = get_session_record(session, session_id)
    patient = session.get(Patient, record.patient_id)
    product = session.get(Product, record.product_id)
    assert patient is not None
    assert patient.id is not None
    assert product is not None
    rows = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == session_id)
        .order_by(col(InjectionSite.number))
    ).all()
    svg = render_face_map(
        face_map,
        sites=[Site(s.number, s.x, s.y, PLAIN_UNITS, SITE_COLOUR) for s in rows],
        title="Where your injections went today",
        id_prefix="handout-",
    )
    return PatientHandout(
        session_id=session_id,
        patient_id=patient.id,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        treated_on=record.performed_at.astimezone(zone),
        product=product.brand,
        inn=product.inn,
        svg=Markup(svg),  # noqa: S704  # facemap.render escapes every text it writes
        places=places_treated((s.number, s.muscle, s.side.value) for s in rows),
        advice=advice_for((s.muscle, s.side.value) for s in rows),
        appointments=upcoming_appointments(session, patient.id, zone=zone, now=now),
    )
