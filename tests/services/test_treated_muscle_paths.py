"""Issue 22: a muscle a procedure excised or denervated, on every charting path.

Tap, copy last cycle, template and amendment, with Botox and Dysport, against a
real database: a tap there places nothing unconfirmed, a confirmed site warns and
needs a reason to sign; copy-last and templates leave it out and name it.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart as chart_service
from planner.services import chart_prefill
from planner.services import protocols
from planner.services import therapy
from planner.services.audit import Actor
from planner.services.chart_state import default_units
from tests.factories import ZONE
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.test_safety_paths import chair_sites
from tests.services.test_safety_paths import point

UNITS = {"botox": 2, "dysport": 5}
LEFT_DAO = ("depressor_anguli_oris", "left")
TODAY = (DAY0 + timedelta(days=200)).date()


class SurgeryChair(Chair):
    def tap_confirmed(self, record, version, units, when=DAY0, where=LEFT_DAO):
        """Tap the left DAO (or ``where``), confirming it though a procedure
        removed it."""
        x, y = point(*where)
        data = {"x": x, "y": y, "version": version, "units": units}
        return chart_service.add_site(
            self.session,
            self.injector,
            record.id,
            {**data, "confirm_treated_muscle": True},
            face_map=FACE_MAP,
            default_units=default_units(self.session),
            now=when,
            zone=ZONE,
        )

    def copy_last(self, record, version, when):
        """Copy the patient's last cycle onto the chart."""
        return chart_prefill.copy_last_cycle(
            self.session,
            self.injector,
            record.id,
            {"version": version},
            now=when,
            zone=ZONE,
        )


@pytest.fixture
def chair(session, injector):
    return SurgeryChair(session, injector)


def make_template(session, make_user, name, product, sites):
    """Save a protocol template, as an admin."""
    admin = make_user(Role.ADMIN)
    return protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        face_map=FACE_MAP,
        name=name,
        description=None,
        product=product,
        sites=sites,
    )


def excise_left_dao(session, actor, patient, on=date(2026, 2, 2)):
    return therapy.add_procedure(
        session,
        actor,
        patient.id,
        {
            "kind": "dao_excision",
            "side": "left",
            "performed_on": on.isoformat(),
            "surgeon": "Ms Surgeon",
            "muscles": [],
        },
        today=TODAY,
    )


def treated(warnings):
    return [w for w in warnings if w["code"] == "site_on_treated_muscle"]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_tap_on_the_excised_dao_is_refused_then_warns_once_confirmed(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient)
    record, version = chair.open(patient, DAY0, product=product)
    with pytest.raises(InvalidInput) as info:
        chair.tap(record, version, *LEFT_DAO, UNITS[product])
    assert "confirm_treated_muscle" in info.value.fields
    assert "DAO excision (myectomy), 2 Feb 2026" in info.value.message
    assert chair_sites(session, record, DAY0) == []
    # The other side is untouched: no confirmation, no warning.
    version, _ = chair.tap(record, version, "depressor_anguli_oris", "right", 2)
    assert treated(chair.warnings(record, DAY0)) == []
    version, site = chair.tap_confirmed(record, version, UNITS[product])
    (warning,) = treated(chair.warnings(record, DAY0))
    assert (warning["severity"], warning["needs_reason"]) == ("warning", True)
    assert warning["site_number"] == site.number
    assert "excised" in warning["message"]
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, DAY0)
    assert f"reasons.{warning['key']}" in info.value.fields
    signed = chair.sign_with_reasons(record, version, DAY0)
    kept = [w for w in signed.warnings if w["code"] == "site_on_treated_muscle"]
    assert kept[0]["reason"] == "Discussed with the patient"


def test_a_procedure_after_the_treatment_day_does_not_count(
    session, chair, make_patient
):
    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient, on=date(2026, 6, 1))
    record, version = chair.open(patient, DAY0)
    chair.tap(record, version, *LEFT_DAO, 2)
    assert treated(chair.warnings(record, DAY0)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_copy_last_cycle_leaves_out_the_excised_dao_and_says_so(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    units = UNITS[product]
    chair.given(
        patient,
        DAY0,
        [(*LEFT_DAO, units), ("mentalis", "left", units)],
        product=product,
    )
    excise_left_dao(session, chair.injector, patient, on=date(2026, 4, 1))
    later = DAY0 + timedelta(days=100)
    record, version = chair.open(patient, later, product=product)
    done = chair.copy_last(record, version, later)
    assert [s["muscle"] for s in chair_sites(session, record, later)] == ["mentalis"]
    assert done.left_out == (
        "Left out the left depressor anguli oris: excised (DAO excision "
        "(myectomy), 1 Apr 2026).",
    )
    assert treated(chair.warnings(record, later)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_template_leaves_out_the_excised_dao_and_says_so(
    session, chair, make_patient, make_user, product
):
    template = make_template(
        session,
        make_user,
        f"Chin and DAO ({product})",
        product,
        [
            {"muscle": "depressor_anguli_oris", "role": "affected", "units": 2},
            {"muscle": "depressor_anguli_oris", "role": "contralateral", "units": 2},
            {"muscle": "mentalis", "role": "affected", "units": 2},
        ],
    )
    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient)
    record, version = chair.open(patient, DAY0, product=product)
    done = chair.apply_template(record, version, template)
    placed = [(s["muscle"], s["side"]) for s in chair_sites(session, record, DAY0)]
    assert placed == [("depressor_anguli_oris", "right"), ("mentalis", "left")]
    assert len(done.left_out) == 1
    assert "left depressor anguli oris" in done.left_out[0]


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_needs_a_reason_once_the_excision_is_on_record(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    signed = chair.given(patient, DAY0, [(*LEFT_DAO, UNITS[product])], product=product)
    # Recorded afterwards: the excision was done before that treatment.
    excise_left_dao(session, chair.injector, patient, on=date(2026, 1, 10))
    site_id = chair_sites(session, signed, DAY0)[0]["id"]
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": site_id, "units": UNITS[product] + 1}],
    }
    with pytest.raises(InvalidInput) as info:
        amendment_service.amend_session(
            session, chair.injector, signed.id, correction, zone=LONDON, now=DAY0
        )
    key = "site_on_treated_muscle:depressor_anguli_oris:left:1"
    assert f"reasons.{key}" in info.value.fields
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {**correction, "reasons": {key: "Residual muscle on EMG"}},
        zone=LONDON,
        now=DAY0,
    )
    kept = {w["code"]: w for w in amendment.changes["warnings"]}
    assert kept["site_on_treated_muscle"]["reason"] == "Residual muscle on EMG"


def test_the_chart_map_hatches_the_excised_muscle_with_procedure_and_date(
    session, chair, make_patient
):
    import xml.etree.ElementTree as ET

    from planner.services.chart_state import chart_state

    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient)
    record, _ = chair.open(patient, DAY0, product="dysport")
    state = chart_state(
        session, record.id, face_map=FACE_MAP, zone=LONDON, now=DAY0
    ).as_json()
    svg = ET.fromstring(state["svg"])
    ns = {"svg": "http://www.w3.org/2000/svg"}
    (hatched,) = svg.findall(".//svg:path[@class='treated']", ns)
    assert (hatched.get("data-muscle"), hatched.get("data-side")) == LEFT_DAO
    assert hatched.get("fill") == "url(#hatch-treated)"
    (label,) = svg.findall(".//svg:text[@class='treated-label']", ns)
    assert label.text == "DAO excision (myectomy), 2 Feb 2026"
    assert state["treated_muscles"] == [
        {
            "muscle": "depressor_anguli_oris",
            "side": "left",
            "wording": "excised (DAO excision (myectomy), 2 Feb 2026)",
        }
    ]


def test_moving_a_site_onto_the_excised_dao_needs_the_confirmation_too(
    session, chair, make_patient
):
    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient)
    record, version = chair.open(patient, DAY0, product="dysport")
    version, site = chair.tap(record, version, "mentalis", "left", 5)
    x, y = point(*LEFT_DAO)
    move = {"version": version, "x": x, "y": y}
    with pytest.raises(InvalidInput) as info:
        chair.change(record, site.id, move)
    assert "confirm_treated_muscle" in info.value.fields
    session.rollback()
    version, moved = chair.change(
        record, site.id, {**move, "confirm_treated_muscle": True}
    )
    assert (moved.muscle, moved.side.value) == LEFT_DAO
    assert len(treated(chair.warnings(record, DAY0))) == 1


def test_a_procedure_recorded_since_the_last_chart_is_told_as_a_flag_change(
    session, chair, make_patient
):
    from planner.services.chart_state import chart_state

    patient = make_patient(affected_side="left")
    chair.given(patient, DAY0, [("mentalis", "left", 2)])
    excise_left_dao(session, chair.injector, patient)
    later = DAY0 + timedelta(days=100)
    record, _ = chair.open(patient, later)
    state = chart_state(
        session, record.id, face_map=FACE_MAP, zone=LONDON, now=later
    ).as_json()
    told = " ".join(str(change) for change in state["flag_changes"])
    assert "procedure added: DAO excision (myectomy), left" in told
    assert "depressor anguli oris" in told


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_tap_at_half_past_midnight_meets_that_days_procedure(
    session, chair, make_patient, product
):
    """00:30 in a London July is 23:30 UTC the day before: the clinic's day rules.

    The tap's refusal and the checks at signing date the chart alike, so a
    procedure recorded for that day stops the tap as it warns at signing.
    """
    patient = make_patient(affected_side="left")
    excise_left_dao(session, chair.injector, patient, on=date(2026, 7, 15))
    half_past_midnight = datetime(2026, 7, 15, 0, 30, tzinfo=LONDON)
    assert half_past_midnight.astimezone(UTC).date() == date(2026, 7, 14)
    record, version = chair.open(patient, half_past_midnight, product=product)
    with pytest.raises(InvalidInput) as info:
        chair.tap(record, version, *LEFT_DAO, UNITS[product], when=half_past_midnight)
    assert "15 Jul 2026" in info.value.message
    # A move onto it is refused too, on the same day.
    version, site = chair.tap(
        record, version, "depressor_anguli_oris", "right", 2, when=half_past_midnight
    )
    x, y = point(*LEFT_DAO)
    with pytest.raises(InvalidInput) as info:
        chair.change(
            record, site.id, {"x": x, "y": y, "version": version}, half_past_midnight
        )
    assert "confirm_treated_muscle" in info.value.fields
