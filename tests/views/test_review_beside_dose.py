"""Each cycle's review score beside its dose, with its direction (review rW, W6).

"Did raising the mentalis dose help?" must be answerable from the cycles page:
the per-muscle panel lists each cycle's score at its review beside the dose,
and a review with no score before treatment is labelled "no baseline: not a
response", never made into one (a response is the review against the cycle's
own score before, clinical reference §4, §7). Every score says which way is
better, as planner.scoring has it. In Dysport and in Botox, on the page, in
the printed comparison and in the services behind them.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from lxml import html as lxml_html

from planner import scoring
from planner.models import Role
from planner.services.cycles import cycles_overview
from planner.services.muscle_response import NO_BASELINE
from planner.services.score_words import direction
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_assessment
from tests.factories import make_treatment
from tests.services.test_comparison_report import page_texts
from tests.services.test_comparison_report import save_pages

DAY0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
VIALS = {"botox": 100, "dysport": 300}
UNITS = {"botox": "U", "dysport": "U (Speywood)"}
# Mentalis raised in cycle 3; SAQ sums at each review 36, 36, 18 -> 80, 80, 40.
PLANS = {"dysport": (10, 10, 20), "botox": (2, 2, 4)}
REVIEW_SUMS = (36, 36, 18)
EACH_PRODUCT = pytest.mark.parametrize("product", PLANS, ids=PLANS)


def saq(total):
    """Nine SAQ answers adding up to ``total`` (9-45)."""
    base, extra = divmod(total, 9)
    return {f"q{i}": base + (1 if i <= extra else 0) for i in range(1, 10)}


def reviewed_only(session, injector, patient, product, before=()):
    """Three signed cycles, scored at each review; before treatment only in the
    cycles (1-based) listed in ``before`` (SAQ sum 36)."""
    for number, (units, review) in enumerate(
        zip(PLANS[product], REVIEW_SUMS, strict=True), start=1
    ):
        when = DAY0 + timedelta(weeks=13 * (number - 1))
        if number in before:
            make_assessment(
                session,
                injector,
                patient.id,
                "saq",
                saq(36),
                when=when - timedelta(hours=1),
                timepoint="pre_treatment",
            )
        make_treatment(
            session,
            injector,
            patient.id,
            [("mentalis", "left", units), ("depressor_anguli_oris", "left", units)],
            when=when,
            sign=True,
            product=product,
            vial_units=VIALS[product],
            lot_number=f"L{number}00",
        )
        make_assessment(
            session,
            injector,
            patient.id,
            "saq",
            saq(review),
            when=when + timedelta(days=14),
            timepoint="review",
        )


def mentalis(session, patient):
    return cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("sunnybrook", "higher is better"),
        ("eface", "higher is better"),
        ("saq", "lower is better"),
        ("fdi", "higher is better"),
        ("house_brackmann", "lower grade is better"),
    ],
)
def test_each_instrument_says_which_way_is_better(code, words):
    assert direction(scoring.get_instrument(code)) == words


@EACH_PRODUCT
def test_reviews_without_a_baseline_are_listed_beside_the_dose_not_as_responses(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    reviewed_only(session, injector, patient, product)
    overview = mentalis(session, patient)
    view = overview.muscle
    assert view.headings == ("SAQ response",)
    assert view.review_headings == ("SAQ at review",)
    assert view.directions == ("lower is better",)
    (block,) = view.blocks
    assert [(r.cycle, r.units, r.reviews) for r in block.rows] == [
        (n, f"{u:g}", (score,))
        for n, u, score in zip(
            (1, 2, 3), PLANS[product], ("80", "80", "40"), strict=True
        )
    ]
    assert [(r.responses[0].text, r.responses[0].verdict) for r in block.rows] == [
        (NO_BASELINE, "")
    ] * 3
    assert block.findings[0].startswith(
        "SAQ response: n = 0; no cycle here has a score before treatment"
    )
    # The ledger says the same, with the direction in the score.
    for row in overview.ledger:
        (score,) = row.scores
        assert (score.title, score.direction, score.before) == (
            "SAQ",
            "lower is better",
            "",
        )
        assert score.response is None


@EACH_PRODUCT
def test_a_cycle_with_a_baseline_keeps_its_response_beside_its_review(
    session, injector, make_patient, product
):
    patient = make_patient(affected_side="left")
    reviewed_only(session, injector, patient, product, before=(3,))
    (block,) = mentalis(session, patient).muscle.blocks
    assert [r.reviews for r in block.rows] == [("80",), ("80",), ("40",)]
    # 40 - 80 = -40 on the SAQ: lower is better.
    assert [(r.responses[0].text, r.responses[0].verdict) for r in block.rows] == [
        (NO_BASELINE, ""),
        (NO_BASELINE, ""),
        ("\u221240", "better"),
    ]
    assert block.findings[0].startswith("SAQ response: n = 1")


@EACH_PRODUCT
def test_the_page_and_the_print_show_the_review_its_direction_and_no_response(
    session, injector, make_patient, login_as, product
):
    patient = make_patient(affected_side="left")
    reviewed_only(session, injector, patient, product)
    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left")
    tree = lxml_html.fromstring(page.get_data(as_text=True))
    (table,) = tree.xpath('//table[contains(@class, "muscle-table")]')
    heads = [" ".join(h.text_content().split()) for h in table.xpath(".//thead//th")]
    assert heads == [
        "Cycle",
        "Dose",
        "Top-up",
        "SAQ at reviewlower is better",
        "SAQ response",
        "Wore off",
    ]
    rows = [
        [" ".join(c.text_content().split()) for c in row.xpath("./td")]
        for row in table.xpath(".//tbody/tr")
    ]
    unit = UNITS[product]
    assert [row[:4] for row in rows] == [
        [f"{u:g} {unit}", "", score, NO_BASELINE]
        for u, score in zip(PLANS[product], ("80", "80", "40"), strict=True)
    ]
    for cell in tree.xpath('//table[contains(@class, "ledger")]//td[@class="scores"]'):
        text = " ".join(cell.text_content().split())
        assert text.startswith("SAQ, lower is better ")
        assert text.endswith("at review; no baseline: not a response")

    pdf = browser.get(f"/patients/{patient.id}/comparison.pdf").data
    save_pages(pdf, f"comparison-review-only-{product}")
    flat = " ".join(" ".join(page_texts(pdf)).split())
    assert "SAQ (lower is better) 80 at review; no baseline: not a response" in flat
    assert "SAQ at review (lower is better) 80 80 40" in flat
