"""The research export leaves out patients who withdrew their research consent."""

import csv
import io
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.consent.kinds import ConsentKind
from planner.interop.research_csv_cells import pseudonym
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.services.consent import withdraw_consent
from planner.services.research_context import withdrawn_from_research
from tests.factories import CHIN_DOSES
from tests.factories import give_consent
from tests.factories import make_assessment
from tests.factories import sign_chin

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
KEY = b"test"  # the app fixture's SECRET_KEY
WEEKS_30 = timedelta(weeks=30)


@pytest.fixture
def two_patients(session, injector, make_patient):
    """A consenting and a withdrawn patient, each treated with each product."""
    found = {}
    for name in ("consenting", "withdrawn"):
        patient = make_patient(given_name=name.title())
        make_assessment(
            session, injector, patient.id, timepoint="baseline", when=NOW - WEEKS_30
        )
        for weeks, product in enumerate(sorted(CHIN_DOSES)):
            sign_chin(
                session,
                injector,
                patient.id,
                when=NOW - timedelta(weeks=14 * (2 - weeks)),
                product=product,
                lot_number=f"RC{patient.id}{product[:2]}",
            )
        record = give_consent(
            session, injector, patient.id, when=NOW, kind=ConsentKind.RESEARCH
        )
        found[name] = (patient, record)
    _, record = found["withdrawn"]
    withdraw_consent(
        session, injector, record.id, {"reason": "No longer wishes it"}, now=NOW
    )
    return {name: patient for name, (patient, _) in found.items()}


def refs(response):
    text = response.get_data(as_text=True)
    return {row["patient_ref"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("name", ["sessions", "sites", "scores", "adverse_events"])
def test_the_withdrawn_patient_is_in_no_file(session, login_as, two_patients, name):
    admin = login_as(Role.ADMIN)
    response = admin.get(f"/exports/{name}.csv", buffered=True)
    assert response.status_code == 200
    found = refs(response)
    assert pseudonym(KEY, two_patients["withdrawn"].id) not in found
    if name != "adverse_events":
        assert pseudonym(KEY, two_patients["consenting"].id) in found


def test_both_products_of_the_consenting_patient_stay(session, login_as, two_patients):
    text = (
        login_as(Role.ADMIN).get("/exports/sessions.csv", buffered=True).get_data(True)
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["product"] for row in rows} == {"botox", "dysport"}
    assert {row["patient_ref"] for row in rows} == {
        pseudonym(KEY, two_patients["consenting"].id)
    }
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORT)
    ).one()
    assert event.after["patients_left_out"] == 1


def test_the_latest_research_consent_decides(session, injector, two_patients):
    withdrawn = two_patients["withdrawn"]
    assert withdrawn_from_research(session) == {withdrawn.id}
    give_consent(
        session,
        injector,
        withdrawn.id,
        when=NOW + timedelta(days=1),
        kind=ConsentKind.RESEARCH,
    )
    assert withdrawn_from_research(session) == frozenset()
