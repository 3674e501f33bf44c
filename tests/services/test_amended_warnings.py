"""An amended chart shows its warnings as they stand, and a reason given stands.

An amendment re-runs every check on the corrected chart. The chart page and the
chart API then show those warnings with the reasons given (not the signing's
"Nothing to flag" beside a dose now over its limits), and a later amendment
does not ask again for a reason already given. The printed record still prints
the warnings as signed, then what each amendment raised. Botox and Dysport.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.errors import InvalidInput
from planner.models import Role
from planner.models import TreatmentSession
from planner.reports.record import treatment_record
from planner.services import amendments as amendment_service
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment

DAY0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = DAY0 + timedelta(days=1)
# A muscle with limits of its own, a dose within every limit, and one over the
# muscle's limits, per product.
DOSES = {
    "botox": ({}, "mentalis", 2, 9),
    "dysport": ({"vial_units": 300}, "corrugator", 5, 30),
}


def amend(session, injector, record_id, reason, **data):
    version = session.get(TreatmentSession, record_id).version
    return amendment_service.amend_session(
        session,
        injector,
        record_id,
        {"version": version, "reason": reason, **data},
        zone=ZONE,
        now=LATER,
    )


def raised_by_amendment(session, injector, product, make_patient):
    """Sign a chart within limits, then amend its dose over them, giving a reason
    for each warning the amendment raised; return the treatment and the reasons."""
    form, muscle, within, over = DOSES[product]
    treatment = make_treatment(
        session,
        injector,
        make_patient().id,
        [(muscle, "left", within)],
        when=DAY0,
        sign=True,
        product=product,
        **form,
    )
    (site,) = treatment.sites
    corrections = [{"site_id": site.id, "units": over}]
    with pytest.raises(InvalidInput) as refused:
        amend(
            session, injector, treatment.id, "dose typed wrong", corrections=corrections
        )
    reasons = {
        name.removeprefix("reasons."): f"Agreed: {name}"
        for name in refused.value.fields
    }
    assert reasons
    amend(
        session,
        injector,
        treatment.id,
        "dose typed wrong",
        corrections=corrections,
        reasons=reasons,
    )
    return treatment, reasons


@pytest.mark.parametrize("product", list(DOSES))
def test_the_chart_shows_an_amended_charts_warnings_with_their_reasons(
    session, injector, make_patient, login_as, product
):
    treatment, reasons = raised_by_amendment(session, injector, product, make_patient)

    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=LATER)
    assert {w.key: w.reason for w in state.warnings} == reasons

    browser = login_as(Role.INJECTOR)
    shown = browser.api("GET", f"/api/v1/sessions/{treatment.id}").get_json()
    assert {w["key"]: w["reason"] for w in shown["warnings"]} == reasons
    page = browser.get(f"/sessions/{treatment.id}").get_data(as_text=True)
    assert re.search(r'id="warnings-empty" hidden', page)
    for reason in reasons.values():
        assert f"Reason given: {reason}" in page


@pytest.mark.parametrize("product", list(DOSES))
def test_a_reason_given_in_an_amendment_stands_for_the_next_one(
    session, injector, make_patient, product
):
    treatment, reasons = raised_by_amendment(session, injector, product, make_patient)

    # A note only: the same warnings, word for word; no reason asked again.
    amend(session, injector, treatment.id, "bruise noted", note="Small bruise")
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=LATER)
    assert {w.key: w.reason for w in state.warnings} == reasons

    # A dose changed again words its warnings anew: they need their reasons.
    (site,) = treatment.sites
    *_, over = DOSES[product]
    with pytest.raises(InvalidInput) as refused:
        amend(
            session,
            injector,
            treatment.id,
            "dose typed wrong again",
            corrections=[{"site_id": site.id, "units": over + 1}],
        )
    assert set(refused.value.fields) == {f"reasons.{key}" for key in reasons}


@pytest.mark.parametrize("product", list(DOSES))
def test_the_printed_record_keeps_the_signed_warnings_and_the_amendments(
    session, injector, make_patient, product
):
    treatment, reasons = raised_by_amendment(session, injector, product, make_patient)

    printed = treatment_record(
        session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=LATER
    )
    assert printed.warnings == []
    (amendment,) = printed.amendments
    assert sorted(w.reason for w in amendment.warnings) == sorted(reasons.values())
