"""Issue 13 finding 8: toxin given elsewhere is recorded and counted at the chair.

Each product's units stay its own: the exposure caution lists them product by
product, and only the same product's units ever count towards its cap.
"""

from datetime import UTC
from datetime import date
from datetime import datetime

import pytest
from sqlmodel import select

from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import AuditEvent
from planner.models import Product
from planner.models import Role
from planner.models.patients import OutsideTreatment
from planner.services import outside_toxin as service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)


def product_id(session, code):
    return session.exec(select(Product.id).where(Product.code == code)).one()


@pytest.fixture
def give_elsewhere(session, injector):
    def give(patient, code, units, on, place="City Skin Clinic", why="Glabellar lines"):
        return service.add_outside_treatment(
            session,
            injector,
            patient.id,
            {
                "given_on": on.isoformat(),
                "product_id": str(product_id(session, code)),
                "units": str(units),
                "indication": why,
                "place": place,
            },
            today=TODAY,
        )

    return give


def chart_warnings(session, injector, patient, sites, *, product="botox"):
    vial = {"vial_units": 300} if product == "dysport" else {}
    record = make_treatment(
        session, injector, patient.id, sites, when=NOW, product=product, **vial
    ).record
    state = chart_state(
        session, record.id, face_map=FACE_MAP, zone=ZONE, now=NOW
    ).as_json()
    return {w["code"]: w for w in state["warnings"]}


def test_the_exposure_caution_lists_outside_toxin_product_by_product(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    give_elsewhere(patient, "dysport", 300, date(2026, 11, 3))
    give_elsewhere(
        patient, "xeomin", 200, date(2026, 10, 28), "Neurology", "Cervical dystonia"
    )
    found = chart_warnings(
        session, injector, patient, [("mentalis", "left", 4), ("platysma", "left", 6)]
    )
    exposure = found["recent_exposure"]
    assert exposure["severity"] == "caution"
    message = exposure["message"]
    assert "Botox 10 U today" in message
    assert (
        "Dysport 300 U (Speywood) on 3 Nov 2026, given elsewhere "
        "(City Skin Clinic, Glabellar lines)" in message
    )
    assert "Xeomin 200 U on 28 Oct 2026, given elsewhere (Neurology, " in message
    assert "In all, by product: Botox 10 U; Xeomin 200 U; Dysport 300 U" in message
    # Never a sum across products: 10 + 300 + 200 appears nowhere.
    assert "510" not in message
    assert "cap_exceeded" not in found


def test_outside_toxin_of_the_same_product_counts_towards_its_cap(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    give_elsewhere(patient, "botox", 390, date(2026, 11, 1), "Pain clinic", "Migraine")
    found = chart_warnings(session, injector, patient, [("mentalis", "left", 20)])
    assert found["cap_exceeded"]["severity"] == "warning"
    assert "410 U" in found["cap_exceeded"]["message"]


def test_another_products_outside_units_never_reach_the_cap(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    give_elsewhere(patient, "dysport", 1500, date(2026, 11, 1), "Rehab", "Spasticity")
    found = chart_warnings(session, injector, patient, [("mentalis", "left", 20)])
    assert "cap_exceeded" not in found
    assert "cap_near" not in found
    assert "Dysport 1500 U (Speywood)" in found["recent_exposure"]["message"]


def test_a_dysport_chart_lists_botox_given_elsewhere(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    give_elsewhere(patient, "botox", 50, date(2026, 10, 1))
    found = chart_warnings(
        session, injector, patient, [("mentalis", "left", 10)], product="dysport"
    )
    message = found["recent_exposure"]["message"]
    assert "Dysport 10 U (Speywood) today" in message
    assert "Botox 50 U on 1 Oct 2026, given elsewhere" in message


def test_outside_toxin_before_the_three_months_is_not_listed(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    give_elsewhere(patient, "dysport", 300, date(2026, 6, 1))
    found = chart_warnings(session, injector, patient, [("mentalis", "left", 4)])
    assert "recent_exposure" not in found


def test_recording_is_audited_and_listed_on_the_patient(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient()
    row = give_elsewhere(patient, "dysport", 300, date(2026, 11, 3))
    event = session.exec(
        select(AuditEvent).where(AuditEvent.entity_type == "outside_treatment")
    ).one()
    assert (event.action, event.entity_id, event.patient_id) == (
        "create",
        row.id,
        patient.id,
    )
    assert event.after["units"] == 300
    (entry,) = service.list_outside_treatments(session, patient.id)
    assert (entry.brand, entry.units, entry.unit_name, entry.place) == (
        "Dysport",
        300,
        "U (Speywood)",
        "City Skin Clinic",
    )


def test_removing_is_audited_and_leaves_the_checks(
    session, injector, make_patient, give_elsewhere
):
    patient = make_patient(affected_side="left")
    row = give_elsewhere(patient, "dysport", 300, date(2026, 11, 3))
    service.remove_outside_treatment(session, injector, patient.id, row.id)
    assert session.get(OutsideTreatment, row.id) is None
    event = session.exec(
        select(AuditEvent).where(
            AuditEvent.entity_type == "outside_treatment",
            AuditEvent.action == "delete",
        )
    ).one()
    assert event.before["product_id"] == product_id(session, "dysport")
    found = chart_warnings(session, injector, patient, [("mentalis", "left", 4)])
    assert "recent_exposure" not in found


def test_removing_another_patients_record_is_not_found(
    session, injector, make_patient, give_elsewhere
):
    row = give_elsewhere(make_patient(), "dysport", 300, date(2026, 11, 3))
    other = make_patient()
    with pytest.raises(NotFound):
        service.remove_outside_treatment(session, injector, other.id, row.id)
    assert session.get(OutsideTreatment, row.id) is not None


@pytest.mark.parametrize("role", [Role.INJECTOR, Role.ADMIN])
def test_injectors_and_admins_may_record(session, make_user, make_patient, role):
    user = make_user(role)
    patient = make_patient()
    service.add_outside_treatment(
        session,
        Actor(user.id, user.email),
        patient.id,
        {
            "given_on": "2026-11-01",
            "product_id": product_id(session, "botox"),
            "units": 20,
            "indication": "Glabellar lines",
            "place": "Elsewhere",
        },
        today=TODAY,
    )
    assert len(service.list_outside_treatments(session, patient.id)) == 1


def test_staff_may_neither_record_nor_remove(
    session, make_user, make_patient, give_elsewhere
):
    staff_user = make_user(Role.STAFF)
    staff = Actor(staff_user.id, staff_user.email)
    patient = make_patient()
    row = give_elsewhere(patient, "dysport", 300, date(2026, 11, 3))
    data = {
        "given_on": "2026-11-01",
        "product_id": product_id(session, "botox"),
        "units": 20,
        "indication": "Glabellar lines",
        "place": "Elsewhere",
    }
    with pytest.raises(Forbidden, match="Only an injector or an admin"):
        service.add_outside_treatment(session, staff, patient.id, data, today=TODAY)
    with pytest.raises(Forbidden):
        service.remove_outside_treatment(session, staff, patient.id, row.id)
    assert [e.id for e in service.list_outside_treatments(session, patient.id)] == [
        row.id
    ]


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        ({"units": "0"}, "units", "greater than 0"),
        ({"units": "nan"}, "units", ""),
        ({"units": "lots"}, "units", ""),
        ({"product_id": "9999"}, "product_id", "is not a product in the catalogue"),
        ({"product_id": ""}, "product_id", "is required"),
        ({"given_on": "2026-11-21"}, "given_on", "cannot be in the future"),
        ({"given_on": "1960-01-01"}, "given_on", "before the patient's date of birth"),
        ({"given_on": "not a day"}, "given_on", ""),
        ({"indication": "  "}, "indication", "is required"),
        ({"place": ""}, "place", "is required"),
        ({"place": "x" * 121}, "place", ""),
        ({"place": "City\x00Clinic"}, "place", "NUL"),
        ({"given_on": "1899-12-31"}, "given_on", "on or after 1900-01-01"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    session, injector, make_patient, change, field, reason
):
    patient = make_patient(date_of_birth=date(1971, 5, 14))
    data = {
        "given_on": "2026-11-01",
        "product_id": str(product_id(session, "botox")),
        "units": "20",
        "indication": "Glabellar lines",
        "place": "Elsewhere",
        **change,
    }
    with pytest.raises(InvalidInput) as info:
        service.add_outside_treatment(session, injector, patient.id, data, today=TODAY)
    assert field in info.value.fields
    assert reason in info.value.fields[field]
    assert service.list_outside_treatments(session, patient.id) == []
