"""Issue 22: the handout's "moving your face" line knows about facial therapy."""

from datetime import timedelta

import pytest

from planner.models import TreatmentSession
from planner.reports.moving import moving_your_face
from planner.services import therapy
from tests.services.test_comparison_report import save_pages
from tests.services.test_handout_print import flesch_kincaid_grade
from tests.services.test_handout_print import handout_for
from tests.services.test_handout_print import injector  # noqa: F401
from tests.services.test_handout_print import plan  # noqa: F401
from tests.services.test_reports import NOW
from tests.services.test_reports import page_texts


def test_the_line_points_to_therapy_or_suggests_it_and_keeps_the_advice():
    going = moving_your_face(in_therapy=True)
    assert "therapist's home plan" in going.lines[0].text
    none = moving_your_face(in_therapy=False)
    assert none.lines[0].text == "Ask us about face therapy: it can help."
    for told in (going, none):
        advice = " ".join(line.text for line in told.lines[1:])
        assert "small, slow, gentle moves" in advice
        assert "Do not make big faces" in advice
        assert "do not overdo it" in advice
        assert flesch_kincaid_grade([" ".join(line.text for line in told.lines)]) <= 6


def start_therapy(session, injector, patient_id, started, ended=None):  # noqa: F811
    therapy.add_therapy_course(
        session,
        injector,
        patient_id,
        {
            "kind": "nmrt",
            "started_on": started.isoformat(),
            "ended_on": ended.isoformat() if ended else "",
            "therapist": "Ann Therapist",
        },
        today=NOW.date(),
    )


@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_an_ongoing_course_is_pointed_to_and_the_handout_stays_two_pages(
    app,
    session,
    plan,  # noqa: F811
    injector,  # noqa: F811
    paper,
):
    app.config["PAPER_SIZE"] = paper
    app.config["CLINIC_PHONE"] = "020 7946 0321"
    session_id = plan()
    patient_id = session.get(TreatmentSession, session_id).patient_id
    start_therapy(session, injector, patient_id, NOW.date() - timedelta(days=30))
    handout, html, pdf = handout_for(app, session, session_id)
    assert handout.moving.in_therapy
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert "Keep doing your therapist's home plan" in " ".join(texts)
    save_pages(pdf, f"handout-therapy-{paper}")


def test_a_course_that_ended_before_the_injections_is_not_active(
    app,
    session,
    plan,  # noqa: F811
    injector,  # noqa: F811
):
    session_id = plan()
    patient_id = session.get(TreatmentSession, session_id).patient_id
    start_therapy(
        session,
        injector,
        patient_id,
        NOW.date() - timedelta(days=90),
        NOW.date() - timedelta(days=60),
    )
    handout, _, pdf = handout_for(app, session, session_id)
    assert not handout.moving.in_therapy
    assert "Ask us about face therapy" in " ".join(page_texts(pdf))
