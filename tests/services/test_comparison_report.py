"""The printed cycle comparison, laid out by WeasyPrint and read back.

Each PDF is made as the view makes it (the report's service, the template
through Flask) and read back with pdftotext; the map cards' number size is read
from WeasyPrint's own layout of the same HTML, and page images go to
test-artifacts/ to be looked at.
"""

import re
import subprocess
from datetime import UTC
from datetime import datetime
from pathlib import Path

import pytest
import weasyprint
from sqlalchemy import func
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.models import TreatmentSession
from planner.reports.comparison import NUMBER_PT
from planner.reports.comparison import comparison_report
from planner.views.reports import report_html
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_cycle_response import THREE_CYCLES
from tests.services.test_cycle_response import seed_cycles
from tests.services.test_reports import page_texts

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# WeasyPrint lays out in CSS px: 96 per inch, 72 pt per inch.
PT_PER_PX = 72 / 96


def document_for(app, report, paper="A4"):
    app.config["PAPER_SIZE"] = paper
    with app.test_request_context():
        html = report_html(
            "reports/comparison.html", printed_by="Test Printer", report=report
        )
    return html, weasyprint.HTML(string=html, base_url=app.static_folder + "/").render()


def save_pages(pdf, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(path), str(ARTIFACTS / name)], check=True
    )


@pytest.fixture
def three_cycles(session, injector, make_patient):
    """Three Botox cycles, each with an SAQ before treatment and at its review."""
    patient = make_patient()
    seed_cycles(session, injector, patient.id, THREE_CYCLES)
    return patient


def test_the_pdf_has_a_ledger_row_per_cycle_with_its_review_change(
    app, session, three_cycles
):
    report = comparison_report(session, three_cycles.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    pdf = document.write_pdf()
    save_pages(pdf, "comparison-three-cycles")
    flat = " ".join(page_texts(pdf))
    # 20/45 - 32/45 = -26.7; 19/45 - 31/45 = -26.7; 24/45 - 30/45 = -13.3.
    for cycle, change in (
        (1, "71.1 → 44.4 (−26.7 better)"),
        (2, "68.9 → 42.2 (−26.7 better)"),
        (3, "66.7 → 53.3 (−13.3 better)"),
    ):
        row = re.search(
            rf"Cycle {cycle} \d+ \w+ 2026 Botox.*?SAQ \(lower is better\) "
            rf"{re.escape(change)}",
            flat,
        )
        assert row, (cycle, change)
    # The per-muscle section: mentalis changed (2.5 -> 3.5), the DAO did not.
    section = flat[flat.index("Dose against response, muscle by muscle") :]
    assert "Mentalis, left (Botox)" in section
    assert "Depressor anguli oris, left" not in section.split("Injection sites")[0]
    assert "SAQ response: n = 3" in section
    assert "Only 3 cycles to compare: too few to tell" in section
    assert "Printed" in page_texts(pdf)[0]


def test_map_card_numbers_print_at_seven_points_or_more(app, session, three_cycles):
    report = comparison_report(session, three_cycles.id, face_map=FACE_MAP, zone=ZONE)
    html, document = document_for(app, report)
    sizes = []
    for page in document.pages:
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            stack.extend(getattr(box, "children", ()))
            element = getattr(box, "element", None)
            if element is None or "map-card" not in (element.get("class") or ""):
                continue
            if not element.tag.endswith("svg"):
                continue
            view_width = float(element.get("viewBox").split()[2])
            numbers = next(g for g in element.iter() if g.get("class") == "numbers")
            scale = box.width * PT_PER_PX / view_width
            sizes.append(float(numbers.get("font-size")) * scale)
    assert len(sizes) == len(report.cards) == 3
    assert min(sizes) >= 7.0
    assert min(sizes) == pytest.approx(NUMBER_PT, abs=0.05)
    # The face is named once in the document, not once per card.
    assert html.count("data:image/svg+xml;base64,") == 1


def test_a_filtered_comparison_states_its_baseline(app, session, three_cycles):
    report = comparison_report(
        session, three_cycles.id, face_map=FACE_MAP, zone=ZONE, only={2, 3}
    )
    _, document = document_for(app, report)
    flat = " ".join(page_texts(document.write_pdf()))
    assert "Cycles chosen: 2, 3." in flat
    assert "SAQ: Baseline 71.1, before cycle 1 (not among the cycles shown)." in flat
    # Cycle 2 is still compared with cycle 1, which it followed.
    assert "Changed from cycle 1 Mentalis left: 2.5 → 3.5 U (+1)" in flat


@pytest.fixture
def ten_cycles(app, session):
    seed_demo(
        get_engine(app),
        patients=3,
        cycles=10,
        seed=61,
        now=datetime(2026, 11, 20, tzinfo=UTC),
    )
    patient_id = session.exec(
        select(TreatmentSession.patient_id)
        .group_by(col(TreatmentSession.patient_id))
        .having(func.max(TreatmentSession.cycle_number) == 10)
    ).first()
    assert patient_id is not None
    return patient_id


@pytest.mark.slow
@pytest.mark.parametrize("paper", ["A4", "Letter"])
def test_ten_cycles_every_row_and_no_page_of_footer_alone(
    app, session, ten_cycles, paper
):
    report = comparison_report(session, ten_cycles, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report, paper)
    pdf = document.write_pdf()
    save_pages(pdf, f"comparison-ten-cycles-{paper.lower()}")
    texts = page_texts(pdf)
    flat = " ".join(texts)
    for row in report.ledger:
        assert f"Cycle {row.cycle} {row.treated_on.day} " in flat
    footer = f"{report.patient.name} · MRN {report.patient.mrn}"
    for number, text in enumerate(texts, start=1):
        body = text.replace(f"Page {number} of {len(texts)}", "")
        body = re.sub(re.escape(footer) + r".*?Cycle comparison", "", body)
        body = body.replace("Facial Palsy Clinic", "").strip()
        assert len(body) > 40, f"page {number} of {len(texts)} holds only {text!r}"
