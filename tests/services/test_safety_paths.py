"""Issue 13: every path that changes a chart meets the same safety checks.

Tap, dose change, copy last cycle, template, signing, amendment and top-up, each
with more than one product, against a real database.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.facemap import load_face_map
from planner.facemap import reference_points
from planner.models import Depth
from planner.models import InjectionSite
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart as chart_service
from planner.services import chart_prefill
from planner.services import protocols
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from planner.services.patients import update_patient
from tests.factories import ZONE
from tests.factories import ensure_consent

LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
FACE_MAP = load_face_map(Path(__file__).resolve().parents[2] / "face_maps")
DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def point(muscle, side):
    x, y = reference_points(FACE_MAP, FACE_MAP.muscle(muscle), side)[0]
    return float(x), float(y)


@pytest.fixture
def injector(make_user):
    user = make_user(Role.INJECTOR)
    return Actor(user.id, user.email)


class Chair:
    """An injector at the chair, with the clinic's zone and a clock they set."""

    def __init__(self, session, injector, zone=LONDON):
        self.session = session
        self.injector = injector
        self.zone = zone

    def open(self, patient, when, *, product="botox", kind="full", **lot):
        data = {
            "kind": kind,
            "product": product,
            "lot_choice": "new",
            "lot_number": lot.get("lot_number", "L1"),
            "expiry_date": lot.get("expiry_date", "2028-01-31"),
            "vial_units": lot.get("vial_units", 100 if product != "dysport" else 300),
            "diluent_ml": lot.get("diluent_ml", 1.25 if product == "daxxify" else 2.5),
            "reconstituted_at": lot.get("reconstituted_at", when.isoformat()),
            "consent_obtained": "true",
            **{k: v for k, v in lot.items() if k == "dilution_confirmed"},
        }
        record = session_service.open_session(
            self.session, self.injector, patient.id, data, zone=self.zone, now=when
        )
        return record, 1

    def tap(self, record, version, muscle, side, units=None, when=DAY0):
        x, y = point(muscle, side)
        data = {"x": x, "y": y, "version": version}
        if units is not None:
            data["units"] = units
        version, site = chart_service.add_site(
            self.session,
            self.injector,
            record.id,
            data,
            face_map=FACE_MAP,
            default_units=default_units(self.session),
            now=when,
            zone=ZONE,
        )
        return version, site

    def change(self, record, site_id, data, when=None):
        """Change a site's dose or move it, as of ``when`` (the service's clock
        unless given)."""
        return chart_service.update_site(
            self.session,
            self.injector,
            record.id,
            site_id,
            data,
            face_map=FACE_MAP,
            now=when,
            zone=ZONE,
        )

    def apply_template(self, record, version, template, when=DAY0):
        """Place a protocol template's sites on the chart."""
        return chart_prefill.apply_template(
            self.session,
            self.injector,
            record.id,
            {"version": version, "template_id": template.id},
            now=when,
            zone=ZONE,
        )

    def warnings(self, record, when):
        state = chart_state(
            self.session, record.id, face_map=FACE_MAP, zone=self.zone, now=when
        ).as_json()
        return state["warnings"]

    def sign(self, record, version, when, reasons=None, overrides=()):
        ensure_consent(self.session, self.injector, record.id, when=when)
        return session_service.sign_session(
            self.session,
            self.injector,
            record.id,
            {
                "version": version,
                "consent_obtained": True,
                "reasons": reasons or {},
                "overrides": list(overrides),
            },
            zone=self.zone,
            now=when,
        )

    def sign_with_reasons(self, record, version, when):
        reasons = {
            w["key"]: "Discussed with the patient"
            for w in self.warnings(record, when)
            if w["needs_reason"]
        }
        return self.sign(record, version, when, reasons)

    def given(self, patient, when, sites, *, product="botox", kind="full"):
        """Chart and sign a whole session on ``when``; return the signed record."""
        record, version = self.open(patient, when, product=product, kind=kind)
        for muscle, side, units in sites:
            version, _ = self.tap(record, version, muscle, side, units, when)
        return self.sign_with_reasons(record, version, when)


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def codes(warnings):
    return [w["code"] for w in warnings]


@pytest.mark.parametrize("product", ["botox", "dysport", "xeomin", "daxxify"])
def test_tap_and_dose_change_check_every_product(session, chair, make_patient, product):
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, DAY0, product=product)
    version, site = chair.tap(
        record, version, "orbicularis_oculi_pretarsal_upper", "left", 400
    )
    found = codes(chair.warnings(record, DAY0))
    assert "dose_above_site_ceiling" in found
    assert "session_above_ceiling" in found
    version, _ = chair.change(record, site.id, {"version": version, "units": 1}, DAY0)
    found = codes(chair.warnings(record, DAY0))
    assert "dose_above_site_ceiling" not in found


# Every total sits exactly at its limit; raising one left corrugator site by a
# quarter unit tips the muscle-side, the side and the session totals over at once.
AT_THE_LIMITS = {
    # Botox: corrugator 8 U per side, 50 U per side, 100 U per session.
    "botox": (
        4,
        [("corrugator", "left", 4)] * 2
        + [("platysma", "left", 5)] * 6
        + [("orbicularis_oculi_orbital", "left", 4)] * 3
        + [("corrugator", "right", 4)] * 2
        + [("platysma", "right", 5)] * 6
        + [("orbicularis_oculi_orbital", "right", 4)] * 3,
    ),
    # Dysport: corrugator 20 U per side, 125 U per side, 250 U per session.
    "dysport": (
        10,
        [("corrugator", "left", 10)] * 2
        + [("platysma", "left", 25)] * 4
        + [("platysma", "left", 5)]
        + [("platysma", "right", 25)] * 5,
    ),
}
TOTALS = {"muscle_above_limit", "side_above_ceiling", "session_above_ceiling"}


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_dose_change_fires_the_muscle_side_and_session_totals(
    session, chair, make_patient, product
):
    patient = make_patient(affected_side="left")
    record, version = chair.open(patient, DAY0, product=product)
    per_site, sites = AT_THE_LIMITS[product]
    first = None
    for muscle, side, units in sites:
        version, site = chair.tap(record, version, muscle, side, units)
        first = first or site
    assert not TOTALS & set(codes(chair.warnings(record, DAY0)))
    chair.change(record, first.id, {"version": version, "units": per_site + 0.25}, DAY0)
    warnings = chair.warnings(record, DAY0)
    assert set(codes(warnings)) >= TOTALS
    assert "dose_above_site_ceiling" not in codes(warnings)
    by_code = {w["code"]: w for w in warnings}
    assert by_code["muscle_above_limit"]["muscle"] == "corrugator"
    assert by_code["side_above_ceiling"]["side"] == "left"
    assert all(by_code[code]["needs_reason"] for code in TOTALS)


def test_a_tap_takes_the_products_own_default_or_starts_empty(chair, make_patient):
    patient = make_patient(affected_side="left")
    dysport, version = chair.open(patient, DAY0, product="dysport")
    version, site = chair.tap(dysport, version, "corrugator", "left")
    assert site.units == 10  # the Dysport label's glabellar dose per site
    version, site = chair.tap(dysport, version, "depressor_anguli_oris", "left")
    # No Dysport default for the DAO, and never Botox's 2 U: the dose starts empty.
    assert site.units is None
    assert site.unset_reason == (
        "No Dysport default for this muscle: enter the dose in Dysport units"
    )
    botox, version = chair.open(make_patient(), DAY0)
    _, site = chair.tap(botox, version, "depressor_anguli_oris", "left")
    assert site.units == 2


def enter_dose(chair, record, version, site_id, units, when):
    return chair.change(record, site_id, {"version": version, "units": units}, when)


@pytest.mark.audit_exempt(
    "a signed site's depth set directly: the chart has no depth control yet",
    tables=["injection_site"],
)
def test_a_dysport_cycle_copied_into_a_xeomin_chart_brings_no_dose(
    session, chair, make_patient
):
    patient = make_patient(affected_side="left")
    signed = chair.given(
        patient,
        DAY0,
        [("depressor_anguli_oris", "left", 10), ("platysma", "left", 15)],
        product="dysport",
    )
    deep = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == signed.id)
        .order_by(col(InjectionSite.number))
    ).first()
    deep.depth = Depth.DEEP
    session.add(deep)
    session.commit()
    later = DAY0 + timedelta(days=100)
    xeomin, version = chair.open(patient, later, product="xeomin")
    version = chart_prefill.copy_last_cycle(
        session, chair.injector, xeomin.id, {"version": version}, now=later, zone=ZONE
    ).version
    state = chart_state(
        session, xeomin.id, face_map=FACE_MAP, zone=LONDON, now=later
    ).as_json()
    before = chair_sites(session, signed, DAY0)
    copied = state["sites"]
    # Muscle, side and position come across; the doses do not.
    where = ("muscle", "side", "x", "y")
    assert [[s[k] for k in where] for s in copied] == [
        [s[k] for k in where] for s in before
    ]
    assert [s["units"] for s in copied] == [None, None]
    depths = session.exec(
        select(InjectionSite.depth)
        .where(InjectionSite.session_id == xeomin.id)
        .order_by(InjectionSite.number)
    ).all()
    assert depths == [Depth.DEEP, None]
    assert {s["unset_reason"] for s in copied} == {
        "Dose not carried over: last cycle was Dysport, units differ"
    }
    assert [s["volume_ml"] for s in copied] == [None, None]
    assert (state["totals"]["units"], state["totals"]["unset"]) == (0, 2)
    assert state["totals"]["by_muscle"] == []
    assert state["changes"] == []  # never Dysport units against Xeomin units
    # Nothing to sign: no dose crossed over, and each must be entered first.
    with pytest.raises(InvalidInput) as info:
        chair.sign_with_reasons(xeomin, version, later)
    assert info.value.fields["doses"] == "missing at sites 1 and 2: enter each first"
    version, _ = enter_dose(chair, xeomin, version, copied[0]["id"], 4, later)
    with pytest.raises(InvalidInput) as info:
        chair.sign_with_reasons(xeomin, version, later)
    assert info.value.fields["doses"] == "missing at site 2: enter it first"
    version, site = enter_dose(chair, xeomin, version, copied[1]["id"], 6, later)
    assert site.unset_reason is None
    record = chair.sign_with_reasons(xeomin, version, later)
    assert "product_changed" in [w["code"] for w in record.warnings]


def test_a_botox_cycle_copied_into_a_botox_chart_keeps_its_doses(
    session, chair, make_patient
):
    patient = make_patient(affected_side="left")
    chair.given(
        patient,
        DAY0,
        [("depressor_anguli_oris", "left", 2), ("platysma", "left", 3.5)],
    )
    later = DAY0 + timedelta(days=100)
    record, version = chair.open(patient, later)
    version = chart_prefill.copy_last_cycle(
        session, chair.injector, record.id, {"version": version}, now=later, zone=ZONE
    ).version
    sites = chair_sites(session, record, later)
    assert [s["units"] for s in sites] == [2, 3.5]
    assert [s["unset_reason"] for s in sites] == [None, None]
    assert chair.sign_with_reasons(record, version, later).status == "signed"


def chair_sites(session, record, when):
    return chart_state(
        session, record.id, face_map=FACE_MAP, zone=LONDON, now=when
    ).as_json()["sites"]


def test_a_template_of_another_product_brings_its_sites_without_doses(
    session, chair, make_patient, make_user
):
    admin = make_user(Role.ADMIN)
    template = protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        face_map=FACE_MAP,
        name="Dysport chin",
        description=None,
        product="dysport",
        sites=[{"muscle": "mentalis", "role": "affected", "units": 10}],
    )
    patient = make_patient(affected_side="left")
    xeomin, version = chair.open(patient, DAY0, product="xeomin")
    state = chart_state(
        session, xeomin.id, face_map=FACE_MAP, zone=LONDON, now=DAY0
    ).as_json()
    (offered,) = state["templates"]
    assert (offered["product"], offered["doses_carried"]) == ("Dysport", False)
    version = chair.apply_template(xeomin, version, template).version
    (site,) = chair_sites(session, xeomin, DAY0)
    assert (site["muscle"], site["units"]) == ("mentalis", None)
    assert site["unset_reason"] == (
        "Dose not carried over: the template is for Dysport, units differ"
    )
    with pytest.raises(InvalidInput) as info:
        chair.sign(xeomin, version, DAY0)
    assert info.value.fields["doses"] == "missing at site 1: enter it first"
    dysport, version = chair.open(make_patient(), DAY0, product="dysport")
    chair.apply_template(dysport, version, template)
    assert [s["units"] for s in chair_sites(session, dysport, DAY0)] == [10]


def test_a_toxin_allergy_refuses_signing_without_a_named_override(chair, make_patient):
    patient = make_patient(affected_side="left", toxin_allergy=True)
    record, version = chair.open(patient, DAY0, product="xeomin")
    version, _ = chair.tap(record, version, "mentalis", "left", 2)
    (allergy,) = [w for w in chair.warnings(record, DAY0) if w["hard_stop"]]
    key = allergy["key"]
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, DAY0, {key: "Patient insists"})
    assert f"overrides.{key}" in info.value.fields
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, DAY0, overrides=[key])
    assert f"reasons.{key}" in info.value.fields
    signed = chair.sign(record, version, DAY0, {key: "Tested: not allergic"}, [key])
    (kept,) = [w for w in signed.warnings if w["key"] == key]
    assert kept["reason"] == "Tested: not allergic"
    assert kept["overridden_by"].endswith(f"({chair.injector.email})")


def test_every_warning_needs_a_reason_and_a_caution_does_not(chair, make_patient):
    patient = make_patient(affected_side="left")
    chair.given(
        patient, DAY0, [("depressor_anguli_oris", "left", 2)], product="dysport"
    )
    later = DAY0 + timedelta(days=100)
    record, version = chair.open(patient, later, product="botox")
    version, _ = chair.tap(record, version, "depressor_anguli_oris", "left", 2, later)
    warnings = chair.warnings(record, later)
    change = next(w for w in warnings if w["code"] == "product_changed")
    assert (change["severity"], change["needs_reason"]) == ("warning", True)
    assert all(w["needs_reason"] == (w["severity"] == "warning") for w in warnings)
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, later)
    assert f"reasons.{change['key']}" in info.value.fields


def test_an_amendment_runs_every_check_and_carries_its_own_reasons(
    session, chair, make_patient
):
    patient = make_patient(affected_side="left")
    signed = chair.given(
        patient, DAY0, [("orbicularis_oculi_pretarsal_upper", "left", 1.25)]
    )
    site_id = chair_sites(session, signed, DAY0)[0]["id"]
    correction = {
        "version": signed.version,
        "reason": "Typed wrong",
        "corrections": [{"site_id": site_id, "units": 400}],
    }
    with pytest.raises(InvalidInput) as info:
        amendment_service.amend_session(
            session, chair.injector, signed.id, correction, zone=LONDON, now=DAY0
        )
    needed = sorted(info.value.fields)
    assert (
        "reasons.dose_above_site_ceiling:orbicularis_oculi_pretarsal_upper:left:1"
        in needed
    )
    reasons = {name.removeprefix("reasons."): "As given" for name in needed}
    amendment = amendment_service.amend_session(
        session,
        chair.injector,
        signed.id,
        {**correction, "reasons": reasons},
        zone=LONDON,
        now=DAY0,
    )
    kept = {w["code"]: w for w in amendment.changes["warnings"]}
    assert kept["dose_above_site_ceiling"]["reason"] == "As given"
    assert "session_above_ceiling" in kept


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_top_ups_are_checked_and_counted(session, chair, make_patient, product):
    patient = make_patient(affected_side="left")
    per_side = 4 if product == "botox" else None
    chair.given(
        patient,
        DAY0,
        [("corrugator", "left", 4 if product == "botox" else 10)],
        product=product,
    )
    day2 = DAY0 + timedelta(days=2)
    top_up, version = chair.open(patient, day2, product=product, kind="top_up")
    extra = 4.25 if product == "botox" else 10.25
    version, _ = chair.tap(top_up, version, "corrugator", "left", extra, day2)
    warnings = chair.warnings(top_up, day2)
    assert "top_up_early" in codes(warnings)
    # The cycle's earlier dose counts: the corrugator's total per side is exceeded.
    over = next(w for w in warnings if w["code"] == "muscle_above_limit")
    assert "given earlier this cycle" in over["message"]
    assert per_side is None or "8.25 U" in over["message"]
    day90 = DAY0 + timedelta(days=90)
    with pytest.raises(InvalidInput) as info:
        chair.open(patient, day90, product=product, kind="top_up")
    assert "new full treatment" in info.value.message


def test_the_sydney_83_day_interval_keeps_its_warning_on_the_record(
    session, injector, make_patient
):
    chair = Chair(session, injector, zone=SYDNEY)
    patient = make_patient(affected_side="left")
    # 09:00 in Sydney on 2 March is 22:00 UTC on 1 March.
    first = datetime(2026, 3, 2, 9, 0, tzinfo=SYDNEY)
    chair.given(patient, first, [("mentalis", "left", 2)])
    # 83 local days later, again at 09:00: 84 days apart by their UTC dates.
    again = datetime(2026, 5, 24, 9, 0, tzinfo=SYDNEY)
    record, version = chair.open(patient, again)
    version, _ = chair.tap(record, version, "mentalis", "left", 2, again)
    signed = chair.sign_with_reasons(record, version, again)
    (interval,) = [w for w in signed.warnings if w["code"] == "interval_short"]
    assert interval["message"].startswith("83 days since the last full treatment")
    assert interval["reason"]


def test_a_day_80_treatment_signed_on_day_86_keeps_its_interval_warning(
    chair, make_patient
):
    patient = make_patient(affected_side="left")
    chair.given(patient, DAY0, [("mentalis", "left", 2)])
    day80 = DAY0 + timedelta(days=80)
    record, version = chair.open(patient, day80)
    version, _ = chair.tap(record, version, "mentalis", "left", 2, day80)
    day86 = DAY0 + timedelta(days=86)
    assert "interval_short" in codes(chair.warnings(record, day86))
    with pytest.raises(InvalidInput):
        chair.sign(record, version, day86)
    signed = chair.sign_with_reasons(record, version, day86)
    assert signed.performed_at.astimezone(UTC) == day80
    assert "interval_short" in [w["code"] for w in signed.warnings]


def test_a_vial_across_the_october_clock_change_is_stale(chair, make_patient):
    patient = make_patient(affected_side="left")
    made = datetime(2026, 10, 24, 9, 0, tzinfo=LONDON)
    treated = datetime(2026, 10, 25, 8, 30, tzinfo=LONDON)  # 24.5 h later
    record, version = chair.open(patient, treated, reconstituted_at=made.isoformat())
    chair.tap(record, version, "mentalis", "left", 2, treated)
    stale = [
        w
        for w in chair.warnings(record, treated)
        if w["code"] == "reconstitution_expired"
    ]
    assert stale
    assert "24.5 h ago" in stale[0]["message"]


def test_roles_on_a_draft_follow_the_patients_affected_side_now(
    session, chair, make_patient
):
    patient = make_patient(affected_side="right")
    record, version = chair.open(patient, DAY0)
    chair.tap(record, version, "zygomaticus_major", "left", 1)
    assert "smile_muscle_affected_side" not in codes(chair.warnings(record, DAY0))
    update_patient(
        session,
        chair.injector,
        patient.id,
        {
            **patient.model_dump(
                mode="json", exclude={"id", "created_at", "updated_at"}
            ),
            "affected_side": "left",
        },
    )
    assert "smile_muscle_affected_side" in codes(chair.warnings(record, DAY0))


def test_another_unsigned_chart_is_a_caution(chair, make_patient):
    patient = make_patient(affected_side="left")
    # An older draft left unsigned; a second draft the same day is refused
    # (issue 15: resume or discard it), so the caution is for another day's.
    chair.open(patient, DAY0 - timedelta(days=7))
    record, version = chair.open(patient, DAY0)
    with pytest.raises(InvalidInput) as refused:
        chair.open(patient, DAY0 + timedelta(hours=1))
    assert "draft" in refused.value.fields
    (draft,) = [w for w in chair.warnings(record, DAY0) if w["code"] == "open_drafts"]
    assert (draft["severity"], draft["needs_reason"]) == ("caution", False)


# Vials diluted off the label's table, and the concentration the chair shows.
OFF_LABEL_VIALS = [
    ("botox", 100, 3.0, "3.33 U per 0.1 mL"),
    ("dysport", 300, 2.0, "15 U (Speywood) per 0.1 mL"),
]


@pytest.mark.parametrize(("product", "vial", "diluent", "shown"), OFF_LABEL_VIALS)
def test_a_vial_off_the_label_table_is_saved_only_once_confirmed(
    chair, make_patient, product, vial, diluent, shown
):
    patient = make_patient()
    lot = {"vial_units": vial, "diluent_ml": diluent}
    with pytest.raises(InvalidInput) as info:
        chair.open(patient, DAY0, product=product, **lot)
    assert info.value.fields["dilution_confirmed"].startswith(shown)
    record, _ = chair.open(
        patient, DAY0, product=product, **lot, dilution_confirmed="true"
    )
    assert record.vial_lot_id is not None


@pytest.mark.parametrize(("product", "vial", "diluent", "shown"), OFF_LABEL_VIALS)
def test_a_vial_off_the_label_table_is_a_warning_at_the_chair(
    chair, make_patient, product, vial, diluent, shown
):
    record, version = chair.open(
        make_patient(),
        DAY0,
        product=product,
        vial_units=vial,
        diluent_ml=diluent,
        dilution_confirmed="true",
    )
    version, _ = chair.tap(record, version, "corrugator", "left")
    (dilution,) = [
        w for w in chair.warnings(record, DAY0) if w["code"] == "dilution_off_label"
    ]
    assert dilution["needs_reason"]
    assert shown in dilution["message"]
    with pytest.raises(InvalidInput) as info:
        chair.sign(record, version, DAY0)
    assert f"reasons.{dilution['key']}" in info.value.fields
    signed = chair.sign_with_reasons(record, version, DAY0)
    assert "dilution_off_label" in [w["code"] for w in signed.warnings]


def test_a_vial_on_the_label_table_raises_no_dilution_warning(chair, make_patient):
    record, version = chair.open(make_patient(), DAY0, product="dysport")
    chair.tap(record, version, "corrugator", "left")
    assert "dilution_off_label" not in codes(chair.warnings(record, DAY0))


@pytest.mark.parametrize(
    ("diluent", "why"), [(0.001, "misplaced decimal point"), (25, "10")]
)
def test_an_impossible_diluent_volume_is_refused_by_name(
    chair, make_patient, diluent, why
):
    with pytest.raises(InvalidInput) as info:
        chair.open(make_patient(), DAY0, diluent_ml=diluent)
    assert why in info.value.fields["diluent_ml"]
