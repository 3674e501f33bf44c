"""Benchmark rows for the printed reports, each next to WeasyPrint's own floor.

A report row is the whole request: gather the data, render the template, lay
it out and write the PDF, note the print in the audit trail. Its floor row is
``render_pdf`` alone on the same HTML, made once beforehand in a request
context: what WeasyPrint needs whatever planner does. Targets (issue 6): record
and handout under 0.6 s, a 10-cycle comparison under 2.5 s. The comparison has a
second floor, the same HTML with its cycle maps taken out: issue 16 asks for the
whole comparison within 1.5 times that, the face being drawn once per document.
"""

import re
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text
from werkzeug.wrappers import Response

from planner.db import build_engine
from planner.db import get_session
from planner.reports.comparison import comparison_report
from planner.reports.handout import patient_handout
from planner.reports.record import treatment_record
from planner.reports.render import render_pdf
from planner.views.context import clinic_zone
from planner.views.context import face_map
from planner.views.reports import report_html
from planner.views.reports import static_folder
from tests.bench.outcome_cases import seed_more

COMPARISON_CYCLES = 10
# The cycle cards' own drawings and the face they all show (a style's image).
CARD_MAPS = re.compile(r'<svg class="facemap map-card".*?</svg>', re.DOTALL)
SHARED_FACE = re.compile(r"<style>\.comparison \.map-card .*?</style>", re.DOTALL)
# Seeded only when the bench database has nobody with ten cycles (its default
# run has six). About two patients in three get every cycle, so a few tries of
# a few patients always find one.
EXTRA_PATIENTS = 3
EXTRA_SEED = 61
SEED_TRIES = 3


def _query_one(url: str, sql: str) -> int | None:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()
    return None if found is None else int(found)


def _busiest_signed_session(url: str) -> int:
    """Pick a signed full session with the most sites: a long record."""
    found = _query_one(
        url,
        "SELECT s.id FROM treatment_session s "
        "JOIN injection_site i ON i.session_id = s.id "
        "WHERE s.status = 'signed' AND s.kind = 'full' "
        "GROUP BY s.id ORDER BY count(*) DESC, s.id LIMIT 1",
    )
    assert found is not None, "the bench database has no signed session"
    return found


def _patient_with_cycles(url: str, cycles: int) -> int | None:
    return _query_one(
        url,
        "SELECT patient_id FROM treatment_session WHERE status = 'signed' "
        f"GROUP BY patient_id HAVING max(cycle_number) >= {int(cycles)} "
        "ORDER BY patient_id LIMIT 1",
    )


def _ten_cycle_patient(url: str) -> int:
    """Return a patient with ten signed cycles, seeding a few if there is none."""
    found = _patient_with_cycles(url, COMPARISON_CYCLES)
    for attempt in range(SEED_TRIES):
        if found is not None:
            break
        seed_more(
            url,
            patients=EXTRA_PATIENTS,
            cycles=COMPARISON_CYCLES,
            seed=EXTRA_SEED + attempt,
        )
        found = _patient_with_cycles(url, COMPARISON_CYCLES)
    if found is None:
        raise SystemExit("Seeding gave nobody ten cycles; try another EXTRA_SEED.")
    return found


def _report_html(app: Flask, session_id: int, patient_id: int) -> dict[str, str]:
    """Render each report's HTML once, as the views do, for the floor rows."""
    cycles = set(range(1, COMPARISON_CYCLES + 1))
    with app.test_request_context():
        db, zone, now = get_session(), clinic_zone(), datetime.now(UTC)
        record = treatment_record(
            db, session_id, face_map=face_map(), zone=zone, now=now
        )
        handout = patient_handout(
            db, session_id, face_map=face_map(), zone=zone, now=now
        )
        report = comparison_report(
            db, patient_id, face_map=face_map(), zone=zone, only=cycles
        )
        assert len(report.cards) == COMPARISON_CYCLES
        comparison = report_html(
            "reports/comparison.html", printed_by="Bench", report=report
        )
        return {
            "record": report_html(
                "reports/record.html", printed_by="Bench", record=record
            ),
            "handout": report_html(
                "reports/handout.html", printed_by="Bench", handout=handout
            ),
            "comparison": comparison,
            "comparison without maps": without_maps(comparison),
            "static": static_folder(),
        }


def without_maps(html: str) -> str:
    """Take the cycle cards' maps and the face they share out of a comparison."""
    bare = SHARED_FACE.sub("", CARD_MAPS.sub("", html))
    assert bare != html, "the comparison's maps were not found"
    return bare


def register_report_cases(
    client: FlaskClient, url: str, register: Any, patient_id: Any
) -> None:
    """Register each PDF's row and, after it, WeasyPrint's floor for its HTML.

    ``register`` and ``patient_id`` come from run.py, which runs as __main__;
    the patient picker is unused, as the reports need particular patients.
    """
    del patient_id
    session_id = _busiest_signed_session(url)
    ten_cycles = _ten_cycle_patient(url)
    html = _report_html(client.application, session_id, ten_cycles)
    query = "&".join(f"cycle={n}" for n in range(1, COMPARISON_CYCLES + 1))

    def floor(name: str) -> Any:
        def call(_bench: Any, _index: int) -> Response:
            pdf = render_pdf(html[name], base_url=html["static"])
            return Response(pdf, mimetype="application/pdf")

        return call

    register(
        "GET /sessions/<id>/record.pdf",
        lambda _b, _i: client.get(f"/sessions/{session_id}/record.pdf"),
    )
    register("  floor: WeasyPrint alone, same record HTML", floor("record"))
    register(
        "GET /sessions/<id>/handout.pdf",
        lambda _b, _i: client.get(f"/sessions/{session_id}/handout.pdf"),
    )
    register("  floor: WeasyPrint alone, same handout HTML", floor("handout"))
    register(
        f"GET /patients/<id>/comparison.pdf ({COMPARISON_CYCLES} cycles)",
        lambda _b, _i: client.get(f"/patients/{ten_cycles}/comparison.pdf?{query}"),
    )
    register("  floor: WeasyPrint alone, same comparison HTML", floor("comparison"))
    register(
        "  floor: WeasyPrint alone, same comparison HTML without its maps",
        floor("comparison without maps"),
    )
