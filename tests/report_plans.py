"""Plans for printing tests: a typical 16-site chart, each site on its own spot.

``make_treatment`` taps every site at its muscle's first reference point, so two
sites of one muscle would print as one dot; a plan here taps the muscle's next
reference point for each further site, as a clinician spreads them.
"""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlmodel import Session

from planner.facemap import reference_points
from planner.services import chart as chart_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import treatment_form

# Sixteen sites of a bilateral plan for left-sided synkinesis: the affected
# (left) side and the stronger right side, every tailored advice area touched.
SIXTEEN_SITES: tuple[tuple[str, str, float], ...] = (
    ("frontalis", "right", 2),
    ("frontalis", "right", 2),
    ("corrugator", "right", 2),
    ("orbicularis_oculi_orbital", "left", 2),
    ("orbicularis_oculi_orbital", "left", 2),
    ("orbicularis_oculi_pretarsal_lower", "left", 1),
    ("orbicularis_oculi_pretarsal_upper", "left", 1),
    ("levator_labii_superioris_alaeque_nasi", "left", 1),
    ("buccinator", "left", 2.5),
    ("zygomaticus_major", "right", 1),
    ("risorius", "right", 1),
    ("depressor_anguli_oris", "left", 2),
    ("depressor_labii_inferioris", "right", 1),
    ("mentalis", "left", 2),
    ("platysma", "left", 3),
    ("platysma", "left", 3),
)


def chart_plan(
    session: Session,
    actor: Actor,
    patient_id: int,
    plan: Iterable[tuple[str, str, float]],
    *,
    when: datetime,
    sign: bool,
    **form: Any,
) -> int:
    """Open a session, tap each site at its own reference point, sign if asked."""
    record = session_service.open_session(
        session, actor, patient_id, treatment_form(when, **form), zone=ZONE, now=when
    )
    assert record.id is not None
    version = record.version
    used: dict[tuple[str, str], int] = {}
    for muscle, side, units in plan:
        points = reference_points(FACE_MAP, FACE_MAP.muscle(muscle), side)
        index = used.get((muscle, side), 0)
        used[(muscle, side)] = index + 1
        x, y = (float(v) for v in points[index % len(points)])
        version, _ = chart_service.add_site(
            session,
            actor,
            record.id,
            {"x": x, "y": y, "units": units, "version": version},
            face_map=FACE_MAP,
            default_units=default_units(session),
            now=when,
            zone=ZONE,
        )
    if sign:
        warnings = chart_state(
            session, record.id, face_map=FACE_MAP, zone=ZONE, now=when
        ).warnings
        ensure_consent(session, actor, record.id, when=when)
        session_service.sign_session(
            session,
            actor,
            record.id,
            {
                "version": version,
                "consent_obtained": True,
                "reasons": {w.key: f"Reason for {w.key}." for w in warnings},
                "overrides": [w.key for w in warnings if w.hard_stop],
            },
            zone=ZONE,
            now=when,
        )
    return record.id


def plan_charter(session: Session, actor: Actor, make_patient: Any) -> Any:
    """Return ``chart(sites=SIXTEEN_SITES, *, sign, when, patient, **form)`` -> id.

    For a test module's ``plan`` fixture: a new left-palsy patient unless given.
    """

    def chart(
        sites: Iterable[tuple[str, str, float]] = SIXTEEN_SITES,
        *,
        sign: bool = True,
        when: datetime,
        patient: Any = None,
        **form: Any,
    ) -> int:
        patient = patient or make_patient(affected_side="left")
        return chart_plan(
            session, actor, patient.id, sites, when=when, sign=sign, **form
        )

    return chart
