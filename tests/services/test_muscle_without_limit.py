"""A chart's muscles with no dose limit of their own for its product (review rX, X1).

The clinical reference gives per-muscle figures for Botox only; the other labels
give a glabellar dose, and §2.1 forbids converting Botox's figures into their
units. A site in such a muscle is checked only against the product's ceilings:
one caution per chart says so, names the muscles and the ceilings' figures, on
every path a chart's findings take (tap, dose change, copy, template, top-up,
amendment, signing, the chart state and the printed record). A limit the clinic
sets for the muscle on the limits page takes it off the list.
"""

from datetime import timedelta

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.dosing import PlannedSite
from planner.dosing import shipped_doses
from planner.dosing.dose_limits import check_muscles_without_limit
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart_prefill
from planner.services import protocols
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.factories import ZONE
from tests.services.test_glabellar_session_limit import pdf_text
from tests.services.test_limit_settings import save
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair

CODE = "muscle_without_limit"
# Brand, a dose within every limit, and the ceilings as the caution names them.
PRODUCTS = {
    "dysport": (
        "Dysport",
        5,
        "25 U (Speywood) a site, 125 U (Speywood) a side, 250 U (Speywood) a session",
    ),
    "xeomin": ("Xeomin", 2, "10 U a site, 50 U a side, 100 U a session"),
    "daxxify": ("Daxxify", 4, "20 U a site, 100 U a side, 200 U a session"),
}
EYELID = "orbicularis_oculi_pretarsal_upper"


def caution(code, *muscles):
    brand, _, ceilings = PRODUCTS[code]
    named = ", ".join(muscle.replace("_", " ") for muscle in muscles)
    return (
        f"No dose limit of its own for {brand} in: {named}. Only the clinic's "
        f"ceilings apply: {ceilings} (clinic settings). An admin can set a limit "
        "on the dose limits page."
    )


def without_limit(warnings):
    return [w for w in warnings if w["code"] == CODE]


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN)
    return Actor(user.id, user.email)


def test_botox_has_a_limit_for_every_muscle_and_gives_no_caution():
    doses = shipped_doses("botox")
    sites = [
        PlannedSite(n, muscle, "left", "affected", 1)
        for n, muscle in enumerate(
            [EYELID, "mentalis", "platysma", "buccinator"], start=1
        )
    ]
    assert check_muscles_without_limit(doses, "Botox", [s.muscle for s in sites]) == []


def test_the_pure_check_names_each_muscle_once_in_chart_order():
    (found,) = check_muscles_without_limit(
        shipped_doses("xeomin"),
        "Xeomin",
        [EYELID, "corrugator", "mentalis", EYELID, "procerus"],
    )
    assert (found.code, found.severity, found.needs_reason) == (CODE, "caution", False)
    assert found.message == caution("xeomin", EYELID, "mentalis")
    assert (found.site_number, found.muscle) == (None, None)
    assert "§2.1" in found.source


@pytest.mark.parametrize("code", ["botox", *PRODUCTS])
def test_a_tap_and_a_dose_change_give_one_caution_for_the_chart(
    chair, make_patient, code
):
    record, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    # A tap with no default starts empty: its muscle is named all the same.
    version, first = chair.tap(record, version, EYELID, "left")
    version, _ = chair.tap(record, version, "mentalis", "left", 2)
    version, _ = chair.tap(record, version, EYELID, "right", 2)
    version, _ = chair.tap(record, version, "corrugator", "left", 2)
    found = without_limit(chair.warnings(record, DAY0))
    if code == "botox":
        assert found == []
        return
    (one,) = found
    assert one["message"] == caution(code, EYELID, "mentalis")
    assert (one["severity"], one["needs_reason"], one["key"]) == (
        "caution",
        False,
        CODE,
    )
    dose = PRODUCTS[code][1]
    chair.change(record, first.id, {"version": version, "units": dose}, DAY0)
    (one,) = without_limit(chair.warnings(record, DAY0))
    assert one["message"] == caution(code, EYELID, "mentalis")


@pytest.mark.parametrize("code", ["dysport", "xeomin"])
def test_a_limit_the_clinic_sets_takes_the_muscle_off_the_list(
    session, chair, admin, make_patient, code
):
    record, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    for muscle in (EYELID, "mentalis", "platysma"):
        version, _ = chair.tap(record, version, muscle, "left", 2)
    (one,) = without_limit(chair.warnings(record, DAY0))
    assert one["message"] == caution(code, EYELID, "mentalis", "platysma")
    # A per-side limit for the eyelid, a per-point one for the chin.
    assert save(session, admin, code, **{f"muscle_side.{EYELID}": "3"}) == 1
    assert save(session, admin, code, **{"point.mentalis.high": "3"}) == 1
    (one,) = without_limit(chair.warnings(record, DAY0))
    assert one["message"] == caution(code, "platysma")
    assert save(session, admin, code, **{"muscle_side.platysma": "30"}) == 1
    assert without_limit(chair.warnings(record, DAY0)) == []
    # Cleared again: the muscle has no limit of its own once more.
    assert save(session, admin, code, **{"muscle_side.platysma": ""}) == 1
    (one,) = without_limit(chair.warnings(record, DAY0))
    assert one["message"] == caution(code, "platysma")


@pytest.mark.parametrize("code", ["botox", "dysport", "daxxify"])
def test_signing_keeps_the_caution_and_the_record_prints_it(
    session, chair, make_patient, login_as, tmp_path, code
):
    record, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    version, _ = chair.tap(record, version, "mentalis", "left", 2)
    signed = chair.sign_with_reasons(record, version, DAY0)
    kept = [w for w in signed.warnings if w["code"] == CODE]
    pdf = login_as(Role.STAFF).get(f"/sessions/{record.id}/record.pdf")
    assert pdf.status_code == 200
    text = pdf_text(pdf.data, tmp_path)
    if code == "botox":
        assert kept == []
        assert "No dose limit of its own" not in text
        return
    (one,) = kept
    assert one["message"] == caution(code, "mentalis")
    assert caution(code, "mentalis") in text.replace("- ", "-")


@pytest.mark.parametrize("code", ["botox", "dysport", "xeomin"])
def test_copy_template_top_up_and_amendment_give_the_caution(
    session, chair, admin, make_patient, code
):
    dose = PRODUCTS.get(code, ("Botox", 2, ""))[1]
    patient = make_patient(affected_side="left")
    signed = chair.given(
        patient,
        DAY0,
        [("mentalis", "left", dose), (EYELID, "left", dose)],
        product=code,
    )

    def expected(*muscles):
        return [] if code == "botox" else [caution(code, *muscles)]

    # A top-up in the review window.
    review = DAY0 + timedelta(days=14)
    top_up, version = chair.open(patient, review, product=code, kind="top_up")
    chair.tap(top_up, version, "platysma", "left", dose, review)
    found = without_limit(chair.warnings(top_up, review))
    assert [w["message"] for w in found] == expected("platysma")

    # An amendment of the full treatment carries the caution with its warnings.
    first = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == signed.id)
        .order_by(col(InjectionSite.number))
    ).first()
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {
            "version": signed.version,
            "reason": "Typed wrong",
            "corrections": [{"site_id": first.id, "units": dose + 1}],
        },
        zone=LONDON,
        now=review,
    )
    kept = without_limit(amendment.changes["warnings"])
    assert [w["message"] for w in kept] == expected("mentalis", EYELID)

    # Copy last cycle into a new chart of the same product.
    later = DAY0 + timedelta(days=100)
    other = chair.given(
        make_patient(affected_side="left"),
        DAY0,
        [("mentalis", "left", dose)],
        product=code,
    )
    copy, version = chair.open(
        session.get(Patient, other.patient_id), later, product=code
    )
    chart_prefill.copy_last_cycle(
        session, chair.injector, copy.id, {"version": version}, now=later, zone=ZONE
    )
    found = without_limit(chair.warnings(copy, later))
    assert [w["message"] for w in found] == expected("mentalis")

    # A template of the product.
    template = protocols.create_template(
        session,
        admin,
        face_map=FACE_MAP,
        name=f"{code} chin",
        description=None,
        product=code,
        sites=[{"muscle": "depressor_anguli_oris", "role": "affected", "units": dose}],
    )
    fresh, version = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    chair.apply_template(fresh, version, template)
    found = without_limit(chair.warnings(fresh, DAY0))
    assert [w["message"] for w in found] == expected("depressor anguli oris")


def test_the_chart_state_json_and_the_warnings_panel_carry_the_caution(
    session, chair, make_patient, login_as
):
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, DAY0, product="xeomin")
    chair.tap(record, version, "mentalis", "left", 2)
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=LONDON, now=DAY0)
    assert [w.message for w in state.warnings if w.code == CODE] == [
        caution("xeomin", "mentalis")
    ]
    client = login_as(Role.INJECTOR)
    body = client.get(f"/api/v1/sessions/{record.id}").get_json()
    assert [w["message"] for w in without_limit(body["warnings"])] == [
        caution("xeomin", "mentalis")
    ]
    page = client.get(f"/sessions/{record.id}").get_data(as_text=True)
    assert caution("xeomin", "mentalis").replace("'", "&#39;") in page


@pytest.mark.parametrize("code", ["botox", "dysport"])
def test_the_add_site_hint_says_the_dose_may_start_empty(
    chair, make_patient, login_as, code
):
    record, _ = chair.open(make_patient(affected_side="left"), DAY0, product=code)
    page = login_as(Role.INJECTOR).get(f"/sessions/{record.id}").get_data(as_text=True)
    brand = PRODUCTS.get(code, ("Botox",))[0]
    assert (
        "Places the site at the muscle's reference point, with the default dose "
        f"for that muscle in {brand} units. Where {brand} has no default for the "
        "muscle, the dose starts empty: enter it before signing."
    ) in page
    assert "with the clinic's default dose" not in page
