"""Sessions keep the face map they were charted on.

The golden files under ``golden/`` were rendered by the code of front-v1, before
front-v2 existed (commit "Golden renderings of a signed front-v1 session"); a signed
session charted on front-v1 must keep rendering to exactly those bytes.
"""

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.db import build_engine
from planner.errors import InvalidInput
from planner.facemap import CURRENT_MAP_VERSION
from planner.facemap import load_edition
from planner.migrate import alembic_config
from planner.migrate import upgrade_database
from planner.models import AuditEvent
from planner.models import ProtocolTemplate
from planner.models import TreatmentSession
from planner.reports.record import treatment_record
from planner.services import chart as chart_service
from planner.services import sessions as session_service
from planner.services.audit import SYSTEM
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from planner.services.fhir_export import export_patient
from planner.services.users import create_user
from tests import factories
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import treatment_form

GOLDEN = Path(__file__).resolve().parent / "golden"
WHEN = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Taps as front-v1 charted them: corrugator, orbital oculi, DAO, mentalis, procerus.
V1_TAPS = [(150, 140, 4.0), (90, 185, 2.5), (260, 364, 2.0), (191, 398, 2.0)]
V1_PROCERUS = (200, 168, 4.0)


def signed_v1_session(session: Session, actor: Actor, patient_id: int) -> int:
    """Chart and sign a session on front-v1, as before front-v2; return its id.

    The session records front-v1, as migration 0007 leaves every session signed
    before it; the app hands the services its current map (front-v2).
    """
    record = session_service.open_session(
        session, actor, patient_id, treatment_form(WHEN), zone=ZONE, now=WHEN
    )
    assert record.id is not None
    record.map_version = 1
    session.add(record)
    session.commit()
    version = record.version
    for x, y, units in [*V1_TAPS, V1_PROCERUS]:
        version, _site = chart_service.add_site(
            session,
            actor,
            record.id,
            {"x": x, "y": y, "units": units, "version": version},
            face_map=load_edition(1),
            default_units=default_units(session),
            now=WHEN,
            zone=ZONE,
        )
    factories.sign_treatment(
        session, actor, factories.Treatment(record, version), when=WHEN
    )
    return record.id


def renderings(session: Session, session_id: int) -> dict[str, str]:
    state = chart_state(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=WHEN
    ).as_json()
    record = treatment_record(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=WHEN
    )
    return {"chart.svg": state["svg"], "record.svg": embedded_svg(str(record.map))}


def embedded_svg(img: str) -> str:
    """The SVG inside the record's ``<img src="data:image/svg+xml;base64,...">``."""
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', img)
    assert data is not None, img[:200]
    return base64.b64decode(data.group(1)).decode()


def region_outlines(svg: str) -> dict[str, str]:
    """Each muscle region's outline (its path), by muscle and side."""
    root = ET.fromstring(svg)
    return {
        f"{path.get('data-muscle')}-{path.get('data-side')}": path.get("d", "")
        for path in root.iter("{http://www.w3.org/2000/svg}path")
        if path.get("class") == "region"
    }


V1_ROWS = pytest.mark.audit_exempt(
    "stands in for migration 0007, which marks sessions charted before it as "
    "front-v1 without an audit event",
    tables=["treatment_session"],
)


@V1_ROWS
def test_a_signed_v1_session_renders_as_it_was_signed(session, injector, make_patient):
    patient = make_patient(given_name="Vera", family_name="Golden", mrn="GOLD-1")
    session_id = signed_v1_session(session, injector, patient.id)

    drawn = renderings(session, session_id)
    # The chair draws the signed chart to exactly the bytes it was signed with.
    golden = (GOLDEN / "signed-front-v1-chart.svg").read_text(encoding="utf-8")
    # The files end with a newline, as the repository's hooks want.
    assert drawn["chart.svg"] + "\n" == golden
    # The printed record was restyled for print (issue 17: one ink, legible
    # numbers), so its bytes moved on; its anatomy did not: every region keeps
    # the front-v1 outline it was signed on.
    signed = region_outlines(
        (GOLDEN / "signed-front-v1-record.svg").read_text(encoding="utf-8")
    )
    assert len(signed) > 30
    assert region_outlines(drawn["record.svg"]) == signed


# Drafts and new sessions: the current map, its zones and guidance.

DRAFT_DAY = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


def open_draft(session: Session, actor: Actor, patient_id: int) -> tuple[int, int]:
    record = session_service.open_session(
        session,
        actor,
        patient_id,
        treatment_form(DRAFT_DAY),
        zone=ZONE,
        now=DRAFT_DAY,
    )
    assert record.id is not None
    assert record.map_version == CURRENT_MAP_VERSION
    return record.id, record.version


def tap(session, actor, session_id, version, **where):
    return chart_service.add_site(
        session,
        actor,
        session_id,
        {"version": version, **where},
        face_map=FACE_MAP,
        default_units=default_units(session),
        now=DRAFT_DAY,
        zone=ZONE,
    )


def state_of(session: Session, session_id: int) -> dict[str, Any]:
    return chart_state(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=DRAFT_DAY
    ).as_json()


def test_a_draft_is_drawn_on_the_current_map_with_its_zones(
    session, injector, make_patient
):
    session_id, _version = open_draft(session, injector, make_patient().id)

    state = state_of(session, session_id)
    assert state["map"] == {"name": "front-v2", "version": 2, "scale_px_per_cm": 20}
    assert 'id="region-mentalis-midline"' in state["svg"]
    assert 'id="zone-palpebral_fissure"' in state["svg"]
    sides = {m["code"]: m["sides"] for m in state["muscles"]}
    assert sides["mentalis"] == ["right", "left", "midline"]
    assert sides["procerus"] == ["midline"]
    corrugator = next(m for m in state["muscles"] if m["code"] == "corrugator")
    assert "[S23]" in corrugator["caution"]


@V1_ROWS
def test_a_signed_v1_session_keeps_the_v1_muscles(session, injector, make_patient):
    session_id = signed_v1_session(session, injector, make_patient().id)

    state = state_of(session, session_id)
    assert state["map"]["version"] == 1
    codes = {m["code"] for m in state["muscles"]}
    assert "depressor_supercilii" not in codes
    assert 'class="zones"' not in state["svg"]


def test_a_tap_in_a_caution_zone_places_the_site_with_its_warning(
    session, injector, make_patient
):
    session_id, version = open_draft(session, injector, make_patient().id)
    # The upper lid above the pupil, over the levator.
    version, site = tap(session, injector, session_id, version, x=143, y=168)

    assert (site.muscle, site.side.value) == (
        "orbicularis_oculi_pretarsal_upper",
        "right",
    )
    state = state_of(session, session_id)
    (placed,) = state["sites"]
    assert "[S20]" in placed["guidance"]
    assert "levator" in placed["caution"]
    (warning,) = [w for w in state["warnings"] if w["code"] == "site_in_zone"]
    assert warning["site_number"] == 1
    assert warning["severity"] == "warning"
    assert warning["needs_reason"] is True
    assert "Central upper lid, over the levator" in warning["message"]
    assert "[S20]" in warning["source"]
    # Each zone named apart with its own source, for the review sheet to name;
    # no other check carries zones.
    titles = [zone["title"] for zone in warning["zones"]]
    assert "Central upper lid, over the levator" in titles
    assert all(zone["source"] in warning["source"] for zone in warning["zones"])
    assert all("zones" not in w for w in state["warnings"] if w is not warning)

    factories.ensure_consent(session, injector, session_id, when=DRAFT_DAY)
    with pytest.raises(InvalidInput) as refused:
        session_service.sign_session(
            session,
            injector,
            session_id,
            {"version": version, "consent_obtained": True, "reasons": {}},
            zone=ZONE,
            now=DRAFT_DAY,
        )
    assert warning["key"] in str(refused.value.fields)


def test_a_tap_on_the_eye_places_nothing_and_says_why(session, injector, make_patient):
    session_id, version = open_draft(session, injector, make_patient().id)

    with pytest.raises(InvalidInput) as refused:
        tap(session, injector, session_id, version, x=143, y=184)

    assert refused.value.message == (
        "Nothing placed: the eye (palpebral fissure) is a no-go zone. "
        "Tap the lid above or below it."
    )
    assert refused.value.fields == {
        "x": "is in a no-go zone: The eye (palpebral fissure)"
    }
    assert state_of(session, session_id)["sites"] == []


def test_frontalis_is_cautioned_on_the_affected_side_only(
    session, injector, make_patient
):
    patient = make_patient(affected_side="left")
    session_id, version = open_draft(session, injector, patient.id)
    for side in ("left", "right"):
        version, _site = tap(
            session, injector, session_id, version, muscle="frontalis", side=side
        )

    zone_warnings = [
        w
        for w in state_of(session, session_id)["warnings"]
        if w["code"] == "site_in_zone"
    ]
    assert [(w["side"], w["severity"]) for w in zone_warnings] == [("left", "caution")]
    assert "Frontalis on the affected side" in zone_warnings[0]["message"]


def test_the_central_mentalis_goes_through_totals_fhir_and_csv(
    session, injector, make_patient
):
    patient = make_patient()
    session_id, version = open_draft(session, injector, patient.id)
    version, central = tap(
        session, injector, session_id, version, muscle="mentalis", side="midline"
    )
    version, tapped = tap(session, injector, session_id, version, x=200, y=390)
    version, _right = tap(
        session, injector, session_id, version, muscle="mentalis", side="right"
    )

    assert (central.x, central.y, central.role.value) == (200, 396, "midline")
    assert (tapped.muscle, tapped.side.value) == ("mentalis", "midline")
    state = state_of(session, session_id)
    assert state["totals"]["by_side"]["midline"] == central.units + tapped.units
    by_muscle = {
        (m["muscle"], m["side"]): m["units"] for m in state["totals"]["by_muscle"]
    }
    assert set(by_muscle) == {("mentalis", "midline"), ("mentalis", "right")}
    factories.ensure_consent(session, injector, session_id, when=DRAFT_DAY)
    session_service.sign_session(
        session,
        injector,
        session_id,
        {
            "version": version,
            "consent_obtained": True,
            "reasons": {w["key"]: "Agreed." for w in state["warnings"]},
        },
        zone=ZONE,
        now=DRAFT_DAY,
    )

    exported = export_patient(
        session, injector, patient.id, face_map=FACE_MAP, clinic_name="C", now=DRAFT_DAY
    )
    sites = [
        e["resource"]["dosage"]["site"]
        for e in json.loads(exported.body)["entry"]
        if e["resource"]["resourceType"] == "MedicationAdministration"
    ]
    mentalis = sorted((s["text"], "extension" in s) for s in sites)
    # Laterality is given for the right site only; the midline ones have none.
    assert mentalis == [
        ("Mentalis, midline", False),
        ("Mentalis, midline", False),
        ("Mentalis, right", True),
    ]

    factories.consent_to_research(session, injector, [patient.id])
    text = factories.research_csv(session, injector, "sites", secret_key="k")
    rows = list(csv.DictReader(io.StringIO(text)))
    # The file's side codes: M for the midline, R and L for the sides.
    assert sorted(r["side"] for r in rows if r["muscle"] == "mentalis") == [
        "M",
        "M",
        "R",
    ]


# Migration 0007 on a database charted on front-v1.


@pytest.fixture
def migrated(tmp_path):
    engine = build_engine(f"sqlite:///{tmp_path / 'v1.db'}")
    upgrade_database(engine)
    yield engine
    engine.dispose()


@pytest.mark.audit_exempt(
    "a template saved before migration 0007, as raw rows in the old schema; "
    "migration 0010, run again on the way up, chains the events already kept; "
    "0021 on the way up gives each site its session's vial; 0022 gives each vial "
    "its product's brand",
    tables=["protocol_template", "audit_event", "injection_site", "viallot"],
)
def test_migration_0007_keeps_signed_sessions_on_v1_and_moves_the_rest(
    db_url, migrated
):
    if db_url != "sqlite://":
        pytest.skip("the migration is run here on a SQLite file")
    config = alembic_config(migrated)
    before_0007 = ScriptDirectory.from_config(config).get_revision("0007").down_revision
    with Session(migrated, expire_on_commit=False) as db:
        load_catalogue(db)
        user = create_user(
            db,
            SYSTEM,
            email="i@example.org",
            name="I",
            role="injector",
            password="a long enough password",
        )
        actor = Actor(user.id, user.email)
        patient = factories.make_patient(db, SYSTEM, "MIG-1")
        signed = make_treatment(
            db, actor, patient.id, [("frontalis", "right", 2)], when=WHEN, sign=True
        ).id
        draft = make_treatment(db, actor, patient.id, when=DRAFT_DAY).id
    command.downgrade(config, str(before_0007))
    v1_sites = [
        {
            "muscle": "depressor_anguli_oris",
            "role": "affected",
            "x": 140,
            "y": 364,
            "units": 2,
        },
        {
            "muscle": "orbicularis_oculi_orbital",
            "role": "contralateral",
            "x": 307,
            "y": 206,
            "units": 2.5,
        },
        {"muscle": "procerus", "role": "midline", "x": 200, "y": 168, "units": 4},
    ]
    with migrated.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO protocol_template (name, sites, created_by_id, "
                "created_at, version) VALUES ('Old', :sites, :user, :at, 3)"
            ),
            {"sites": json.dumps(v1_sites), "user": user.id, "at": WHEN},
        )

    upgrade_database(migrated)

    with Session(migrated) as db:
        versions = dict(
            db.exec(select(TreatmentSession.id, TreatmentSession.map_version)).all()
        )
        assert versions == {signed: 1, draft: 2}
        template = db.exec(select(ProtocolTemplate)).one()
        assert [(s["x"], s["y"]) for s in template.sites] == [
            (143, 366),  # the DAO on the mid-pupillary line
            (316, 203),  # the lower crow's-feet point, drawn on the left
            (200, 168),
        ]
        assert [s["units"] for s in template.sites] == [2, 2.5, 4]
        assert template.version == 4
        events = db.exec(
            select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.actor_email)
            .where(AuditEvent.actor_email == "system")
            .where(
                col(AuditEvent.entity_type).in_(
                    ["treatment_session", "protocol_template"]
                )
            )
        ).all()
        assert sorted(events) == [
            ("protocol_template", template.id, "system"),
            ("treatment_session", draft, "system"),
        ]
