"""House-Brackmann beside one muscle's dose: grades listed, never fitted.

HB is a single gross grade, "descriptive only" (clinical reference §4.4, §7):
the per-muscle comparison lists it before and after each cycle ("IV → II") and
fits no slope or r to it, on the service, the cycles page and the comparison
PDF. SAQ beside it is still fitted, in points.
"""

import subprocess
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest

from planner.models import Role
from planner.services import outcomes
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import sign_chin
from tests.services.test_cycle_response import saq

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FIRST = datetime(2025, 1, 6, 10, tzinfo=UTC)
# Mentalis doses per cycle, each in its own product's units.
DOSES = {"botox": (2, 3, 4), "dysport": (10, 15, 20)}
UNITS = {"botox": "U", "dysport": "U (Speywood)"}
BRANDS = {"botox": "Botox", "dysport": "Dysport"}
# (before, review) per cycle: HB grade, and the SAQ answer sum of nine.
HB = ((4, 4), (4, 3), (4, 2))
SAQ_SUMS = ((36, 30), (36, 27), (36, 22))


def score(session, actor, patient_id, when, timepoint, *, hb=None, saq_sum=None):
    """Record an HB grade and/or an SAQ (from its answer sum) at ``when``."""
    for code, answers in (
        ("house_brackmann", hb and {"grade": hb}),
        ("saq", saq_sum and saq(saq_sum)),
    ):
        if answers:
            outcomes.record_assessment(
                session,
                actor,
                patient_id,
                code,
                answers,
                timepoint=timepoint,
                zone=ZONE,
                now=when,
            )


@pytest.fixture(params=["botox", "dysport"])
def graded(request, session, injector, make_patient):
    """Three cycles 13 weeks apart, mentalis dose rising, HB and SAQ each time."""
    product = request.param
    patient = make_patient()
    for i, units in enumerate(DOSES[product]):
        when = FIRST + timedelta(weeks=13 * i)
        (hb_before, hb_review), (saq_before, saq_review) = HB[i], SAQ_SUMS[i]
        before, review = when - timedelta(hours=1), when + timedelta(days=14)
        score(
            session,
            injector,
            patient.id,
            before,
            "pre_treatment",
            hb=hb_before,
            saq_sum=saq_before,
        )
        sign_chin(
            session,
            injector,
            patient.id,
            when=when,
            lot_number=f"L{i}",
            product=product,
            units=units,
        )
        score(
            session,
            injector,
            patient.id,
            review,
            "review",
            hb=hb_review,
            saq_sum=saq_review,
        )
    return product, patient


def test_the_muscle_view_lists_grades_and_fits_only_the_scales(session, graded):
    product, patient = graded
    overview = cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )
    view = overview.muscle
    assert view.headings == ("SAQ response", "House–Brackmann grade")
    (block,) = view.blocks
    assert block.product == BRANDS[product]
    assert [[(c.text, c.verdict) for c in row.responses[1:]] for row in block.rows] == [
        [("IV → IV", "same")],
        [("IV → III", "better")],
        [("IV → II", "better")],
    ]
    saq_finding, hb_finding, wear_off = block.findings
    # SAQ is a scale: still fitted against the dose, in points, with r.
    assert saq_finding.startswith("SAQ response: n = 3; each extra unit went with ")
    assert " points better, r = " in saq_finding
    # HB is a grade: listed, with n, and no slope, r or points.
    assert hb_finding == (
        "House–Brackmann: n = 3; grades listed before and after each cycle, not set "
        "against the dose: a single gross grade cannot track one muscle's change "
        "[S44] [S46b]."
    )
    assert wear_off.startswith("Wear-off: n = 0")
    assert "Only 3 cycles to compare" in block.caution


def test_a_cycle_graded_only_at_review_has_no_baseline(session, injector, make_patient):
    patient = make_patient()
    for i, units in enumerate((2, 3, 4)):
        when = FIRST + timedelta(weeks=13 * i)
        if i:
            before = when - timedelta(hours=1)
            score(session, injector, patient.id, before, "pre_treatment", hb=4)
        sign_chin(
            session, injector, patient.id, when=when, lot_number=f"L{i}", units=units
        )
        review = when + timedelta(days=14)
        score(session, injector, patient.id, review, "review", hb=3)
    overview = cycles_overview(
        session, patient.id, face_map=FACE_MAP, zone=ZONE, muscle=("mentalis", "left")
    )
    (block,) = overview.muscle.blocks
    assert [row.responses[0].text for row in block.rows] == [
        "no baseline: not a response",
        "IV → III",
        "IV → III",
    ]
    assert block.findings[0].startswith("House–Brackmann: n = 2; grades listed")


def test_the_cycles_page_and_the_pdf_show_grades_not_a_fit(login_as, graded, tmp_path):
    product, patient = graded
    browser = login_as(Role.STAFF)
    page = browser.get(f"/patients/{patient.id}/cycles?muscle=mentalis:left").get_data(
        as_text=True
    )
    assert '<th scope="col" class="num">House–Brackmann grade</th>' in page
    assert '<th scope="col" class="num">SAQ response</th>' in page
    assert 'IV → II <span class="verdict">better</span>' in page
    assert "House–Brackmann: n = 3; grades listed before and after each cycle" in page
    assert "House–Brackmann response" not in page

    pdf = browser.get(f"/patients/{patient.id}/comparison.pdf")
    assert pdf.status_code == 200
    path = tmp_path / "comparison.pdf"
    path.write_bytes(pdf.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    section = text[text.index("Dose against response, muscle by muscle") :]
    section = section[: section.index("Injection sites by cycle")]
    lines = [" ".join(line.split()) for line in section.splitlines()]
    assert f"Mentalis, left ({BRANDS[product]})" in lines
    dose_row = "Dose, {} {} {} {}".format(UNITS[product], *DOSES[product])
    assert dose_row in lines
    assert "House–Brackmann grade IV → IV IV → III IV → II" in lines
    assert any(line.startswith("SAQ response ") for line in lines)
    flat = " ".join(" ".join(lines).split())
    assert "House–Brackmann: n = 3; grades listed before and after each cycle" in flat
    assert "House–Brackmann response" not in flat
    assert "points better, r = " in flat  # SAQ's fit, unchanged
    if product == "dysport":
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        saved = ARTIFACTS / "f4-comparison-hb-grades.pdf"
        saved.write_bytes(pdf.data)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "60", str(saved), str(saved.with_suffix(""))],
            check=True,
        )
