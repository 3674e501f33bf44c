"""A seeded clinic for the fuzz tests: real records to aim at, and a request tally.

Generated requests that only ever hit ids no row has test little beyond the 404
path, so the clinic holds every kind of record a URL can name: patients with
signed cycles (demo data), draft charts with sites, appointments, reminders,
protocol templates, working hours and closed days.
"""

from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlmodel import Session
from sqlmodel import SQLModel
from sqlmodel import col
from sqlmodel import select

from planner import access
from planner import create_app
from planner.db import get_engine
from planner.db_types import utc_now
from planner.demo import seed_demo
from planner.facemap import Side
from planner.facemap import load_face_map
from planner.facemap import reference_points
from planner.models import Appointment
from planner.models import AppointmentStatus
from planner.models import AuditAction
from planner.models import DiaryLink
from planner.models import Patient
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.services import amendments as amendment_service
from planner.services import appointments
from planner.services import calendar_setup
from planner.services import chart as chart_service
from planner.services import photos
from planner.services import protocols
from planner.services import sessions as session_service
from planner.services import therapy
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.calendar_files import renew_feed_token
from planner.services.catalogue import load_catalogue
from planner.services.chart_state import default_units
from planner.services.diary_entries import record_side_effect
from planner.services.diary_links import issue_diary_link
from planner.services.diary_links import open_diary
from planner.services.diary_links import token_digest
from planner.services.login_sessions import save_kiosk
from planner.services.login_sessions import token_hash
from planner.services.login_throttle import ThrottleRules
from planner.services.login_throttle import note_failure
from planner.services.outside_toxin import add_outside_treatment
from planner.services.patients import create_patient
from planner.services.reminders import queue_reminders
from planner.services.stock import receive_stock
from planner.services.users import LoginAttempt
from planner.services.users import create_user
from planner.services.users import log_in
from tests.conftest import PASSWORD
from tests.conftest import Browser
from tests.factories import PATIENT_DEFAULTS
from tests.factories import give_consent
from tests.photo_images import face_jpeg

ZONE = ZoneInfo("Europe/London")
# Tables whose ids appear in URLs, under the name the URL rules give them.
URL_IDS = {
    "patient_id": "patient",
    "session_id": "treatment_session",
    "site_id": "injection_site",
    "appointment_id": "appointment",
    "reminder_id": "reminder",
    "template_id": "protocol_template",
    "hours_id": "working_hours",
    "closed_id": "closed_day",
    "treatment_id": "outside_treatment",
    "user_id": "user",
    "photo_id": "photo",
    "login_session_id": "login_session",
    "record_id": "consent_record",
}
# The seeded diary link's token (a fixed one, so URLs can name it) and its pages.
DIARY_TOKEN = "fuzz-diary-token-0123456789abcdefghijklmnopq"
DIARY_STEPS = ["onset", "side-effect", "weekly", "questionnaire", "wear-off"]
# Logins the fuzz tests change (edit, deactivate, reset) but never log in as.
BYSTANDER = "bystander"
# Ids no row has: zero, unused, the largest int32 key and one past it, huge.
JUNK_IDS = [0, 999_999, 2**31 - 1, 2**31, 2**63, 10**30]


@dataclass
class RequestTally:
    """Count every request the fuzz clients send, and every server error."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)

    def record(self, method: str, path: str, status: int) -> None:
        self.sent += 1
        self.statuses[status] += 1
        if status >= 500:
            self.server_errors.append(f"{method} {path} -> {status}")


class CountingClient(FlaskClient):
    """A test client that reports each request it sends to a tally."""

    tally: RequestTally | None = None

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        if self.tally is not None:
            request = response.request
            self.tally.record(request.method, request.path, response.status_code)
        return response


_LOGIN_SESSIONS: Table = SQLModel.metadata.tables["login_session"]
# Built once: every generated post runs it first (see Login.restore).
_OPEN_SESSION = select(
    _LOGIN_SESSIONS.c.id, _LOGIN_SESSIONS.c.kiosk.is_not(None)
).where(
    _LOGIN_SESSIONS.c.token_hash == bindparam("token_hash"),
    _LOGIN_SESSIONS.c.revoked_at.is_(None),
)


@dataclass
class Login:
    """A logged-in browser, with its session cookie to restore after a logout."""

    browser: Browser
    cookie: str
    email: str
    # The saved cookie and its session token hashed as the table keeps it:
    # worked out again only when a fresh login changes the cookie.
    _hashed: tuple[str, str] = field(default=("", ""), repr=False)

    @property
    def client(self) -> FlaskClient:
        return self.browser.client

    @property
    def app(self) -> Flask:
        return self.client.application

    def _token_hash(self) -> str:
        cookie, hashed = self._hashed
        if cookie != self.cookie:
            serializer = self.app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
                self.app
            )
            hashed = token_hash(serializer.loads(self.cookie).get("_user_id", ""))
            self._hashed = (self.cookie, hashed)
        return hashed

    def open_session(self) -> tuple[int, bool] | None:
        """The open login session the saved cookie names, if it is still open:
        its id, and whether a patient holds the tablet."""
        with get_engine(self.app).connect() as connection:
            found = connection.execute(
                _OPEN_SESSION, {"token_hash": self._token_hash()}
            ).first()
        return None if found is None else (int(found[0]), bool(found[1]))

    def session_id(self) -> int | None:
        """The open login session the saved cookie names, if it is still open."""
        found = self.open_session()
        return None if found is None else found[0]

    def restore(self) -> None:
        """Be logged in as before, with no patient holding the tablet.

        The session lives on the server: a post that logged out ended it, and
        then the browser logs in afresh. Every post is preceded by a restore, so
        it costs one query when there is nothing to put back.
        """
        found = self.open_session()
        if found is None:
            tally = getattr(self.client, "tally", None)
            self.client.tally = None  # type: ignore[attr-defined]
            self.client.delete_cookie("session")
            response = self.browser.login(self.email)
            self.client.tally = tally  # type: ignore[attr-defined]
            assert response.status_code == 302, response.status_code
            cookie = self.client.get_cookie("session")
            assert cookie is not None
            self.cookie = cookie.value
            found = self.open_session()
            assert found is not None
        self.client.set_cookie("session", self.cookie)
        _opened, held = found
        if held:
            self.hold_tablet(None)

    def hold_tablet(self, state: dict[str, Any] | None) -> None:
        """Put a patient's self-entry in this login's session (None: nobody)."""
        opened = self.session_id()
        assert opened is not None
        with Session(get_engine(self.app)) as session:
            save_kiosk(session, opened, state)


@dataclass
class FuzzClinic:
    """The app, its seeded records and the logged-in browsers of each role."""

    app: Flask
    tally: RequestTally
    logins: dict[Role, Login]
    ids: dict[str, list[int]]
    # Each draft session's sites when the clinic opened: fixed, so that
    # hypothesis draws the same way on every run of a test.
    draft_sites: dict[int, list[int]] = field(default_factory=dict)
    _roles: dict[str, frozenset[Role]] = field(default_factory=dict, repr=False)

    @property
    def engine(self) -> Engine:
        return get_engine(self.app)

    @property
    def backend(self) -> str:
        """``sqlite`` or ``postgresql``: the fuzz budgets are per database."""
        return self.engine.dialect.name

    def roles_allowed(self, endpoint: str) -> frozenset[Role]:
        """The roles an endpoint lets through, read from its view once."""
        if endpoint not in self._roles:
            self._roles[endpoint] = allowed_roles(self.app, endpoint)
        return self._roles[endpoint]

    def version_of(self, table: str, row_id: Any) -> int | None:
        """Return a row's current version, or None if no such row."""
        if not isinstance(row_id, int) or not 1 <= row_id < 2**31:
            return None
        target: Table = SQLModel.metadata.tables[table]
        with self.engine.connect() as connection:
            version = connection.execute(
                select(target.c.version).where(target.c.id == row_id)
            ).scalar_one_or_none()
        return None if version is None else int(version)


def allowed_roles(app: Flask, endpoint: str) -> frozenset[Role]:
    """The roles an endpoint lets through, read from its view (through wrappers)."""
    with app.app_context():
        return access.allowed_roles(endpoint)


def read_ids(engine: Engine) -> dict[str, list[int]]:
    """Return the ids of every table a URL names, plus draft and signed sessions."""
    ids: dict[str, list[int]] = {}
    with engine.connect() as connection:
        for name, table_name in URL_IDS.items():
            table = SQLModel.metadata.tables[table_name]
            query = select(table.c.id).order_by(table.c.id)
            if name == "user_id":
                # Only logins nobody fuzzes with: a fuzz user who deactivated or
                # demoted itself would turn every later request into a refusal.
                query = query.where(table.c.email.like(f"{BYSTANDER}%"))
            if name == "login_session_id":
                # Likewise only the bystanders' sessions, never a fuzz browser's.
                users = SQLModel.metadata.tables["user"]
                query = query.where(
                    table.c.user_id.in_(
                        select(users.c.id).where(users.c.email.like(f"{BYSTANDER}%"))
                    )
                )
            ids[name] = list(connection.execute(query).scalars())
        # Patients with no consent on record: their new-session form offers the
        # buttons that keep what was typed while the patient signs.
        patients = SQLModel.metadata.tables["patient"]
        consents = SQLModel.metadata.tables["consent_record"]
        ids["unconsented_patient_id"] = list(
            connection.execute(
                select(patients.c.id)
                .where(patients.c.id.not_in(select(consents.c.patient_id)))
                .order_by(patients.c.id)
            ).scalars()
        )
        # Read for that form only: requests about a patient who cannot be
        # treated yet mostly stop at the consent check, not at real work.
        ids["patient_id"] = [
            patient_id
            for patient_id in ids["patient_id"]
            if patient_id not in ids["unconsented_patient_id"]
        ]
        sessions = SQLModel.metadata.tables["treatment_session"]
        for status in SessionStatus:
            ids[f"{status.value}_session_id"] = list(
                connection.execute(
                    select(sessions.c.id)
                    .where(sessions.c.status == status)
                    .order_by(sessions.c.id)
                ).scalars()
            )
    return ids


def read_draft_sites(engine: Engine) -> dict[int, list[int]]:
    sessions = SQLModel.metadata.tables["treatment_session"]
    sites = SQLModel.metadata.tables["injection_site"]
    found: dict[int, list[int]] = {}
    with engine.connect() as connection:
        for session_id, site_id in connection.execute(
            select(sites.c.session_id, sites.c.id)
            .join(sessions, sessions.c.id == sites.c.session_id)
            .where(sessions.c.status == SessionStatus.DRAFT)
            .order_by(sites.c.session_id, sites.c.id)
        ):
            found.setdefault(session_id, []).append(site_id)
    return found


def _bystanders(session: Session) -> None:
    """Logins to edit: active ones, an inactive one and a locked one."""
    for kind, role in (
        ("injector", Role.INJECTOR),
        ("staff", Role.STAFF),
        ("inactive", Role.STAFF),
        ("locked", Role.INJECTOR),
    ):
        user = create_user(
            session,
            SYSTEM,
            email=f"{BYSTANDER}.{kind}@example.org",
            name=f"Bystander {kind.title()}",
            role=role.value,
            password=PASSWORD,
        )
        if kind == "inactive":
            user.active = False
        if kind == "locked":
            for _ in range(99):
                note_failure(
                    session, email=user.email, client="203.0.113.1", now=utc_now()
                )
        session.add(user)
        record_event(
            session, SYSTEM, AuditAction.UPDATE, "user", user.id, after={"kind": kind}
        )
    session.commit()


def _bystander_logged_in(session: Session) -> None:
    """Open two sessions of a bystander, so the admin's page offers to end them."""
    rules = ThrottleRules(10, 10, 10, timedelta(minutes=1))
    for place in ("192.0.2.1", "192.0.2.2"):
        attempt = LoginAttempt(
            f"{BYSTANDER}.staff@example.org", PASSWORD, place, "Fuzz/1", utc_now()
        )
        assert log_in(session, attempt, rules).user is not None


def _users(session: Session) -> dict[Role, Actor]:
    _bystanders(session)
    _bystander_logged_in(session)
    actors = {}
    for role in Role:
        email = f"fuzz.{role.value}@example.org"
        user = create_user(
            session,
            SYSTEM,
            email=email,
            name=f"Fuzz {role.value.title()}",
            role=role.value,
            password=PASSWORD,
        )
        actors[role] = Actor(user.id, user.email)
    return actors


def _awkward_patients(session: Session) -> list[int]:
    """Patients whose details test escaping and odd characters everywhere."""
    people = [
        {"given_name": "<b>Ada</b>", "family_name": "O'Kafor & Sons", "mrn": "X-1"},
        {"given_name": "Zoë", "family_name": "\u202eevil\u202c", "mrn": "X-2"},
        {"given_name": "語", "family_name": "%_\\", "mrn": "X-3", "sex": "other"},
    ]
    ids = []
    for person in people:
        patient = create_patient(session, SYSTEM, {**PATIENT_DEFAULTS, **person})
        assert patient.id is not None
        ids.append(patient.id)
    return ids


def _open_drafts(
    app: Flask, session: Session, injector: Actor, patient_ids: list[int]
) -> None:
    """Open a draft chart for each patient, with two sites on it."""
    the_map = load_face_map(Path(app.config["FACE_MAPS_DIR"]))
    now = datetime.now(UTC)
    for number, patient_id in enumerate(patient_ids):
        record = session_service.open_session(
            session,
            injector,
            patient_id,
            {
                "kind": "full",
                "product": "botox",
                "lot_choice": "new",
                "lot_number": f"FZ{number:04d}",
                "expiry_date": (now + timedelta(days=200)).date().isoformat(),
                "vial_units": 100,
                "diluent_ml": 2.5,
                "reconstituted_at": now.isoformat(),
                "consent_obtained": "true",
            },
            zone=ZONE,
            now=now,
        )
        assert record.id is not None
        version = record.version
        taps: tuple[tuple[str, Side], ...] = (
            ("mentalis", "left"),
            ("frontalis", "right"),
        )
        for muscle, side in taps:
            x, y = reference_points(the_map, the_map.muscle(muscle), side)[0]
            version, _site = chart_service.add_site(
                session,
                injector,
                record.id,
                {"x": float(x), "y": float(y), "version": version},
                face_map=the_map,
                default_units=default_units(session),
                now=now,
                zone=ZONE,
            )


def _templates(app: Flask, session: Session, admin: Actor) -> None:
    the_map = load_face_map(Path(app.config["FACE_MAPS_DIR"]))
    for name, muscles in (
        ("Fuzz lower face", ("mentalis", "depressor_anguli_oris")),
        ("Fuzz upper face", ("frontalis", "orbicularis_oculi_orbital")),
    ):
        protocols.create_template(
            session,
            admin,
            face_map=the_map,
            name=name,
            description="Seeded for the fuzz tests",
            product="botox",
            sites=[
                {"muscle": m, "role": "affected", "x": "", "y": "", "units": 2}
                for m in muscles
            ],
        )


def _photo(session: Session, injector: Actor, patient_id: int, now: datetime) -> None:
    """Give a treated patient photo consent and one photo, so its forms show."""
    photos.record_consent(
        session, injector, patient_id, {"consent": "teaching"}, now=now
    )
    cycle = session.exec(
        select(TreatmentSession.id)
        .where(TreatmentSession.patient_id == patient_id)
        .order_by(col(TreatmentSession.id))
    ).first()
    assert cycle is not None
    photos.add_photo(
        session,
        injector,
        cycle,
        view_code="rest",
        # "other": the seeded cycles are past, before the injections or not.
        timepoint="other",
        data=face_jpeg(width=300, height=400),
        now=now,
        zone=ZONE,
    )


def seed_clinic(app: Flask) -> dict[Role, Actor]:
    """Fill the app's empty database; return the fuzz users, one per role."""
    engine = get_engine(app)
    SQLModel.metadata.create_all(engine)
    now = datetime.now(UTC)
    with Session(engine, expire_on_commit=False) as session:
        load_catalogue(session)
        actors = _users(session)
    seed_demo(engine, patients=10, cycles=3, seed=7, now=now)
    with Session(engine, expire_on_commit=False) as session:
        # Drafts for two patients with signed cycles to copy from, and new ones.
        treated = session.exec(select(Patient.id).order_by(col(Patient.id)).limit(2))
        drafts = [*treated, *_awkward_patients(session)]
        _open_drafts(app, session, actors[Role.INJECTOR], drafts)
        # Treatment consent, so that the drafts can be signed (issue 20).
        for patient_id in drafts:
            give_consent(session, actors[Role.INJECTOR], patient_id, when=now)
        # One who has signed nothing yet: the new-session form offers consent.
        create_patient(
            session,
            SYSTEM,
            {**PATIENT_DEFAULTS, "given_name": "Nadia", "family_name": "Unsigned"}
            | {"mrn": "X-4"},
        )
        _photo(session, actors[Role.INJECTOR], drafts[0], now)
        _templates(app, session, actors[Role.ADMIN])
        # Toxin given elsewhere, so the first patient's page offers to remove it.
        add_outside_treatment(
            session,
            actors[Role.INJECTOR],
            drafts[0],
            {
                "given_on": (now - timedelta(days=20)).date().isoformat(),
                "product_id": 1,
                "units": 50,
                "indication": "<i>Glabellar</i> & more",
                "place": "Clinic \u202eevil\u202c",
            },
            today=now.date(),
        )
        # An ongoing therapy course and a procedure, so the patient page offers
        # to bring the course up to date and to remove either (issue 22).
        therapy.add_therapy_course(
            session,
            actors[Role.INJECTOR],
            drafts[0],
            {
                "kind": "nmrt",
                "started_on": (now - timedelta(days=40)).date().isoformat(),
                "therapist": "Fuzz <b>Therapist</b>",
                "home_programme": "Small, slow \u202emoves\u202c",
            },
            today=now.date(),
        )
        therapy.add_procedure(
            session,
            actors[Role.INJECTOR],
            drafts[0],
            {
                "kind": "dao_excision",
                "side": "left",
                "performed_on": (now - timedelta(days=90)).date().isoformat(),
                "surgeon": "Fuzz Surgeon",
                "muscles": ["depressor_anguli_oris"],
            },
            today=now.date(),
        )
        injector_id = actors[Role.INJECTOR].user_id
        assert injector_id is not None
        calendar_setup.default_hours(session, actors[Role.ADMIN], injector_id)
        calendar_setup.add_closed_day(
            session,
            actors[Role.ADMIN],
            {"day": (now + timedelta(days=30)).date(), "reason": "Fuzz holiday"},
        )
        queue_reminders(session, now=now, zone=ZONE, clinic_name="C", phone="")
        # A lot in stock, so the stock page offers its discard form.
        receive_stock(
            session,
            actors[Role.STAFF],
            {
                "product": "botox",
                "lot_number": "FZSTOCK1",
                "expiry_date": (now + timedelta(days=300)).date().isoformat(),
                "vial_units": "100",
                "vials": "3",
                "supplier": "Fuzz Wholesale",
                "received_on": now.date().isoformat(),
                "storage_place": "Fuzz fridge",
            },
            today=now.date(),
        )
        # The injector's private calendar feed exists, to be renewed; a bystander
        # injector's too, so the admin's page offers to revoke it.
        renew_feed_token(session, actors[Role.INJECTOR], injector_id)
        bystander = session.exec(
            select(User).where(User.email == f"{BYSTANDER}.injector@example.org")
        ).one()
        assert bystander.id is not None
        renew_feed_token(session, SYSTEM, bystander.id)
        signed = session.exec(
            select(TreatmentSession.id).where(
                TreatmentSession.status == SessionStatus.SIGNED
            )
        ).first()
        assert signed is not None, "the demo data has no signed session"
        amendment_service.amend_session(
            session,
            actors[Role.INJECTOR],
            signed,
            {
                "version": session_service.get_session_record(session, signed).version,
                "reason": "Seeded amendment",
                "note": "for the fuzz tests",
            },
            zone=ZONE,
        )
        _diary(session, actors[Role.INJECTOR], now)
        _cancelled_to_rebook(session, actors[Role.STAFF])
    return actors


def _cancelled_to_rebook(session: Session, staff: Actor) -> None:
    """Cancel the newest open appointment, so the worklist's "Cancelled, to
    rebook" list offers its "No rebooking needed" form."""
    newest = session.exec(
        select(Appointment)
        .where(
            col(Appointment.status).in_(
                [AppointmentStatus.PROPOSED, AppointmentStatus.BOOKED]
            )
        )
        .order_by(col(Appointment.id).desc())
    ).first()
    assert newest is not None, "the demo data has no open appointment"
    assert newest.id is not None
    appointments.set_status(
        session,
        staff,
        newest.id,
        {
            "version": newest.version,
            "status": "cancelled",
            "reason": "Fuzz <b>cancelled</b>",
        },
    )


def _diary(session: Session, actor: Actor, now: datetime) -> None:
    """A diary link on the first patient's last cycle, with a side effect to call."""
    patient_id = session.exec(select(Patient.id).order_by(col(Patient.id))).first()
    record = session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.status == SessionStatus.SIGNED,
            TreatmentSession.kind == "full",
        )
        .order_by(col(TreatmentSession.performed_at).desc())
    ).first()
    assert record is not None, "the demo's first patient has no signed cycle"
    issue_diary_link(session, actor, record, now=record.performed_at, zone=ZONE)
    link = session.exec(
        select(DiaryLink).where(DiaryLink.session_id == record.id)
    ).one()
    link.token_hash = token_digest(DIARY_TOKEN)
    link.expires_at = now + timedelta(weeks=26)
    session.add(link)
    record_event(
        session, actor, AuditAction.UPDATE, "diary_link", link.id, after={"fuzz": 1}
    )
    session.commit()
    diary = open_diary(session, DIARY_TOKEN, client="192.0.2.9", now=now, zone=ZONE)
    assert diary is not None
    record_side_effect(
        session,
        diary,
        {"effects": ["eyelid_droop"], "day": diary.today.isoformat()},
        client="192.0.2.9",
        now=now,
    )


def open_clinic(db_url: str, instance: Path) -> FuzzClinic:
    """Build an app on ``db_url``, seed it and log in one browser per role."""
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": db_url,
            "SECRET_KEY": "fuzz",
            "PASSWORD_HASHING": "fast-for-tests",
            # The fuzz users' failed logins must never lock them out, and a
            # restored session cookie must not time out on a slow machine.
            "LOGIN_MAX_FAILURES": 1_000_000,
            "LOGIN_CLIENT_FAILURES": 1_000_000,
            "LOGIN_ACCOUNT_FAILURES": 1_000_000,
            "IDLE_TIMEOUT_MINUTES": 24 * 60,
            # A crash answers 500 as in production, so the tally and the checks
            # see it; the log keeps its traceback (synthetic patients only).
            "PROPAGATE_UNEXPECTED": False,
            "LOG_TRACEBACKS": True,
            # seed_clinic builds the schema with create_all: no Alembic version
            # row, which planner/schema_gate.py would answer with a 503.
            "CHECK_SCHEMA": False,
        }
    )
    app.instance_path = str(instance)
    app.test_client_class = CountingClient
    actors = seed_clinic(app)
    tally = RequestTally()
    logins = {}
    for role, actor in actors.items():
        client = app.test_client()
        browser = Browser(client)
        assert actor.email is not None
        response = browser.login(actor.email)
        assert response.status_code == 302, response.status_code
        cookie = client.get_cookie("session")
        assert cookie is not None
        assert isinstance(client, CountingClient)
        client.tally = tally
        logins[role] = Login(browser, cookie.value, actor.email)
    return FuzzClinic(
        app=app,
        tally=tally,
        logins=logins,
        ids={
            **read_ids(get_engine(app)),
            # URL text, not ids: the seeded diary link's pages.
            "token": [DIARY_TOKEN],
            "step": DIARY_STEPS,
        },
        draft_sites=read_draft_sites(get_engine(app)),
    )
