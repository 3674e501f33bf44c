"""The minimum interval says when its figure is the clinic's setting (review rX, X4).

Dysport's interval is UNSOURCED in the clinical reference: the warning and the
top-up booster message name it as the clinic's setting. The sourced intervals of
Botox and Xeomin keep their wording. The signed record keeps what the chair said.
"""

from datetime import timedelta

import pytest

from planner.models import Role
from tests.services.test_glabellar_session_limit import pdf_text
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import Chair

RULES = {
    "botox": "Botox should be given at least 84 days (12 weeks) apart",
    "xeomin": "Xeomin should be given at least 84 days (12 weeks) apart",
    "dysport": "the clinic's setting is at least 84 days (12 weeks) between Dysport "
    "treatments (no source gives Dysport an interval)",
}
GLABELLAR_SITE = {"botox": 4, "xeomin": 4, "dysport": 10}


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


def found(warnings, code):
    (one,) = [w for w in warnings if w["code"] == code]
    return one


@pytest.mark.parametrize("code", list(RULES))
def test_the_interval_warning_and_the_signed_record_word_the_figure(
    chair, make_patient, login_as, tmp_path, code
):
    patient = make_patient(affected_side="left")
    units = GLABELLAR_SITE[code]
    chair.given(patient, DAY0, [("corrugator", "left", units)], product=code)
    day60 = DAY0 + timedelta(days=60)
    record, version = chair.open(patient, day60, product=code)
    version, _ = chair.tap(record, version, "corrugator", "left", units, day60)
    message = f"60 days since the last full treatment on 2 Mar 2026; {RULES[code]}."
    short = found(chair.warnings(record, day60), "interval_short")
    assert short["message"] == message
    assert short["source"].startswith("Clinic setting (") == (code == "dysport")
    signed = chair.sign_with_reasons(record, version, day60)
    assert found(signed.warnings, "interval_short")["message"] == message
    pdf = login_as(Role.STAFF).get(f"/sessions/{record.id}/record.pdf")
    assert pdf.status_code == 200
    assert message in pdf_text(pdf.data, tmp_path)


@pytest.mark.parametrize("code", list(RULES))
def test_the_top_up_booster_message_quotes_the_same_wording(chair, make_patient, code):
    patient = make_patient(affected_side="left")
    units = GLABELLAR_SITE[code]
    chair.given(patient, DAY0, [("corrugator", "left", units)], product=code)
    day30 = DAY0 + timedelta(days=30)
    top_up, version = chair.open(patient, day30, product=code, kind="top_up")
    chair.tap(top_up, version, "corrugator", "left", units, day30)
    booster = found(chair.warnings(top_up, day30), "top_up_booster")
    assert booster["message"].endswith(
        "it is in effect a booster injection 30 days after the last full "
        f"treatment, and {RULES[code]}."
    )
