"""Dysport's minimum interval is the clinic's setting on every path (review rX, X4).

No source gives Dysport an interval (clinical reference §2.2, UNSOURCED), so it
ships as the clinic setting ``min_interval_days.dysport``. A clinic that sets it to
70 days gets no ``interval_short`` at day 75 and gets one at day 65, on a tap, copy
last cycle, a template, signing, an amendment and the chart state; a top-up is held
to the same figure (``top_up_booster``). Botox keeps its label's 84 days whatever
the Dysport setting is. Each product is charted in its own units.
"""

from datetime import timedelta

import pytest
from sqlmodel import delete

from planner.errors import InvalidInput
from planner.models import ClinicSetting
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart_prefill
from planner.services import protocols
from planner.services.audit import Actor
from planner.services.catalogue import load_catalogue
from planner.services.settings import update_setting
from tests.factories import ZONE
from tests.services.setting_steps import save_setting_at
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair
from tests.services.top_up_steps import cycle_and_top_up

KEY = "min_interval_days.dysport"
EDITED_ON = DAY0 + timedelta(days=1)
# A corrugator site of the product's own usual size.
CORRUGATOR = {"botox": 4, "dysport": 10}
# (product, day of the second full treatment, whether it is under the interval)
CASES = [
    ("dysport", 65, True),
    ("dysport", 75, False),
    ("botox", 65, True),
    ("botox", 75, True),
]
CLINIC_RULE = (
    "the clinic's setting is at least 70 days (10 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)"
)
BOTOX_RULE = "Botox should be given at least 84 days (12 weeks) apart"


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def admin(make_user):
    user = make_user(Role.ADMIN, name="Dr Rosa Lind")
    return Actor(user.id, user.email)


@pytest.fixture
def seventy_days(session, admin):
    """The clinic sets Dysport's minimum interval to 70 days, the day after DAY0."""
    update_setting(session, admin, KEY, "70", version=1, now=EDITED_ON, zone=ZONE)


def interval_warnings(warnings):
    return [w for w in warnings if w["code"] == "interval_short"]


def second_full(chair, make_patient, product, day):
    """Sign a full treatment at DAY0; open the next one on ``day``, not yet tapped."""
    patient = make_patient(affected_side="left")
    units = CORRUGATOR[product]
    chair.given(patient, DAY0, [("corrugator", "left", units)], product=product)
    when = DAY0 + timedelta(days=day)
    record, version = chair.open(patient, when, product=product)
    return patient, record, version, when


def check_interval(warnings, product, short):
    """Assert the interval warning is there when ``short``, and who set its figure."""
    found = interval_warnings(warnings)
    if not short:
        assert found == []
        return
    (warning,) = found
    if product == "dysport":
        assert warning["message"].endswith(f"; {CLINIC_RULE}.")
        assert warning["source"] == (
            "Clinic setting (edited 3 Mar 2026 by Dr Rosa Lind)"
        )
    else:
        assert warning["message"].endswith(f"; {BOTOX_RULE}.")
        assert warning["source"].startswith("[S20] Botox label")


@pytest.mark.usefixtures("seventy_days")
@pytest.mark.parametrize(("product", "day", "short"), CASES)
def test_a_tap_the_chart_state_and_signing_use_the_clinics_interval(
    chair, make_patient, product, day, short
):
    _, record, version, when = second_full(chair, make_patient, product, day)
    units = CORRUGATOR[product]
    version, _ = chair.tap(record, version, "corrugator", "left", units, when)
    check_interval(chair.warnings(record, when), product, short)
    if short:
        with pytest.raises(InvalidInput) as refused:
            chair.sign(record, version, when)
        assert any("interval_short" in name for name in refused.value.fields)
    signed = chair.sign_with_reasons(record, version, when)
    check_interval(signed.warnings, product, short)


@pytest.mark.usefixtures("seventy_days")
@pytest.mark.parametrize(("product", "day", "short"), CASES)
def test_copy_last_cycle_uses_the_clinics_interval(
    session, chair, make_patient, product, day, short
):
    _, record, version, when = second_full(chair, make_patient, product, day)
    version = chart_prefill.copy_last_cycle(
        session, chair.injector, record.id, {"version": version}, now=when, zone=ZONE
    ).version
    check_interval(chair.warnings(record, when), product, short)
    check_interval(
        chair.sign_with_reasons(record, version, when).warnings, product, short
    )


@pytest.mark.usefixtures("seventy_days")
@pytest.mark.parametrize(("product", "day", "short"), CASES)
def test_a_template_uses_the_clinics_interval(
    session, chair, admin, make_patient, product, day, short
):
    template = protocols.create_template(
        session,
        admin,
        face_map=FACE_MAP,
        name=f"{product} corrugator",
        description=None,
        product=product,
        sites=[{"muscle": "corrugator", "role": "affected", "units": 4}],
    )
    _, record, version, when = second_full(chair, make_patient, product, day)
    version = chair.apply_template(record, version, template, when).version
    check_interval(chair.warnings(record, when), product, short)
    check_interval(
        chair.sign_with_reasons(record, version, when).warnings, product, short
    )


@pytest.mark.parametrize(("product", "day", "short"), CASES)
def test_an_amendment_after_the_edit_keeps_the_interval_it_was_signed_under(
    session, chair, admin, make_patient, product, day, short
):
    """A record signed under the shipped 84 days is amended after the clinic set 70.

    (This test said the opposite before.) A dose correction changes
    neither the day nor the product, so the record's interval warning stands as
    it was signed, in its words, and asks for no new reason.
    """
    _, record, version, when = second_full(chair, make_patient, product, day)
    version, site = chair.tap(
        record, version, "corrugator", "left", CORRUGATOR[product], when
    )
    signed = chair.sign_with_reasons(record, version, when)
    (as_signed,) = interval_warnings(signed.warnings)  # 84 days, as shipped
    save_setting_at(session, admin, KEY, 70, when + timedelta(hours=1))
    correction = {
        "version": signed.version,
        "reason": "Dose transcribed wrongly",
        "corrections": [{"site_id": site.id, "units": CORRUGATOR[product] - 1}],
    }
    amendment = amendment_service.amend_session(
        session, chair.injector, signed.id, correction, zone=LONDON, now=when
    )
    (kept,) = interval_warnings(amendment.changes["warnings"])
    assert kept["message"] == as_signed["message"]
    assert "at least 84 days (12 weeks)" in kept["message"]
    # The chart's next full treatment reads the setting as it stands.
    _, record, version, when = second_full(chair, make_patient, product, day)
    chair.tap(record, version, "corrugator", "left", CORRUGATOR[product], when)
    now = interval_warnings(chair.warnings(record, when))
    assert [w["message"].endswith(f"; {BOTOX_RULE}.") for w in now] == (
        [product == "botox"] if short else []
    )


@pytest.mark.usefixtures("seventy_days")
@pytest.mark.parametrize(
    ("product", "day", "booster"),
    [("dysport", 65, True), ("dysport", 75, False), ("botox", 75, True)],
)
def test_a_top_up_is_a_booster_only_within_the_clinics_interval(
    chair, make_patient, product, day, booster
):
    when = DAY0 + timedelta(days=day)
    record, version = cycle_and_top_up(chair, make_patient, product, when)
    found = [w for w in chair.warnings(record, when) if w["code"] == "top_up_booster"]
    assert len(found) == int(booster)
    if booster and product == "dysport":
        assert found[0]["message"].endswith(f", and {CLINIC_RULE}.")
        assert (
            "Clinic setting (edited 3 Mar 2026 by Dr Rosa Lind)" in (found[0]["source"])
        )
    signed = chair.sign_with_reasons(record, version, when)
    assert len([w for w in signed.warnings if w["code"] == "top_up_booster"]) == int(
        booster
    )


@pytest.mark.parametrize("setting", ["28", "365"])
def test_botox_keeps_its_label_interval_whatever_the_dysport_setting(
    session, chair, admin, make_patient, setting
):
    update_setting(session, admin, KEY, setting, version=1, now=EDITED_ON, zone=ZONE)
    _, record, version, when = second_full(chair, make_patient, "botox", 75)
    chair.tap(record, version, "corrugator", "left", 4, when)
    check_interval(chair.warnings(record, when), "botox", True)


def test_the_shipped_setting_says_it_is_the_clinics_and_unsourced(chair, make_patient):
    _, record, version, when = second_full(chair, make_patient, "dysport", 75)
    chair.tap(record, version, "corrugator", "left", 10, when)
    (warning,) = interval_warnings(chair.warnings(record, when))
    assert warning["source"] == (
        "Clinic setting (shipped default; UNSOURCED: 3 months assumed as for the "
        "other products)"
    )
    assert (
        "at least 84 days (12 weeks) between Dysport treatments" in (warning["message"])
    )


@pytest.mark.audit_exempt(
    "deletes the interval setting to stand for a database made before it shipped",
    tables=["clinic_setting"],
)
def test_init_db_gives_an_existing_clinic_the_setting_and_keeps_its_edit(
    session, admin
):
    session.exec(delete(ClinicSetting).where(ClinicSetting.key == KEY))
    session.commit()
    load_catalogue(session)
    added = session.get(ClinicSetting, KEY)
    assert (added.value, added.version, added.unsourced) == (84, 1, True)
    assert added.label == "Dysport: minimum days between full treatments"
    assert added.source == "UNSOURCED: 3 months assumed as for the other products"
    update_setting(session, admin, KEY, "70", version=1, now=EDITED_ON, zone=ZONE)
    load_catalogue(session)
    session.expire_all()
    assert session.get(ClinicSetting, KEY).value == 70
    # Only an unsourced interval is a setting: the labels' are not.
    assert session.get(ClinicSetting, "min_interval_days.botox") is None
