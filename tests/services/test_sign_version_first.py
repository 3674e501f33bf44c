"""A stale page is told the chart changed before anything else.

Signing compares the page's chart version first (after a closed chart is
refused), then runs the checks: a page that has not seen a site charted from
another device gets the 409 every other chart write gives, never a 400 naming
a reason for a site it has never shown, and nothing is written. A current page
gets the 400 naming each missing reason; complete, it signs. A refusal rolls
the claim back: the version stays as the page has it, and the chart is not
held (SQLite's write lock, the session's row on PostgreSQL). Botox and Dysport,
each in its own units, on SQLite and PostgreSQL.
"""

import pytest
from sqlalchemy import func
from sqlmodel import select

from planner.errors import InvalidInput
from planner.errors import SignedSession
from planner.errors import StaleWrite
from planner.models import AuditEvent
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import sessions as session_service
from planner.services.warning_reasons import refusal_labels
from tests.factories import ensure_consent
from tests.services.test_safety_paths import DAY0
from tests.services.test_safety_paths import FACE_MAP
from tests.services.test_safety_paths import LONDON
from tests.services.test_safety_paths import Chair

# Each product on PostgreSQL too: the claim's lock is dialect-sensitive SQL,
# and the task asks for both products there.
pytestmark = pytest.mark.pg

# Each product's doses, in its own units: the page's site, and the smile muscle
# another device charts on the palsied side (a warning asking for a reason).
DOSES = {"botox": (2, 1), "dysport": (5, 5)}
NAMES = {muscle.code: muscle.name for muscle in FACE_MAP.muscles}


def _events(session):
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def _record(session, record_id):
    session.expire_all()
    return session.get(TreatmentSession, record_id)


@pytest.fixture(params=sorted(DOSES))
def product(request):
    return request.param


@pytest.fixture
def charted(session, injector, make_patient, product):
    """A chart the page loaded at ``seen``, then another device charted the
    smile muscle on the palsied side: return the chair, record, page's version,
    chart's version and the new warning's key."""
    chair = Chair(session, injector)
    mentalis, smile = DOSES[product]
    record, version = chair.open(
        make_patient(affected_side="left"), DAY0, product=product
    )
    seen, _ = chair.tap(record, version, "mentalis", "left", mentalis)
    shown = {w["key"] for w in chair.warnings(record, DAY0)}
    latest, _ = chair.tap(record, seen, "zygomaticus_major", "left", smile)
    (key,) = [
        w["key"]
        for w in chair.warnings(record, DAY0)
        if w["needs_reason"] and w["key"] not in shown
    ]
    assert key.startswith("smile_muscle_affected_side:")
    ensure_consent(session, injector, record.id, when=DAY0)
    return chair, record, seen, latest, key


def _sign(chair, record, version, reasons=None):
    return session_service.sign_session(
        chair.session,
        chair.injector,
        record.id,
        {"version": version, "consent_obtained": True, "reasons": reasons or {}},
        zone=LONDON,
        now=DAY0,
    )


def test_a_stale_page_missing_a_reason_is_told_the_chart_changed(session, charted):
    chair, record, seen, latest, _ = charted
    before = _events(session)

    with pytest.raises(StaleWrite) as stale:
        _sign(chair, record, seen)

    assert stale.value.message.startswith("Another device changed this chart")
    assert not stale.value.fields
    now = _record(session, record.id)
    assert (now.version, now.status, now.signed_at) == (
        latest,
        SessionStatus.DRAFT,
        None,
    )
    assert now.warnings == []
    assert _events(session) == before


def test_a_current_page_missing_a_reason_is_refused_naming_it(session, charted):
    chair, record, _, latest, key = charted
    before = _events(session)

    with pytest.raises(InvalidInput) as refused:
        _sign(chair, record, latest)

    fields = refused.value.fields
    assert set(fields) == {f"reasons.{key}"}, fields
    assert fields[f"reasons.{key}"].startswith("needs a reason: ")
    assert refusal_labels(fields, NAMES) == {
        f"reasons.{key}": "Reason for site 2, Zygomaticus major (left)"
    }
    # The claim is rolled back: the version is the page's still, and the chart
    # is not held for the next write.
    assert not session.in_transaction()
    now = _record(session, record.id)
    assert (now.version, now.status) == (latest, SessionStatus.DRAFT)
    assert _events(session) == before


def test_a_current_page_complete_signs_after_a_refusal(session, charted):
    chair, record, _, latest, key = charted
    with pytest.raises(InvalidInput):
        _sign(chair, record, latest)

    signed = _sign(chair, record, latest, {key: "Discussed with the patient"})

    assert signed.status == SessionStatus.SIGNED
    assert signed.version == latest + 1
    kept = {w["key"]: w["reason"] for w in signed.warnings}
    assert kept[key] == "Discussed with the patient"


def test_a_closed_chart_is_refused_as_closed_before_its_version(session, charted):
    chair, record, seen, latest, key = charted
    _sign(chair, record, latest, {key: "Discussed with the patient"})

    for version in (seen, latest, latest + 1):
        with pytest.raises(SignedSession) as closed:
            _sign(chair, record, version)
        assert closed.value.message.startswith("This session is signed")
