"""The score that judges a cycle is the review taken before any top-up of it.

A review taken after a top-up (later the same day, or days later) shows the full
treatment and the top-up together: it is kept as the cycle's score after the
top-up, shown as such on the ledger, the course table, the PDF and the API,
and never replaces the review or becomes the response set against the full
treatment's dose. The suggested time point follows the same rule. A top-up in
another product shows in the per-muscle table in its own units. Botox and
Dysport; the top-up in the cycle's own product and in the other one.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner import comparison
from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services import outcomes
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_other_product_top_up import BRANDS
from tests.services.test_other_product_top_up import UNITS
from tests.services.test_other_product_top_up import treat

D = [datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(weeks=13 * i) for i in range(3)]
# Product, its three full doses into mentalis left, its top-up.
PRODUCTS = [("botox", (4, 5, 6), 2), ("dysport", (10, 15, 20), 5)]
EACH = pytest.mark.parametrize(
    ("product", "doses", "top_up"), PRODUCTS, ids=["botox", "dysport"]
)
OTHER = {"botox": ("dysport", 10), "dysport": ("botox", 4)}


def saq(total_of_nine):
    base, extra = divmod(total_of_nine, 9)
    return {f"q{n}": base + (1 if n <= extra else 0) for n in range(1, 10)}


def score(session, actor, patient, total, when, timepoint=None):
    return outcomes.record_assessment(
        session,
        actor,
        patient.id,
        "saq",
        saq(total),
        timepoint=timepoint,
        zone=ZONE,
        now=when,
    )


def three_cycles(session, injector, patient, product, doses, top_up_product, units):
    """Pre SAQ 80 and a day-14 review 66.7 in each; cycle 2 gets a top-up an
    hour after its review."""
    for i, dose in enumerate(doses):
        score(session, injector, patient, 36, D[i].replace(hour=9), "pre_treatment")
        treat(
            session,
            injector,
            patient,
            [("mentalis", "left", dose)],
            D[i],
            product,
            sign=True,
        )
        score(session, injector, patient, 30, D[i] + timedelta(days=14), "review")
        if i == 1:
            treat(
                session,
                injector,
                patient,
                [("mentalis", "left", units)],
                D[i] + timedelta(days=14, hours=1),
                top_up_product,
                sign=True,
                kind="top_up",
            )


def overview(session, patient):
    return cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )


@EACH
@pytest.mark.parametrize("later", [timedelta(days=16), timedelta(days=14, hours=3)])
def test_a_review_after_the_top_up_never_replaces_the_one_before_it(
    session, injector, make_patient, login_as, product, doses, top_up, later
):
    patient = make_patient()
    three_cycles(session, injector, patient, product, doses, product, top_up)
    # In the review window, and "review" said outright: still after the top-up.
    score(session, injector, patient, 20, D[1] + later, "review")
    view = overview(session, patient)
    ledger = {row.cycle: row for row in view.ledger}
    (saq_score,) = ledger[2].scores
    assert (saq_score.before, saq_score.review) == ("80", "66.7")
    assert (saq_score.response.text, saq_score.response.verdict) == ("−13.3", "better")
    assert saq_score.after_top_up == "44.4"
    (course,) = view.courses
    row = next(r for r in course.rows if r.cycle == 2)
    assert (row.review, row.response.text, row.after_top_up) == (
        "66.7",
        "−13.3",
        "44.4",
    )
    assert course.topped_up
    assert [s.label for s in course.series] == [
        "Before treatment",
        "At review",
        "After a top-up",
    ]
    (block,) = view.muscle.blocks
    assert [(r.cycle, r.units, r.top_up, r.responses[0].text) for r in block.rows] == [
        (1, str(doses[0]), "", "−13.3"),
        (2, str(doses[1]), str(top_up), "−13.3"),
        (3, str(doses[2]), "", "−13.3"),
    ]
    assert block.findings[0].startswith("SAQ response: n = 3")
    assert "extra unit" not in block.findings[0]  # the same response at each dose

    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{patient.id}/cycles").get_data(as_text=True)
    assert "after the top-up: 44.4" in page
    assert "treatment and top-up together, not the response" in page
    api = browser.api("GET", f"/api/v1/patients/{patient.id}/cycles").json
    (scores,) = api["scores"]
    point = next(p for p in scores["points"] if p["cycle"] == 2)
    assert point["review"] == pytest.approx(66.667, abs=0.01)
    assert point["response"] == pytest.approx(-13.333, abs=0.01)
    assert point["review_after_top_up"] == pytest.approx(44.444, abs=0.01)
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (part,) = report.scores
    rows = {r.label: r.cells for r in part.rows}
    assert rows["After a top-up"] == ["–", "44.4", "–"]
    assert rows["Response (review − before)"][1] == "−13.3 better"


@EACH
def test_a_cycle_reviewed_only_after_its_top_up_has_no_response(
    session, injector, make_patient, product, doses, top_up
):
    patient = make_patient()
    score(session, injector, patient, 36, D[0].replace(hour=9), "pre_treatment")
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", doses[0])],
        D[0],
        product,
        sign=True,
    )
    # The top-up at 10:00 on day 14, the review at 11:00: after it.
    given = D[0] + timedelta(days=14)
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", top_up)],
        given,
        product,
        sign=True,
        kind="top_up",
    )
    score(session, injector, patient, 20, given + timedelta(hours=1), "review")
    view = overview(session, patient)
    (saq_score,) = view.ledger[0].scores
    assert saq_score.response is None
    assert (saq_score.before, saq_score.review, saq_score.after_top_up) == (
        "80",
        "",
        "44.4",
    )
    (block,) = view.muscle.blocks
    (row,) = block.rows
    assert row.responses[0].text == "only after the top-up"
    assert row.responses[0].verdict == ""


@EACH
def test_after_a_top_up_the_suggested_time_point_is_not_the_review(
    session, injector, make_patient, product, doses, top_up
):
    patient = make_patient()
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", doses[0])],
        D[0],
        product,
        sign=True,
    )
    day14 = D[0] + timedelta(days=14)

    def suggested(now):
        # Recorded with no time point given: the suggested one is stored.
        return score(session, injector, patient, 30, now).timepoint.value

    assert suggested(day14) == "review"
    treat(
        session,
        injector,
        patient,
        [("mentalis", "left", top_up)],
        day14 + timedelta(hours=1),
        product,
        sign=True,
        kind="top_up",
    )
    # Before the top-up's time: still the review; after it, and days later: other.
    assert suggested(day14 + timedelta(minutes=30)) == "review"
    assert suggested(day14 + timedelta(hours=2)) == "other"
    assert suggested(day14 + timedelta(days=2)) == "other"


@EACH
def test_a_top_up_in_another_product_shows_in_the_muscle_table_in_its_own_units(
    session, injector, make_patient, login_as, product, doses, top_up
):
    other, other_units = OTHER[product]
    patient = make_patient()
    three_cycles(session, injector, patient, product, doses, other, other_units)
    score(session, injector, patient, 20, D[1] + timedelta(days=16), "review")
    view = overview(session, patient)
    (block,) = view.muscle.blocks
    row = next(r for r in block.rows if r.cycle == 2)
    # Never added to the cycle's own top-up, which stays empty.
    assert row.top_up == ""
    assert row.other_top_ups == (f"+{other_units} {UNITS[other]} {BRANDS[other]}",)
    assert row.responses[0].text == "−13.3"
    assert next(r for r in block.rows if r.cycle == 1).other_top_ups == ()
    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left").get_data(
        as_text=True
    )
    assert f"+{other_units} {UNITS[other]} {BRANDS[other]}" in page


def test_after_top_up_compares_times_not_days():
    given = datetime(2026, 1, 19, 11, tzinfo=UTC)
    assert not comparison.after_top_up(given - timedelta(hours=1), [given])
    assert comparison.after_top_up(given + timedelta(minutes=1), [given])
    assert not comparison.after_top_up(given, [])
