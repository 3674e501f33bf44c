"""Today's consent badge shows only on rows where treatment consent matters.

A patient whose treatment consent is not in force (here: withdrawn) is badged
on a treatment still to come, a draft chart and a top-up draft, which signing
would refuse; not on a signed chart, a review visit, a review due unbooked or a
missed treatment, where nothing waits on that consent. Botox and Dysport charts.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import Appointment
from planner.models import ConsentRecord
from planner.models import Role
from planner.services.consent_withdrawal import withdraw_record
from tests.factories import give_consent
from tests.factories import make_appointment
from tests.factories import make_treatment

# 10:00 BST on Wednesday 15 July 2026.
NOW = datetime(2026, 7, 15, 9, 0, tzinfo=UTC)
PRODUCTS = {
    "botox": (100, [("mentalis", "left", 2.5)]),
    "dysport": (300, [("mentalis", "left", 10)]),
}
# Each patient's family name, and whether its rows carry the badge.
EXPECTED = {
    "Booked": True,
    "Drafted": True,
    "Topped": True,
    "Signed": False,
    "Reviewed": False,
    "Unbooked": False,
    "Missed": False,
}

pytestmark = pytest.mark.audit_exempt(
    "appointments as raw rows", tables=["appointment"]
)


@pytest.fixture
def frozen(app, monkeypatch):
    monkeypatch.setattr("planner.views.context.utc_now", lambda: NOW)
    return NOW


def _chart(session, injector, patient, product, *, when, sign=False, kind="full"):
    vial, sites = PRODUCTS[product]
    return make_treatment(
        session,
        injector,
        patient.id,
        sites,
        when=when,
        sign=sign,
        product=product,
        vial_units=vial,
        diluent_ml=2.5,
        kind=kind,
        lot_number=f"{product[:3].upper()}{patient.id}{kind[0].upper()}",
    )


def _clinic_day(session, injector, make_patient, product):
    """Book each kind of row for a patient of its own; return them by name."""
    people = {}
    for name in EXPECTED:
        people[name] = make_patient(family_name=name)
        give_consent(session, injector, people[name].id, when=NOW - timedelta(days=20))
    later, earlier = NOW + timedelta(hours=2), NOW - timedelta(hours=2)
    for name, kind in (
        ("Booked", "treatment"),
        ("Drafted", "treatment"),
        ("Signed", "treatment"),
        ("Reviewed", "review"),
        ("Topped", "review"),
    ):
        make_appointment(session, people[name].id, later, kind=kind)
    make_appointment(
        session, people["Missed"].id, earlier, kind="treatment", status="missed"
    )
    session.add(
        Appointment(
            patient_id=people["Unbooked"].id,
            kind="review",
            status="proposed",
            due_date=NOW.date(),
        )
    )
    _chart(session, injector, people["Drafted"], product, when=NOW)
    _chart(session, injector, people["Signed"], product, when=earlier, sign=True)
    _chart(
        session,
        injector,
        people["Topped"],
        product,
        when=NOW - timedelta(days=14),
        sign=True,
    )
    _chart(session, injector, people["Topped"], product, when=NOW, kind="top_up")
    # Withdrawn now: signing any of these charts today would be refused.
    for patient in people.values():
        mine = select(ConsentRecord).where(ConsentRecord.patient_id == patient.id)
        for record in session.exec(mine).all():
            withdraw_record(session, injector, record, "Changed their mind.", NOW)
    session.commit()
    return people


def _rows_by_patient(page):
    rows: dict[str, list[str]] = {}
    for chunk in page.split('<tr class="today-row')[1:]:
        row = chunk.split("</tr>")[0]
        names = [name for name in EXPECTED if f">{name}, " in row]
        assert len(names) == 1, row
        rows.setdefault(names[0], []).append(row)
    return rows


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_the_badge_shows_only_where_consent_matters_for_the_row(
    login_as, session, injector, make_patient, frozen, product
):
    _clinic_day(session, injector, make_patient, product)
    response = login_as(Role.INJECTOR).get("/")
    assert response.status_code == 200
    rows = _rows_by_patient(response.get_data(as_text=True))
    assert set(rows) == set(EXPECTED)
    badged = {name: all("consent-badge" in row for row in rows[name]) for name in rows}
    unbadged = {
        name: all("consent-badge" not in row for row in rows[name]) for name in rows
    }
    for name, expected in EXPECTED.items():
        assert (badged if expected else unbadged)[name], (name, rows[name])


@pytest.mark.parametrize("product", list(PRODUCTS))
def test_the_patient_page_keeps_its_badge_after_a_signed_chart(
    login_as, session, injector, make_patient, frozen, product
):
    people = _clinic_day(session, injector, make_patient, product)
    browser = login_as(Role.INJECTOR)
    for name in ("Signed", "Reviewed"):
        page = browser.get(f"/patients/{people[name].id}").get_data(as_text=True)
        assert "consent-badge" in page, name
