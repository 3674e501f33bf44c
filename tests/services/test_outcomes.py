"""Outcomes: assessments scored and filed by cycle, responses, events, the overview."""

from datetime import UTC
from datetime import date
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from planner.db import get_engine
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.facemap import load_face_map
from planner.models import TreatmentSession
from planner.services import outcomes
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import cycles_overview
from tests.factories import make_demo_patient

ZONE = ZoneInfo("Europe/London")
FACE_MAP = load_face_map(Path(__file__).resolve().parents[2] / "face_maps")
SAQ = {
    f"q{n}": value
    for n, value in zip(range(1, 10), [1, 2, 3, 4, 5, 1, 2, 3, 4], strict=True)
}


@pytest.fixture
def demo(app, session):
    return make_demo_patient(get_engine(app), session, patients=3, cycles=4, seed=7)


def test_saq_is_scored_and_filed_under_the_current_cycle(session, demo, injector):
    latest = session.exec(
        select(TreatmentSession)
        .where(TreatmentSession.patient_id == demo.id, TreatmentSession.kind == "full")
        .order_by(TreatmentSession.performed_at.desc())
    ).first()
    saved = outcomes.record_assessment(
        session,
        injector,
        demo.id,
        "saq",
        SAQ,
        timepoint="wear_off",
        zone=ZONE,
        self_entered=True,
        now=datetime(2026, 11, 2, tzinfo=UTC),
    )
    # (1+2+3+4+5+1+2+3+4) = 25; 25 / 45 × 100 = 55.56
    assert saved.total == pytest.approx(55.555, abs=0.01)
    assert saved.session_id == latest.id
    assert saved.self_entered
    assert saved.items == SAQ


@pytest.mark.parametrize(
    ("instrument", "items", "field"),
    [
        ("saq", {**SAQ, "q3": 9}, "q3"),
        ("saq", {"q1": 1}, "q2"),
        ("nope", {}, "instrument"),
    ],
)
def test_bad_answers_are_named(session, demo, injector, instrument, items, field):
    with pytest.raises(InvalidInput) as info:
        outcomes.record_assessment(
            session, injector, demo.id, instrument, items, timepoint="review", zone=ZONE
        )
    assert field in info.value.fields


def test_response_is_recorded_then_edited_against_its_version(session, demo, injector):
    record = session.exec(
        select(TreatmentSession).where(
            TreatmentSession.patient_id == demo.id, TreatmentSession.kind == "full"
        )
    ).first()
    from planner.models import CycleResponse

    existing = session.exec(
        select(CycleResponse).where(CycleResponse.session_id == record.id)
    ).first()
    version = existing.version if existing else None
    saved = outcomes.record_response(
        session,
        injector,
        record.id,
        {
            "version": version,
            "onset_days": "3",
            "peak_days": "14",
            "wear_off_weeks": "13",
        },
        zone=ZONE,
    )
    assert saved.wear_off_weeks == 13
    with pytest.raises(StaleWrite):
        outcomes.record_response(
            session,
            injector,
            record.id,
            {"version": version or 1, "wear_off_weeks": "12"},
            zone=ZONE,
        )
    with pytest.raises(InvalidInput) as info:
        outcomes.record_response(
            session,
            injector,
            record.id,
            {"version": saved.version, "onset_days": "10", "peak_days": "5"},
            zone=ZONE,
        )
    assert "peak_days" in info.value.fields


def test_adverse_event_rules(session, demo, injector):
    record = session.exec(
        select(TreatmentSession).where(TreatmentSession.patient_id == demo.id)
    ).first()
    today = date(2026, 11, 1)
    with pytest.raises(InvalidInput) as info:
        outcomes.add_adverse_event(
            session,
            injector,
            record.id,
            {"kind": "other", "severity": "mild"},
            today=today,
            zone=ZONE,
        )
    assert "description" in info.value.fields
    with pytest.raises(InvalidInput):
        outcomes.add_adverse_event(
            session,
            injector,
            record.id,
            {"kind": "dry_eye", "severity": "mild", "onset_date": "2030-01-01"},
            today=today,
            zone=ZONE,
        )
    event = outcomes.add_adverse_event(
        session,
        injector,
        record.id,
        {"kind": "eyelid_droop", "severity": "moderate", "onset_date": "2026-10-01"},
        today=today,
        zone=ZONE,
    )
    assert event.kind == "eyelid_droop"


def test_cycles_overview_from_demo_data(session, demo):
    overview = cycles_overview(session, demo.id, face_map=FACE_MAP, zone=ZONE)
    assert [card.number for card in overview.cards] == sorted(
        card.number for card in overview.cards
    )
    assert len(overview.cards) >= 2
    assert all(card.svg is None for card in overview.cards)  # data only: no drawing
    drawn = draw_cycles(overview, FACE_MAP)
    assert all(card.svg.startswith("<svg") for card in drawn.cards)
    assert all(course.svg.startswith("<svg") for course in drawn.courses)
    # The face is drawn once for the page; each card uses it.
    assert drawn.sprite.count("<symbol") == 1
    assert all('<use href="#cycle-face"' in card.svg for card in drawn.cards)
    assert overview.matrices
    # The demo grades Sunnybrook before treatment and takes the SAQ at review.
    assert {c.instrument for c in overview.courses} >= {"sunnybrook", "saq"}
    sunnybrook = next(c for c in overview.courses if c.instrument == "sunnybrook")
    assert sunnybrook.rows[0].from_baseline.text == "0"
    assert [s.label for s in sunnybrook.series] == ["Before treatment"]
    assert [row.cycle for row in overview.ledger] == list(overview.shown)
    only_two = cycles_overview(
        session, demo.id, face_map=FACE_MAP, zone=ZONE, only={1, 2}
    )
    assert [card.number for card in only_two.cards] == [1, 2]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"notes": "Felt\x00fine"}, "notes"), ({"onset_days": "3\x00"}, "onset_days")],
)
def test_a_response_with_nul_is_refused_naming_the_field(
    session, demo, injector, change, field
):
    """Found by tests/fuzz: PostgreSQL refused the NUL in the notes, a 500."""
    record = session.exec(
        select(TreatmentSession).where(
            TreatmentSession.patient_id == demo.id, TreatmentSession.kind == "full"
        )
    ).first()
    before = outcomes.response_for(session, record.id)
    version = before.version if before else None
    with pytest.raises(InvalidInput) as info:
        outcomes.record_response(
            session, injector, record.id, {"version": version, **change}, zone=ZONE
        )
    assert field in info.value.fields
    assert outcomes.response_for(session, record.id) == before
