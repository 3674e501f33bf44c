"""Issue 22: therapy periods and procedures beside the cycles they overlap.

On the trend charts (a band, a dotted mark), in the ledger and in the printed
comparison read back from the PDF.
"""

import re
import xml.etree.ElementTree as ET
from datetime import date

from planner.comparison.beside import ProcedureDay
from planner.comparison.beside import TherapyPeriod
from planner.comparison.beside import beside_cycles
from planner.reports.comparison import comparison_report
from planner.services import therapy
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_comparison_report import document_for
from tests.services.test_comparison_report import page_texts
from tests.services.test_comparison_report import save_pages
from tests.services.test_comparison_report import three_cycles  # noqa: F401

TODAY = date(2026, 11, 1)
SVG = "{http://www.w3.org/2000/svg}"


def test_periods_and_procedures_are_placed_against_the_cycles_they_meet():
    cycles = [(1, date(2026, 1, 5)), (2, date(2026, 4, 6)), (3, date(2026, 7, 6))]
    found = beside_cycles(
        cycles,
        [
            TherapyPeriod(date(2026, 2, 1), date(2026, 3, 15), "NMRT early"),
            TherapyPeriod(date(2026, 5, 1), None, "NMRT ongoing"),
            TherapyPeriod(date(2025, 1, 1), date(2025, 2, 1), "Before any"),
        ],
        [
            ProcedureDay(date(2026, 5, 20), "DAO excision"),
            ProcedureDay(date(2026, 9, 1), "Brow lift"),
        ],
    )
    assert [(b.first, b.last, b.label) for b in found.bands] == [
        (1, 1, "NMRT early"),
        (2, 3, "NMRT ongoing"),
    ]
    assert found.marks == [(3, "DAO excision")]
    assert found.notes[3] == (
        "Therapy: NMRT ongoing",
        "Procedure before this cycle: DAO excision",
    )
    assert found.outside == ("Therapy: Before any", "Procedure: Brow lift")


def record_other_treatments(session, injector, patient):
    therapy.add_therapy_course(
        session,
        injector,
        patient.id,
        {
            "kind": "nmrt",
            "started_on": "2026-05-04",
            "ended_on": "2026-06-15",
            "therapist": "Ann Therapist",
            "home_programme": "Small smiles in the mirror.",
        },
        today=TODAY,
    )
    therapy.add_procedure(
        session,
        injector,
        patient.id,
        {
            "kind": "dao_excision",
            "side": "left",
            "performed_on": "2026-05-20",
            "surgeon": "Ms Surgeon",
        },
        today=TODAY,
    )


def test_the_trend_chart_draws_the_band_and_the_procedure_mark(
    session,
    injector,
    three_cycles,  # noqa: F811
):
    record_other_treatments(session, injector, three_cycles)
    overview = draw_cycles(
        cycles_overview(session, three_cycles.id, face_map=FACE_MAP, zone=ZONE),
        FACE_MAP,
    )
    (course,) = overview.courses
    chart = ET.fromstring(str(course.svg))
    (band,) = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "band"]
    assert (band.get("data-first"), band.get("data-last")) == ("2", "2")
    label = next(t for t in band.iter(f"{SVG}text"))
    assert label.text == "NMRT 4 May 2026 – 15 Jun 2026"
    marks = [g for g in chart.iter(f"{SVG}g") if g.get("class") == "mark"]
    assert any(
        "DAO excision (myectomy) (left), 20 May 2026" in (t.text or "")
        for m in marks
        for t in m.iter(f"{SVG}text")
    )


def test_the_printed_comparison_names_them_beside_the_cycles(
    app,
    session,
    injector,
    three_cycles,  # noqa: F811
):
    record_other_treatments(session, injector, three_cycles)
    report = comparison_report(session, three_cycles.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    pdf = document.write_pdf()
    save_pages(pdf, "comparison-beside")
    flat = " ".join(page_texts(pdf))
    cycle_2 = flat[flat.index("Cycle 2 ") : flat.index("Cycle 3 ")]
    assert "Therapy: NMRT 4 May 2026 – 15 Jun 2026, Ann Therapist" in cycle_2
    cycle_3 = flat[flat.index("Cycle 3 ") :]
    assert re.search(
        r"Procedure before this cycle: DAO excision \(myectomy\) \(left\), 20 May 2026",
        cycle_3,
    )
