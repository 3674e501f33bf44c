"""One patient's records for the every-page sweep, so every ``<int:id>`` route has
a real target (tests/e2e/test_every_page_a11y.py), and each route's arguments."""

from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import time
from datetime import timedelta
from typing import Any

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentKind
from planner.db import build_engine
from planner.interop.research_csv import FILES
from planner.models import Appointment
from planner.models import ConsentRecord
from planner.models import Role
from planner.models import User
from planner.services.appointments import book_appointment
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.calendar_files import renew_feed_token
from planner.services.diary_entries import record_side_effect
from planner.services.diary_links import open_diary
from planner.services.diary_reprint import printable_link
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from planner.services.protocols import save_session_as_template
from planner.services.users import create_user
from planner.views.diary import STEPS
from tests.e2e.conftest import LiveServer
from tests.factories import DIARY_KEY
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_assessment
from tests.factories import make_patient
from tests.factories import make_treatment
from tests.photo_images import draw_face
from tests.photo_images import jpeg_bytes

PASSWORD = "every page at every width"


@dataclass(frozen=True)
class Seeded:
    """One patient's records, so every ``<int:id>`` route has a real target."""

    patient_id: int
    signed_id: int
    draft_id: int
    appointment_id: int
    consent_id: int
    photo_id: int
    template_id: int
    staff_id: int
    diary_token: str
    feed_token: str
    # A side effect the patient reported in the diary, to record as an event.
    diary_entry_id: int
    logins: dict[Role, tuple[str, str]] = field(default_factory=dict)


def seed_patient(e2e_server: LiveServer) -> Seeded:
    """Seed a patient with a signed cycle (photo, diary, consent) and today's draft."""
    engine = build_engine(e2e_server.database_url)
    now = datetime.now(UTC)
    signed_on = now - timedelta(days=20)
    try:
        with Session(engine, expire_on_commit=False) as session:
            injector = session.exec(
                select(User).where(User.email == e2e_server.user.email)
            ).one()
            actor = Actor(injector.id, injector.email)
            logins = {Role.INJECTOR: (e2e_server.user.email, e2e_server.user.password)}
            staff_id = 0
            for role in (Role.ADMIN, Role.STAFF):
                email = f"a11y.{role.value}@example.org"
                user = create_user(
                    session,
                    SYSTEM,
                    email=email,
                    name=f"Ali {role.value.title()}",
                    role=role.value,
                    password=PASSWORD,
                )
                logins[role] = (email, PASSWORD)
                staff_id = user.id if role is Role.STAFF else staff_id
            patient = make_patient(session, actor, "A11Y-1", given_name="Noor")
            record_consent(
                session, actor, patient.id, {"consent": "clinical"}, now=signed_on
            )
            sites = [("mentalis", "left", 4.0), ("platysma", "left", 6.0)]
            signed = make_treatment(
                session,
                actor,
                patient.id,
                sites,
                when=signed_on,
                sign=True,
                lot_number="A11Y1",
            )
            # The 2-week review: a review fits no other day (review rO, rO4).
            make_assessment(
                session, actor, patient.id, when=signed_on + timedelta(days=14)
            )
            photo = add_photo(
                session,
                actor,
                signed.id,
                view_code="rest",
                timepoint="pre_treatment",
                data=jpeg_bytes(draw_face(600, 800)),
                now=signed_on,
                zone=ZONE,
            )
            draft = make_treatment(
                session, actor, patient.id, sites[:1], when=now, lot_number="A11Y2"
            )
            printed = printable_link(
                session, signed.id, key=DIARY_KEY, now=now, zone=ZONE
            )
            assert printed is not None
            diary = open_diary(
                session, printed.printed.token, client=None, now=now, zone=ZONE
            )
            assert diary is not None
            droop = record_side_effect(
                session,
                diary,
                {
                    "effects": ["eyelid_droop"],
                    "day": (signed_on + timedelta(days=4)).astimezone(ZONE).date(),
                },
                client=None,
                now=now,
            )
            assert droop.id is not None
            template = save_session_as_template(
                session,
                actor,
                face_map=FACE_MAP,
                treatment_session_id=signed.id,
                name="Noor's lower face",
            )
            appointment = session.exec(
                select(Appointment).where(Appointment.patient_id == patient.id)
            ).first()
            consent = session.exec(
                select(ConsentRecord)
                .where(ConsentRecord.patient_id == patient.id)
                .order_by(col(ConsentRecord.id))
            ).first()
            assert appointment is not None
            appointment = book_appointment(
                session,
                actor,
                appointment.id,
                {
                    "version": appointment.version,
                    "clinician_id": injector.id,
                    "starts_at": datetime.combine(
                        appointment.due_date, time(10), tzinfo=ZONE
                    ),
                    "override_reason": "Booked for the accessibility sweep.",
                },
                zone=ZONE,
                now=now,
            )
            assert consent is not None
            assert photo.id is not None
            assert template.id is not None
            return Seeded(
                patient_id=patient.id,
                signed_id=signed.id,
                draft_id=draft.id,
                appointment_id=appointment.id,
                consent_id=consent.id,
                photo_id=photo.id,
                template_id=template.id,
                staff_id=staff_id,
                diary_token=printed.printed.token,
                feed_token=renew_feed_token(session, actor, injector.id),
                diary_entry_id=droop.id,
                logins=logins,
            )
    finally:
        engine.dispose()


def targets(seeded: Seeded) -> dict[str, list[dict[str, Any]]]:
    """Give each parametrised route its arguments (a list: some have variants)."""
    patient = {"patient_id": seeded.patient_id}
    signed = {"session_id": seeded.signed_id}
    draft = {"session_id": seeded.draft_id}
    both = [signed, draft]
    token = {"token": seeded.diary_token}
    return {
        "patients.detail": [patient],
        "patients.edit": [patient],
        "consent.index": [patient],
        "consent.sign_form": [{**patient, "kind": kind.value} for kind in ConsentKind],
        "outcomes.cycles": [patient],
        "outcomes.new_assessment": [
            {**patient, "instrument": code}
            for code in ("sunnybrook", "eface", "house_brackmann", "saq", "fdi")
        ],
        "outcomes.new_self_entry": [patient],
        "photos.index": [patient],
        "photos.compare": [patient],
        "photos.archive": [patient],
        "sessions.new": [patient],
        "fhir.patient_bundle": [patient],
        "reports.comparison_pdf": [patient],
        "reports_api.comparison_pdf": [patient],
        "api.get_patient": [patient],
        "outcomes_api.cycles": [patient],
        "sessions.chart": both,
        "sessions.discard_form": [draft],
        "sessions.panels": [draft],
        "photos.capture": both,
        "outcomes.response_form": [signed],
        "reports.record_pdf": [signed],
        "reports.handout_pdf": [signed],
        "reports_api.record_pdf": [signed],
        "reports_api.handout_pdf": [signed],
        "chart_api.get_chart": [draft],
        "chart_api.preview_copy_last": [draft],
        "chart_api.preview_template": [{**draft, "template_id": seeded.template_id}],
        "photos.image": [{"photo_id": seeded.photo_id, "size": "thumbnail"}],
        "photos.mark": [{"photo_id": seeded.photo_id}],
        "schedule.book_form": [{"appointment_id": seeded.appointment_id}],
        "schedule.appointment_ics": [{"appointment_id": seeded.appointment_id}],
        "schedule.feed": [{"token": seeded.feed_token}],
        "consent.show": [{"record_id": seeded.consent_id}],
        "consent.pdf": [{"record_id": seeded.consent_id}],
        "diary.home": [token, {"token": "no-such-link"}],
        "diary.step": [{**token, "step": step} for step in STEPS],
        "diary.adverse_event_form": [{"entry_id": seeded.diary_entry_id}],
        "exports.download": [{"name": FILES[0].name}],
        "settings.limits": [{"code": "botox"}, {"code": "daxxify"}],
        "settings.edit_template": [{"template_id": seeded.template_id}],
        "users.edit": [{"user_id": seeded.staff_id}],
        "static": [{"filename": "css/app.css"}],
        "stock.recall": [{}, {"product": "botox", "lot": "A11Y1"}],
        "stock.recall_csv": [{"product": "botox", "lot": "A11Y1"}],
        "stock.recall_letters": [{"product": "botox", "lot": "A11Y1"}],
    }
