"""Signing a chart another tab has signed says it is signed, whatever is sent.

The tablet still showing the draft may send its signature unfinished (consent
not ticked, a reason missing): the answer is the 409 "This session is signed",
never a 400 listing what signing would need, which the chair would show as "Not
signed" on a signed session (review rW follow-up). Botox and Dysport.
"""

from planner.models import SessionStatus
from planner.models import TreatmentSession
from tests.browser_steps import post_sign
from tests.views.test_signed_session_refusals import signed

__all__ = ["signed"]  # the fixture: a chart of each product, signed


def test_a_second_signature_unfinished_is_refused_as_signed(signed, session):
    browser, session_id = signed
    signed_at = session.get(TreatmentSession, session_id).signed_at
    for version in (2, 3):
        for body in (
            {"consent_obtained": False},
            {"reasons": {"no-such-warning": ""}, "overrides": ["no-such-stop"]},
            {},
        ):
            answer = post_sign(browser, session_id, version=version, **body)
            assert answer.status_code == 409, answer.get_data(as_text=True)
            error = answer.get_json()
            assert error["error"].startswith("This session is signed")
            assert "fields" not in error
            assert "state" not in error
    session.expire_all()
    record = session.get(TreatmentSession, session_id)
    assert record.status == SessionStatus.SIGNED
    assert record.signed_at == signed_at
