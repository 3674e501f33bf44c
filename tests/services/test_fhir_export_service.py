"""The FHIR export service: loading records in a few queries, auditing, streaming."""

import json
from collections.abc import Callable
from collections.abc import Iterator
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fhir.resources.R4B.bundle import Bundle
from flask import Flask
from sqlalchemy import event
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.errors import NotFound
from planner.facemap import load_face_map
from planner.interop.fhir_export import clinic_namespace
from planner.interop.fhir_export import resource_id
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models import SessionStatus
from planner.models import Side
from planner.models import SiteRole
from planner.models import TreatmentSession
from planner.models import User
from planner.services import amendments as amendment_service
from planner.services import fhir_export as fhir_export_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.fhir_export import export_all_patients
from planner.services.fhir_export import export_patient
from planner.services.fhir_export import load_patient_exports

FACE_MAP = load_face_map(Path(__file__).resolve().parents[2] / "face_maps")
NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")
CLINIC = "Facial Palsy Clinic"


@pytest.fixture
def demo(app: Flask, session: Session) -> list[int]:
    """Seed four demo patients; return their ids."""
    seed_demo(get_engine(app), patients=4, cycles=3, seed=7, now=NOW)
    return [i for i in session.exec(select(Patient.id).order_by(col(Patient.id))) if i]


@pytest.fixture
def actor(make_user: Callable[..., User]) -> Actor:
    user = make_user(Role.ADMIN)
    return Actor(user_id=user.id, email=user.email, remote_addr="192.0.2.1")


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, *args: Any) -> None:
        self.count += 1


@pytest.fixture
def queries(app: Flask) -> Iterator[QueryCounter]:
    counter = QueryCounter()
    engine = get_engine(app)
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def test_the_number_of_queries_does_not_grow_with_patients_or_sites(
    session: Session, demo: list[int], queries: QueryCounter
) -> None:
    load_patient_exports(session, demo[:1])
    one = queries.count
    queries.count = 0
    exports = load_patient_exports(session, demo)
    sites = sum(len(r.sites) for export in exports for r in export.sessions)

    assert sites > 50
    # Nine for the record, two for photographs (consents, photos; none here),
    # two for therapy courses and procedures (issue 22).
    assert queries.count == one <= 13


def test_records_are_loaded_for_each_patient_in_order(
    session: Session, demo: list[int]
) -> None:
    exports = load_patient_exports(session, [demo[2], demo[0], 999_999])

    assert [export.patient.id for export in exports] == [demo[0], demo[2]]
    for export in exports:
        owned = session.exec(
            select(TreatmentSession.id).where(
                TreatmentSession.patient_id == export.patient.id
            )
        ).all()
        assert sorted(r.id for r in export.sessions) == sorted(owned)
        times = [r.performed_at for r in export.sessions]
        assert times == sorted(times)
        for record in export.sessions:
            assert [s.number for s in record.sites] == sorted(
                s.number for s in record.sites
            )


def test_export_patient_audits_who_exported_whom(
    session: Session, demo: list[int], actor: Actor
) -> None:
    exported = export_patient(
        session, actor, demo[1], face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )
    bundle = json.loads(exported.body)
    [event_row] = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()

    Bundle.model_validate(bundle)
    assert exported.mrn == session.get(Patient, demo[1]).mrn  # type: ignore[union-attr]
    assert event_row.actor_id == actor.user_id
    assert event_row.remote_addr == "192.0.2.1"
    assert (event_row.entity_type, event_row.entity_id) == ("patient", demo[1])
    assert event_row.patient_id == demo[1]
    assert event_row.after is not None
    assert event_row.after["format"] == "application/fhir+json"
    assert event_row.after["resources"]["Patient"] == 1
    assert sum(event_row.after["resources"].values()) == len(bundle["entry"])


def test_export_patient_refuses_an_unknown_patient(
    session: Session, demo: list[int], actor: Actor
) -> None:
    with pytest.raises(NotFound):
        export_patient(
            session, actor, 999_999, face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
        )
    assert not session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()


def administration_doses(body: str) -> dict[str, float]:
    """Each MedicationAdministration's dose by resource id."""
    return {
        entry["resource"]["id"]: entry["resource"]["dosage"]["dose"]["value"]
        for entry in json.loads(body)["entry"]
        if entry["resource"]["resourceType"] == "MedicationAdministration"
    }


def test_an_amended_session_exports_its_corrected_dose(
    session: Session, demo: list[int], make_user: Callable[..., User]
) -> None:
    injector = make_user(Role.INJECTOR)
    clinician = Actor(user_id=injector.id, email=injector.email)
    site = session.exec(
        select(InjectionSite)
        .join(TreatmentSession, col(TreatmentSession.id) == InjectionSite.session_id)
        .where(
            TreatmentSession.patient_id == demo[0],
            TreatmentSession.status == SessionStatus.SIGNED,
        )
        .order_by(col(InjectionSite.id))
    ).first()
    assert site is not None
    corrected = site.units + 0.75
    amendment_service.amend_session(
        session,
        clinician,
        site.session_id,
        {
            "version": session_service.get_session_record(
                session, site.session_id
            ).version,
            "reason": "Dose misread",
            "corrections": [{"site_id": site.id, "units": corrected}],
        },
        zone=ZONE,
    )

    exported = export_patient(
        session, clinician, demo[0], face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )
    namespace = clinic_namespace(CLINIC)
    assert site.id is not None
    site_uuid = resource_id(namespace, "injection_site", site.id)
    assert administration_doses(exported.body)[site_uuid] == corrected
    procedure = next(
        e["resource"]
        for e in json.loads(exported.body)["entry"]
        if e["resource"]["id"]
        == resource_id(namespace, "treatment_session", site.session_id)
    )
    assert procedure["note"][-1]["text"].startswith("Amendment 1: Dose misread. ")


@pytest.mark.audit_exempt(
    "adds a draft with no vial lot as raw rows: no service makes one, older rows may",
    tables=["treatment_session", "injection_site"],
)
def test_a_draft_without_a_lot_exports_in_progress_with_its_product(
    session: Session, demo: list[int], actor: Actor
) -> None:
    injector = session.exec(select(User).where(User.role == Role.INJECTOR)).first()
    dysport = session.exec(select(Product).where(Product.code == "dysport")).one()
    assert injector is not None
    assert injector.id is not None
    assert dysport.id is not None
    draft = TreatmentSession(
        patient_id=demo[3],
        injector_id=injector.id,
        cycle_number=9,
        product_id=dysport.id,
        vial_lot_id=None,
        performed_at=NOW,
        status=SessionStatus.DRAFT,
    )
    session.add(draft)
    session.flush()
    assert draft.id is not None
    session.add(
        InjectionSite(
            session_id=draft.id,
            number=1,
            muscle="platysma",
            side=Side.RIGHT,
            role=SiteRole.AFFECTED,
            x=120,
            y=440,
            units=15,
        )
    )
    session.commit()

    exported = export_patient(
        session, actor, demo[3], face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )
    bundle = json.loads(exported.body)
    Bundle.model_validate(bundle)
    resources = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    namespace = clinic_namespace(CLINIC)
    procedure = resources[
        f"urn:uuid:{resource_id(namespace, 'treatment_session', draft.id)}"
    ]
    # A draft's doses are not exported as administrations (given injections).
    assert not [
        r
        for r in resources.values()
        if r.get("partOf") == [{"reference": f"urn:uuid:{procedure['id']}"}]
    ]
    [used] = procedure["usedReference"]
    medication = resources[used["reference"]]

    assert procedure["status"] == "in-progress"
    assert medication["code"]["coding"][0]["code"] == "dysport"
    assert "batch" not in medication


def test_export_all_audits_before_the_first_line_and_reads_in_batches(
    session: Session,
    demo: list[int],
    actor: Actor,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    batches: list[list[int]] = []
    real_load = fhir_export_service.load_exports

    def spy(db: Session, ids: list[int]) -> Any:
        batches.append(list(ids))
        return real_load(db, ids)

    monkeypatch.setattr(fhir_export_service, "load_exports", spy)
    lines = export_all_patients(
        session,
        actor,
        face_map=FACE_MAP,
        clinic_name=CLINIC,
        now=NOW,
        batch_size=3,
    )
    [event_row] = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()

    assert batches == []
    assert event_row.entity_type == "patient"
    assert event_row.entity_id is None
    assert event_row.after == {
        "format": "application/fhir+ndjson",
        "scope": "all patients",
        "patients": 4,
        "through_patient_id": demo[-1],
    }
    first = next(lines)
    assert batches == [demo[:3]]
    rest = list(lines)
    assert batches == [demo[:3], demo[3:]]
    bundles = [json.loads(line) for line in [first, *rest]]
    assert [b["entry"][0]["resource"]["resourceType"] for b in bundles] == [
        "Patient"
    ] * 4
    namespace = clinic_namespace(CLINIC)
    assert [b["entry"][0]["resource"]["id"] for b in bundles] == [
        resource_id(namespace, "patient", i) for i in demo
    ]
    assert all(line.endswith("\n") and line.count("\n") == 1 for line in [first, *rest])


def test_export_all_leaves_patients_registered_after_it_began(
    session: Session,
    demo: list[int],
    actor: Actor,
    make_patient: Callable[..., Patient],
) -> None:
    lines = export_all_patients(
        session, actor, face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )
    late = make_patient()

    exported = [json.loads(line)["entry"][0]["resource"] for line in lines]
    assert len(exported) == len(demo)
    namespace = clinic_namespace(CLINIC)
    assert late.id is not None
    assert resource_id(namespace, "patient", late.id) not in {r["id"] for r in exported}


def test_export_all_of_an_empty_clinic_is_empty_but_audited(
    session: Session, actor: Actor
) -> None:
    lines = list(
        export_all_patients(
            session, actor, face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
        )
    )
    [event_row] = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).all()

    assert lines == []
    assert event_row.after is not None
    assert event_row.after["patients"] == 0


def test_export_all_refuses_an_empty_batch(session: Session, actor: Actor) -> None:
    with pytest.raises(ValueError, match="batch_size"):
        export_all_patients(
            session,
            actor,
            face_map=FACE_MAP,
            clinic_name=CLINIC,
            now=NOW,
            batch_size=0,
        )


def test_exports_use_the_same_ids_each_time(
    session: Session, demo: list[int], actor: Actor
) -> None:
    first = export_patient(
        session, actor, demo[0], face_map=FACE_MAP, clinic_name=CLINIC, now=NOW
    )
    again = export_patient(
        session,
        actor,
        demo[0],
        face_map=FACE_MAP,
        clinic_name=CLINIC,
        now=NOW + timedelta(days=1),
    )

    def urls(body: str) -> list[str]:
        return [e["fullUrl"] for e in json.loads(body)["entry"]]

    assert urls(first.body) == urls(again.body)
    assert first.body != again.body  # the Bundle's timestamp moved on
