"""House-Brackmann is a grade, never subtracted: ledger, course table, PDF, API, chart.

Clinical reference §4.4 ("HB is a single descriptor", gross) and §7 ("HB:
descriptive only"): every view of the cycles shows the grades ("IV → II") with
better, same or worse, no signed difference, no "vs baseline" number and no
chart on a numeric axis; the API gives the grades and no numeric response.
A scale (the SAQ) beside it keeps its numbers. In Botox and in Dysport.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services import outcomes
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_other_product_top_up import treat

DAYS = [datetime(2026, 1, 5, 10, tzinfo=UTC), datetime(2026, 4, 6, 10, tzinfo=UTC)]
# Grades before and at review per cycle: IV → II, then V → IV.
GRADES = [(4, 2), (5, 4)]


def record(session, actor, patient, instrument, items, when, timepoint):
    outcomes.record_assessment(
        session,
        actor,
        patient.id,
        instrument,
        items,
        timepoint=timepoint,
        zone=ZONE,
        now=when,
    )


def saq(total_of_nine):
    base, extra = divmod(total_of_nine, 9)
    return {f"q{n}": base + (1 if n <= extra else 0) for n in range(1, 10)}


@pytest.fixture
def graded(session, injector, make_patient, request):
    product, doses = request.param
    patient = make_patient()
    for day, (before, review), units in zip(DAYS, GRADES, doses, strict=True):
        record(
            session,
            injector,
            patient,
            "house_brackmann",
            {"grade": before},
            day.replace(hour=9),
            "pre_treatment",
        )
        record(
            session,
            injector,
            patient,
            "saq",
            saq(36),
            day.replace(hour=9),
            "pre_treatment",
        )
        treat(
            session,
            injector,
            patient,
            [("mentalis", "left", units)],
            day,
            product,
            sign=True,
        )
        review_at = day + timedelta(days=14)
        record(
            session,
            injector,
            patient,
            "house_brackmann",
            {"grade": review},
            review_at,
            "review",
        )
        record(session, injector, patient, "saq", saq(30), review_at, "review")
    return patient


PRODUCTS = pytest.mark.parametrize(
    "graded",
    [("botox", (2, 3)), ("dysport", (10, 15))],
    ids=["botox", "dysport"],
    indirect=True,
)


@PRODUCTS
def test_the_ledger_and_course_table_give_grades_not_differences(session, graded):
    overview = cycles_overview(session, graded.id, face_map=FACE_MAP, zone=ZONE)
    hb = [
        [s for s in row.scores if s.title == "House–Brackmann"][0]
        for row in overview.ledger
    ]
    assert [(s.before, s.review, s.response.text, s.response.verdict) for s in hb] == [
        ("IV", "II", "", "better"),
        ("V", "IV", "", "better"),
    ]
    course = next(c for c in overview.courses if c.instrument == "house_brackmann")
    assert course.descriptive
    assert [
        (
            r.before,
            r.review,
            r.response.text,
            r.response.verdict,
            r.from_baseline.text,
            r.from_baseline.verdict,
        )
        for r in course.rows
    ] == [
        ("IV", "II", "", "better", "", "same"),
        ("V", "IV", "", "better", "", "worse"),
    ]
    assert course.series == []
    assert course.baseline_note == "Baseline grade IV, before cycle 1"
    # The SAQ beside it keeps its numbers.
    saq_course = next(c for c in overview.courses if c.instrument == "saq")
    assert saq_course.rows[0].response.text == "−13.3"
    drawn = draw_cycles(overview, FACE_MAP)
    charts = {c.instrument: c.svg for c in drawn.courses}
    assert charts["house_brackmann"] is None
    assert charts["saq"] is not None


@PRODUCTS
def test_the_page_pdf_and_api_never_subtract_grades(session, graded, login_as):
    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{graded.id}/cycles").get_data(as_text=True)
    assert (
        'IV → II <span class="change better"><span class="verdict">better</span>'
        in page
    )
    assert "−2" not in page
    assert "+1 <span" not in page
    assert "A grade, not a measurement" in page
    section = page.split('id="trend-house_brackmann"')[1].split("</section>")[0]
    assert "<svg" not in section  # no chart on a 1-6 axis
    assert "<svg" in page.split('id="trend-saq"')[1].split("</section>")[0]
    report = comparison_report(session, graded.id, face_map=FACE_MAP, zone=ZONE)
    part = next(p for p in report.scores if p.title == "House–Brackmann grade")
    assert [(r.label, r.cells) for r in part.rows] == [
        ("Before treatment", ["IV", "V"]),
        ("At review", ["II", "IV"]),
        ("Review against before", ["better", "better"]),
    ]
    api = browser.api("GET", f"/api/v1/patients/{graded.id}/cycles").json
    hb = next(s for s in api["scores"] if s["instrument"] == "house_brackmann")
    assert hb["descriptive"] is True
    assert hb["baseline"] == "IV"
    assert [
        {k: p[k] for k in ("cycle", "pre_treatment", "review", "change")}
        for p in hb["points"]
    ] == [
        {"cycle": 1, "pre_treatment": "IV", "review": "II", "change": "better"},
        {"cycle": 2, "pre_treatment": "V", "review": "IV", "change": "better"},
    ]
    assert all("response" not in p for p in hb["points"])
    saq_scores = next(s for s in api["scores"] if s["instrument"] == "saq")
    assert saq_scores["descriptive"] is False
    assert saq_scores["points"][0]["response"] == pytest.approx(-13.333, abs=0.01)
