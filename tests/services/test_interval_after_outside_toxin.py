"""A full treatment soon after toxin given elsewhere needs a reason (§2.2, §2.4).

Every path reads the interval from the same checks: the chart the tablet reads,
signing (which refuses without a reason), and an amendment (which weighs toxin
given elsewhere as it was on record when the chart was signed). Each product
in its own units; the dose given elsewhere is compared by its day alone.
"""

from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import InjectionSite
from planner.models import Product
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart_prefill
from planner.services import outside_toxin
from planner.services import protocols
from planner.services import safety
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import sign_treatment
from tests.services.test_safety_paths import Chair

# 10:00 UTC is 10:00 in London in November (GMT).
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
TODAY = date(2026, 11, 20)
DOSE = {"botox": 4.0, "dysport": 10.0, "xeomin": 4.0}
VIAL = {"botox": 100, "dysport": 300, "xeomin": 100}


def given_elsewhere(session, actor, patient, product, *, on, now=NOW):
    product_id = session.exec(select(Product.id).where(Product.code == product)).one()
    outside_toxin.add_outside_treatment(
        session,
        actor,
        patient.id,
        {
            "given_on": on.isoformat(),
            "product_id": str(product_id),
            "units": "20",
            "indication": "Synkinesis",
            "place": "Another hospital",
        },
        today=now.date(),
        now=now,
    )


def chart(session, actor, patient, product, when=NOW):
    return make_treatment(
        session,
        actor,
        patient.id,
        [("mentalis", "left", DOSE[product])],
        when=when,
        product=product,
        vial_units=VIAL[product],
    )


def interval_warnings(session, treatment, when=NOW):
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=when)
    return [w for w in state.as_json()["warnings"] if w["code"] == "interval_short"]


@pytest.mark.parametrize(
    ("product", "elsewhere"),
    [("botox", "botox"), ("dysport", "dysport"), ("xeomin", "dysport")],
)
def test_the_chart_warns_and_signing_needs_a_reason(
    session, injector, make_patient, product, elsewhere
):
    patient = make_patient(affected_side="left")
    given_elsewhere(session, injector, patient, elsewhere, on=TODAY - timedelta(21))
    treatment = chart(session, injector, patient, product)
    (warning,) = interval_warnings(session, treatment)
    assert warning["severity"] == "warning"
    assert warning["message"].startswith(
        "21 days since toxin given elsewhere on 30 Oct 2026 "
        "(" + {"botox": "Botox", "dysport": "Dysport"}[elsewhere]
    )
    with pytest.raises(InvalidInput) as refused:
        sign_treatment(
            session,
            injector,
            treatment,
            when=NOW,
            reason_for_every_warning=False,
            reason="",
        )
    assert "reasons.interval_short" in refused.value.fields
    sign_treatment(
        session, injector, treatment, when=NOW, reason="Their last dose wore off early"
    )
    signed = session.get(type(treatment.record), treatment.id)
    kept = {w["code"]: w for w in signed.warnings}
    assert kept["interval_short"]["reason"] == "Their last dose wore off early"


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_dose_elsewhere_twelve_weeks_ago_or_more_is_quiet(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    given_elsewhere(session, injector, patient, product, on=TODAY - timedelta(120))
    assert interval_warnings(session, chart(session, injector, patient, product)) == []


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_an_amendment_weighs_doses_elsewhere_on_record_at_signing(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    treatment = chart(session, injector, patient, product)
    sign_treatment(session, injector, treatment, when=NOW)
    # Learned a week later: toxin given elsewhere three weeks before the chart.
    later = NOW + timedelta(days=7)
    given_elsewhere(
        session, injector, patient, product, on=TODAY - timedelta(21), now=later
    )
    record = session.get(type(treatment.record), treatment.id)
    site = treatment.sites[0]
    amendment = amendment_service.amend_session(
        session,
        injector,
        record.id,
        {
            "version": record.version,
            "reason": "Typed wrong",
            "corrections": [{"site_id": site.id, "units": DOSE[product] + 1}],
            "reasons": {
                safety.warning_key(w): "Agreed"
                for w in safety.check_chart(
                    session, record, zone=ZONE, now=later, amending=True
                )
            },
        },
        zone=ZONE,
        now=later,
    )
    assert "interval_short" not in {w["code"] for w in amendment.changes["warnings"]}
    # Read with today's records, the same chart would be warned about it.
    today = safety.check_chart(session, record, zone=ZONE, now=later)
    (warning,) = [w for w in today if w.code == "interval_short"]
    assert "21 days since toxin given elsewhere" in warning.message


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_copy_template_and_dose_change_meet_the_same_warning(
    session, injector, make_patient, make_user, product
):
    """Every path that fills or changes today's chart reads the dose elsewhere:
    copying the last cycle, a protocol template, and a dose changed after."""
    chair = Chair(session, injector, zone=ZONE)
    patient = make_patient(affected_side="left")
    chair.given(
        patient,
        NOW - timedelta(days=150),
        [("mentalis", "left", DOSE[product])],
        product=product,
    )
    given_elsewhere(session, injector, patient, product, on=TODAY - timedelta(21))

    copied, version = chair.open(patient, NOW, product=product)
    version = chart_prefill.copy_last_cycle(
        session, injector, copied.id, {"version": version}, zone=ZONE, now=NOW
    ).version
    codes = [w["code"] for w in chair.warnings(copied, NOW)]
    assert "interval_short" in codes
    site = chart_service_sites(session, copied)[0]
    chair.change(copied, site, {"version": version, "units": DOSE[product] + 1}, NOW)
    (warning,) = [
        w for w in chair.warnings(copied, NOW) if w["code"] == "interval_short"
    ]
    assert "21 days since toxin given elsewhere" in warning["message"]

    admin = make_user(Role.ADMIN)
    template = protocols.create_template(
        session,
        Actor(admin.id, admin.email),
        face_map=FACE_MAP,
        name=f"{product} chin",
        description=None,
        product=product,
        sites=[{"muscle": "mentalis", "role": "affected", "units": DOSE[product]}],
    )
    other = make_patient(affected_side="left")
    given_elsewhere(session, injector, other, product, on=TODAY - timedelta(21))
    templated, version = chair.open(other, NOW, product=product)
    chair.apply_template(templated, version, template, when=NOW)
    codes = [w["code"] for w in chair.warnings(templated, NOW)]
    assert "interval_short" in codes


def chart_service_sites(session, record):
    """The chart's site ids, in number order."""
    return list(
        session.exec(
            select(InjectionSite.id)
            .where(InjectionSite.session_id == record.id)
            .order_by(InjectionSite.number)
        )
    )
