"""Discarding a never-signed draft: kept, audited, and counted towards nothing."""

import csv
import io
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select
from sqlmodel import update

from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import drafts
from planner.services.audit import verify_trail
from planner.services.cycle_records import read_cycles
from planner.services.fhir_export import load_patient_exports
from planner.services.patient_timeline import patient_timeline
from planner.services.recall import find_recall
from planner.services.safety import open_drafts
from planner.services.stock_ledger import vial_use
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import consent_to_research
from tests.factories import make_treatment
from tests.factories import research_csv

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
SITES = [("mentalis", "left", 2.5), ("depressor_anguli_oris", "left", 2.0)]


def _discard(session, actor, record_id, reason="Opened by mistake."):
    return drafts.discard_draft(session, actor, record_id, {"reason": reason})


@pytest.fixture
def signed_and_stray(session, injector, make_patient):
    """A patient's signed first cycle, and a draft opened 90 days on by mistake."""
    patient = make_patient()
    signed = make_treatment(session, injector, patient.id, SITES, when=WHEN, sign=True)
    stray = make_treatment(
        session, injector, patient.id, SITES, when=WHEN + timedelta(days=90)
    )
    return patient, signed, stray


def test_a_discarded_draft_is_kept_audited_and_frees_its_cycle_number(
    session, injector, signed_and_stray
):
    patient, first, stray = signed_and_stray
    assert stray.record.cycle_number == 2
    kept = _discard(session, injector, stray.id, "  Second chart opened by mistake. ")
    assert kept.status == SessionStatus.DISCARDED
    assert kept.discard_reason == "Second chart opened by mistake."
    assert kept.discarded_by_id == injector.user_id
    assert kept.discarded_at is not None
    assert session.get(TreatmentSession, stray.id) is not None  # not deleted
    event = session.exec(
        select(AuditEvent).where(AuditEvent.action == AuditAction.DISCARD)
    ).one()
    assert event.entity_id == stray.id
    assert event.after["reason"] == "Second chart opened by mistake."
    # The next treatment is cycle 2 again, never "cycle 3".
    again = make_treatment(
        session, injector, patient.id, SITES, when=WHEN + timedelta(days=91)
    )
    assert again.record.cycle_number == 2
    assert first.record.cycle_number == 1
    # The timeline shows it as discarded; it is not a cycle.
    timeline = patient_timeline(session, patient.id, zone=ZONE, now=WHEN)
    treatments = {e.link_id: e for e in timeline.entries if e.kind == "treatment"}
    assert treatments[stray.id].status == "discarded"
    assert timeline.cycles == 2
    discarded = treatments[stray.id]
    assert "discarded" in discarded.title
    assert "Second chart opened by mistake." in discarded.detail
    # Last: the trail's walk streams its rows, and the chain is intact.
    assert verify_trail(session).broken is None


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_discarded_draft_draws_nothing_from_its_vial(
    session, injector, make_patient, product
):
    form = {"product": product}
    if product == "dysport":
        form.update(vial_units=300, diluent_ml=2.5)
    patient = make_patient()
    draft = make_treatment(session, injector, patient.id, SITES, when=WHEN, **form)
    vial_id = draft.record.vial_lot_id
    assert vial_use(session, [vial_id])[vial_id].draft > 0
    _discard(session, injector, draft.id)
    use = vial_use(session, [vial_id])[vial_id]
    assert (use.signed, use.draft) == (0.0, 0.0)


def test_a_discarded_draft_is_no_other_unsigned_draft_and_is_not_exported(
    session, injector, make_patient
):
    patient = make_patient()
    stray = make_treatment(session, injector, patient.id, SITES, when=WHEN)
    _discard(session, injector, stray.id)
    later = make_treatment(
        session, injector, patient.id, SITES, when=WHEN + timedelta(hours=1)
    )
    assert open_drafts(session, later.record, ZONE) == []
    exports = load_patient_exports(session, [patient.id])
    exported = [record.id for export in exports for record in export.sessions]
    assert stray.id not in exported
    assert later.id in exported


def test_a_signed_session_cannot_be_discarded(session, injector, make_patient):
    patient = make_patient()
    signed = make_treatment(session, injector, patient.id, SITES, when=WHEN, sign=True)
    with pytest.raises(Conflict, match="signed and cannot be discarded"):
        _discard(session, injector, signed.id)
    assert session.get(TreatmentSession, signed.id).status == SessionStatus.SIGNED


def test_a_discard_needs_a_reason_and_happens_once(session, injector, make_patient):
    patient = make_patient()
    draft = make_treatment(session, injector, patient.id, SITES, when=WHEN)
    for blank in ("", "   "):
        with pytest.raises(InvalidInput) as refused:
            _discard(session, injector, draft.id, blank)
        assert refused.value.fields == {"reason": "is required"}
    assert session.get(TreatmentSession, draft.id).status == SessionStatus.DRAFT
    _discard(session, injector, draft.id)
    with pytest.raises(Conflict, match="already been discarded"):
        _discard(session, injector, draft.id)


def test_a_second_draft_is_refused_until_the_first_is_resumed_or_discarded(
    session, injector, make_patient
):
    patient = make_patient()
    draft = make_treatment(session, injector, patient.id, SITES, when=WHEN)
    found = drafts.open_draft(session, patient.id, ZONE)
    assert found is not None
    assert (found.id, found.sites, found.product) == (draft.id, 2, "Botox")
    with pytest.raises(InvalidInput) as refused:
        make_treatment(session, injector, patient.id, when=WHEN)
    assert "draft" in refused.value.fields
    assert len(session.exec(select(TreatmentSession)).all()) == 1
    _discard(session, injector, draft.id)
    assert drafts.open_draft(session, patient.id, ZONE) is None


def _set_status(session, record, status):
    statement = update(TreatmentSession).where(TreatmentSession.id == record.id)
    session.exec(statement.values(status=status))
    session.commit()


@pytest.mark.audit_exempt(
    "a draft topped up under the old rule is set up by hand",
    tables=["treatment_session"],
)
def test_a_draft_with_a_top_up_of_its_cycle_is_kept(session, injector, make_patient):
    patient = make_patient()
    full = make_treatment(session, injector, patient.id, SITES, when=WHEN)
    # A top-up now waits for its full treatment's signature (review rC, C1); a
    # draft topped up before that rule is still kept.
    _set_status(session, full, SessionStatus.SIGNED)
    top_up = make_treatment(
        session,
        injector,
        patient.id,
        SITES,
        when=WHEN + timedelta(days=14),
        kind="top_up",
    )
    _set_status(session, full, SessionStatus.DRAFT)
    assert top_up.record.cycle_session_id == full.id
    with pytest.raises(Conflict, match="a top-up recorded against it"):
        _discard(session, injector, full.id)
    # The top-up itself can go; then so can the cycle it topped up.
    _discard(session, injector, top_up.id)
    assert _discard(session, injector, full.id).status == SessionStatus.DISCARDED


def test_a_discarded_draft_is_in_no_recall_and_no_comparison(
    session, injector, signed_and_stray
):
    patient, signed, stray = signed_and_stray
    _discard(session, injector, stray.id)
    names = {muscle.code: muscle.name for muscle in FACE_MAP.muscles}
    recall = find_recall(
        session,
        injector,
        {"product": "botox", "lot": "C1234AB"},
        purpose="page",
        muscle_names=names,
        zone=ZONE,
    )
    assert [row.session_id for row in recall.rows] == [signed.id]
    cycles = read_cycles(session, patient.id, ZONE)
    assert [cycle.cycle for cycle in cycles.cycles] == [1]
    assert list(cycles.sessions.values()) == [[signed.id]]


@pytest.mark.parametrize("name", ["sessions", "sites"])
def test_a_discarded_draft_is_left_out_of_the_research_files(
    session, injector, signed_and_stray, name
):
    patient, kept, stray = signed_and_stray
    _discard(session, injector, stray.id)
    consent_to_research(session, injector, [patient.id])
    text = research_csv(session, injector, name)
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert {int(row["session_id"]) for row in rows} == {kept.id}
    assert "discarded" not in text
