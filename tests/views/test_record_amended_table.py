"""An amended record's sites table keeps each muscle name on one line, every product.

The table put the dose's unit beside the figures ("Dose, U (Speywood)" as a
narrow column's heading) and each correction, "2.5 → 1.875 (amendment 1)", in a
column of its own that never wrapped, after the volume: the muscle names took
what width was left and wrapped line by line ("Levator labii superioris alaeque
/ nasi"), in Botox too, and the corrected figures stood under no unit at all.
Now the dose now and as corrected sit side by side under one heading naming
the unit once, the amendment's number under its correction, and the names have
the width the longest needs. Signed with five sites, two corrected, in Botox,
Dysport, Xeomin and a clinic-added product, printed on A4 and Letter over HTTP
as the clinic prints them; and a top-up's record in another product than its
cycle's, in its own units. Read back with pdftotext (-layout for the rows,
-bbox-layout for where each figure stands); page images under test-artifacts/.
"""

import re
import subprocess
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.services.test_comparison_report import save_pages
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import UNITS
from tests.services.test_unlisted_product_cycles import UNLISTED

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401
from tests.services.test_unlisted_product_cycles import move_into

WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
XHTML = "{http://www.w3.org/1999/xhtml}"
# The map's longest names among them, each on the patient's right; doses in
# Botox units, scaled for Dysport by a factor this test picks (a clinic's own
# conversion for this plan, never applied by planner).
SITES = (
    ("levator_labii_superioris_alaeque_nasi", 1.0),
    ("orbicularis_oculi_pretarsal_lower", 1.0),
    ("orbicularis_oculi_orbital", 2.0),
    ("depressor_anguli_oris", 2.0),
    ("depressor_labii_inferioris", 1.5),
)
# Sites 1 and 3 corrected down, in the product's units.
CORRECTED = {1: 0.75, 3: 1.5}
FACTOR = {"botox": 1.0, "xeomin": 1.0, "dysport": 2.5, CLINIC: 1.0}
VIAL = {"botox": 100, "xeomin": 100, "dysport": 300, CLINIC: 100}
UNIT = {**UNITS, "xeomin": "U"}
NUMBER = re.compile(r"^\d+(\.\d+)?$")


def amended_record(session, injector, patient, product, *, kind="full", when=WHEN):
    """Sign the five sites in ``product``, then correct two in one amendment.

    The clinic's product is charted and amended as Botox, then moved into its
    row, as planner charts no product without a dose reference.
    """
    treatment = make_treatment(
        session,
        injector,
        patient.id,
        [(muscle, "right", units * FACTOR[product]) for muscle, units in SITES],
        when=when,
        sign=True,
        product="botox" if product == CLINIC else product,
        vial_units=VIAL[product],
        lot_number="L1",
        kind=kind,
    )
    state = chart_state(session, treatment.id, face_map=FACE_MAP, zone=ZONE, now=when)
    amendment_service.amend_session(
        session,
        injector,
        treatment.id,
        {
            "version": state.session.version,
            "reason": "Two doses were misread from the syringe.",
            "corrections": [
                {"site_id": state.sites[n - 1].id, "units": units * FACTOR[product]}
                for n, units in CORRECTED.items()
            ],
        },
        zone=ZONE,
        now=when,
    )
    if product == CLINIC:
        move_into(session, treatment, CLINIC)
    return treatment


def pdftotext(pdf: bytes, option: str) -> str:
    found = subprocess.run(
        ["pdftotext", option, "-", "-"], input=pdf, check=True, capture_output=True
    )
    return found.stdout.decode()


def word_lines(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Return each printed line's words as (left, right, text), page after page.

    A table row's cells share a line; words a hair apart in height count as one.
    """
    lines: list[list[tuple[float, float, str]]] = []
    for page in ET.fromstring(pdftotext(pdf, "-bbox-layout")).iter(f"{XHTML}page"):
        rows: dict[float, list[tuple[float, float, str]]] = {}
        for word in page.iter(f"{XHTML}word"):
            top = round(float(word.get("yMin", 0)))
            rows.setdefault(top, []).append(
                (
                    float(word.get("xMin", 0)),
                    float(word.get("xMax", 0)),
                    word.text or "",
                )
            )
        lines.extend(sorted(row) for _, row in sorted(rows.items()))
    return lines


def dose_headings(lines) -> list[tuple[float, float, tuple[str, ...]]]:
    """Each sites table head's "Dose," heading: the band between the headings
    either side of it (its columns), and the words after "Dose," on its line."""
    found = []
    for line in lines:
        texts = [text for _, _, text in line]
        if "Dose," in texts and "Volume" in texts:
            start, end = texts.index("Dose,"), texts.index("Volume")
            band = (line[start - 1][1], line[end][0])
            found.append((*band, tuple(texts[start + 1 : end])))
    return found


def assert_reads_cleanly(pdf: bytes, product: str) -> None:
    unit = UNIT[product]
    # Each site's row: its number, its muscle's whole name, then its side.
    text = pdftotext(pdf, "-layout")
    for number, (muscle, _) in enumerate(SITES, start=1):
        name = FACE_MAP.muscle(muscle).name
        row = rf"^\s*{number}\s+{re.escape(name)}\s+Right\s"
        assert re.search(row, text, re.MULTILINE), (number, name)
    # The unit's words whole beside "Dose," (on each page the table's head is).
    lines = word_lines(pdf)
    headings = dose_headings(lines)
    assert headings
    assert {words for _, _, words in headings} == {tuple(unit.split())}, headings
    left, right = min(h[0] for h in headings), max(h[1] for h in headings)
    # Each site's doses, now and as corrected, stand in the columns under those
    # words, between the Role and Volume headings.
    for number, (muscle, units) in enumerate(SITES, start=1):
        first = FACE_MAP.muscle(muscle).name.split()[0]
        (line,) = [
            line
            for line in lines
            if [t for _, _, t in line[:2]] == [str(number), first]
            and line[-1][2] == "mL"
        ]
        figures = [(x0, x1, t) for x0, x1, t in line[1:] if NUMBER.match(t)]
        figures.pop()  # the volume
        doses = [t for _, _, t in figures]
        signed = f"{units * FACTOR[product]:g}"
        if number in CORRECTED:
            now = f"{CORRECTED[number] * FACTOR[product]:g}"
            assert doses == [now, signed, now], (number, doses)
            assert any(t == "→" for _, _, t in line)
        else:
            assert doses == [signed], (number, doses)
        for x0, x1, figure in figures:
            assert left < x0, (number, figure, "left of the dose heading's columns")
            assert x1 < right, (number, figure, "right of the dose heading's columns")
    assert "(amendment 1)" in text


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("product", ["botox", "dysport", "xeomin", CLINIC])
def test_an_amended_records_sites_table_reads_cleanly(
    app, session, injector, make_patient, login_as, product, paper
):
    app.config["PAPER_SIZE"] = paper
    treatment = amended_record(session, injector, make_patient(), product)
    answer = login_as(Role.INJECTOR).get(f"/sessions/{treatment.id}/record.pdf")
    assert answer.status_code == 200
    pdf = answer.get_data()
    save_pages(pdf, f"record-amended-table-{product}-{paper}")
    assert_reads_cleanly(pdf, product)


@pytest.mark.parametrize(
    ("product", "other"), [("botox", "dysport"), ("dysport", "botox")]
)
def test_a_top_up_in_another_product_prints_in_its_own_units(
    app, session, injector, make_patient, login_as, product, other
):
    patient = make_patient()
    make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", 4 * FACTOR[product])],
        when=WHEN,
        sign=True,
        product=product,
        vial_units=VIAL[product],
        lot_number="F1",
    )
    top_up = amended_record(
        session, injector, patient, other, kind="top_up", when=WHEN + timedelta(days=15)
    )
    answer = login_as(Role.INJECTOR).get(f"/sessions/{top_up.id}/record.pdf")
    assert answer.status_code == 200
    pdf = answer.get_data()
    save_pages(pdf, f"record-amended-table-top-up-{other}-after-{product}")
    # Headed in the top-up's own units only, never its cycle's.
    assert_reads_cleanly(pdf, other)
    assert f"Product {BRANDS[other]} (" in " ".join(pdftotext(pdf, "-raw").split())
