"""Printed reports rendered for real and read back: text, pages, map, page breaks.

Each PDF is made the way the views make it (the report's service, the template
through Flask, ``render_pdf``) and read back: text with poppler's pdftotext,
pages and fonts with pypdf, the map with pdftoppm. Page breaks are checked on
WeasyPrint's own layout of the HTML.
"""

import functools
import io
import re
import subprocess
from collections import defaultdict
from datetime import UTC
from datetime import datetime

import pytest
import weasyprint
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import col
from sqlmodel import select

from planner.db import get_engine
from planner.demo import seed_demo
from planner.dosing import format_volume_ml
from planner.models import Patient
from planner.models import Role
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.reports.advice import ADVICE
from planner.reports.advice import MUSCLE_ADVICE
from planner.reports.advice import PLAIN_AREAS
from planner.reports.advice import advice_for
from planner.reports.advice import places_treated
from planner.reports.comparison import comparison_report
from planner.reports.handout import PDF_VARIANT as PDF_VARIANT_HANDOUT
from planner.reports.handout import patient_handout
from planner.reports.record import PDF_VARIANT as PDF_VARIANT_RECORD
from planner.reports.record import treatment_record
from planner.reports.render import render_pdf
from planner.services import amendments as amendment_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.views.reports import report_html
from tests.conftest import assert_shows
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
# 11 pt in CSS pixels (WeasyPrint lays out in px: 96 per inch, 72 pt per inch):
# the handout's body text, the size that keeps a 16-site plan to two pages.
ELEVEN_PT = 11 * 96 / 72
RASTER_DPI = 50
# The outline, muscle regions and numbered dots ink 7-15% of the map's box; a
# missing or empty drawing leaves it white (0%).
MAP_INK = 0.03
SIDES = {"right": "Right", "left": "Left", "midline": "Midline"}


# Rendering and reading back


def html_for(app, template, **context):
    with app.test_request_context():
        return report_html(template, printed_by="Test Printer", **context)


def pdf_for(app, html, variant=None):
    """Render the HTML as the views do; HTML rendered before comes back from memory.

    The PDF depends on nothing but the HTML, the static folder and the variant,
    and many tests print the same report: the 16-site handout's HTML came out
    the same in 12 tests of test_handout_print. Each distinct report is
    rendered once per worker, and each test still reads back the PDF of its
    own HTML.
    """
    return rendered_pdf(html, app.static_folder, variant)


@functools.lru_cache(maxsize=32)
def rendered_pdf(html, base_url, variant):
    return render_pdf(html, base_url=base_url, variant=variant)


def render_pdf_once(html, *, base_url, variant=None):
    """Stand in for render_pdf where the views call it, rendering as pdf_for does."""
    return rendered_pdf(html, base_url, variant)


def page_texts(pdf):
    """Return each page's text with runs of whitespace made single spaces.

    poppler's pdftotext reads the text in the order it is drawn (``-raw``), as
    pypdf does, in a hundredth of pypdf's time: pypdf took as long to read a
    handout back as WeasyPrint took to make it. Each page ends in a form feed.
    """
    found = subprocess.run(
        ["pdftotext", "-raw", "-", "-"], input=pdf, check=True, capture_output=True
    )
    pages = found.stdout.decode().split("\f")[:-1]
    return [" ".join(page.split()) for page in pages]


def layout_text(pdf, tmp_path):
    """Return pdftotext's layout-preserving text: table rows stay on one line."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    found = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    )
    return found.stdout


def layout(app, html):
    """Lay the HTML out as WeasyPrint does for the PDF, to inspect its boxes."""
    return weasyprint.HTML(string=html, base_url=app.static_folder + "/").render()


def boxes_of(page, *, margins=True):
    """Walk a laid-out page's boxes, leaving out repeated table headers and footers.

    ``page._page_box`` is how WeasyPrint's own docs and tests walk a layout.
    """

    def walk(box):
        yield box
        for child in getattr(box, "children", ()):
            if getattr(child, "is_header", False) or getattr(child, "is_footer", False):
                continue  # a thead or tfoot is drawn again on every page
            if not margins and type(child).__name__ == "MarginBox":
                continue
            yield from walk(child)

    return walk(page._page_box)


def classes(box):
    element = getattr(box, "element", None)
    if element is None:
        return set()
    return set((element.get("class") or "").split())


def pages_of_elements(document, wanted):
    """Map each element ``wanted(box)`` picks to the pages its boxes lie on."""
    pages = defaultdict(set)
    elements = {}
    for number, page in enumerate(document.pages, start=1):
        for box in boxes_of(page):
            if getattr(box, "element", None) is not None and wanted(box):
                pages[id(box.element)].add(number)
                elements[id(box.element)] = box.element
    return {elements[key]: found for key, found in pages.items()}


def read_pgm(path):
    """Read a binary PGM (pdftoppm -gray): return width, height and the pixels."""
    data = path.read_bytes()
    fields = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        if data[position : position + 1] == b"#":
            position = data.index(b"\n", position)
            continue
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    assert fields[0] == b"P5"
    width, height, top = (int(field) for field in fields[1:])
    assert top == 255
    return width, height, data[position + 1 :]


def ink_share(pdf, tmp_path, box):
    """Return the share of non-white pixels where ``box`` lies on page 1."""
    path = tmp_path / "page.pdf"
    path.write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-gray",
            "-r",
            str(RASTER_DPI),
            "-f",
            "1",
            "-l",
            "1",
            str(path),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    width, _, pixels = read_pgm(next(tmp_path.glob("page-*1.pgm")))
    scale = RASTER_DPI / 96
    left = int(box.position_x * scale)
    top = int(box.position_y * scale)
    right = int((box.position_x + box.width) * scale)
    bottom = int((box.position_y + box.height) * scale)
    inked = sum(
        1
        for y in range(top, bottom)
        for x in range(left, right)
        if pixels[y * width + x] < 200
    )
    return inked / ((right - left) * (bottom - top))


def first_facemap_box(document):
    return next(
        box
        for box in boxes_of(document.pages[0])
        if box.element_tag == "img" and "facemap" in classes(box)
    )


def numbered_pages(texts):
    return all(
        f"Page {number} of {len(texts)}" in text
        for number, text in enumerate(texts, start=1)
    )


def units(value):
    return f"{value:g}"


# Sessions to print


@pytest.fixture
def injector(make_user):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    return Actor(user.id, user.email)


@pytest.fixture
def chart_session(session, make_patient, injector):
    """Open a session, chart (muscle, side, units) sites, and sign it if asked."""

    def chart(sites, *, patient=None, sign=True, **form):
        patient = patient or make_patient(affected_side="left")
        treatment = make_treatment(
            session, injector, patient.id, sites, when=NOW, sign=sign, **form
        )
        return treatment.id

    return chart


@pytest.fixture
def demo(app, session):
    """Seed demo patients; return the latest signed full session of the first."""
    seed_demo(get_engine(app), patients=3, cycles=4, seed=5, now=NOW)
    return session.exec(
        select(TreatmentSession.id)
        .join(Patient, col(Patient.id) == col(TreatmentSession.patient_id))
        .where(
            TreatmentSession.status == SessionStatus.SIGNED,
            TreatmentSession.kind == SessionKind.FULL,
        )
        .order_by(col(Patient.id), col(TreatmentSession.performed_at).desc())
    ).first()


def record_pdf(app, session, session_id):
    record = treatment_record(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW
    )
    html = html_for(app, "reports/record.html", record=record)
    return record, html, pdf_for(app, html, PDF_VARIANT_RECORD)


def handout_html(app, session, session_id):
    handout = patient_handout(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW
    )
    return handout, html_for(app, "reports/handout.html", handout=handout)


def handout_pdf(app, session, session_id):
    handout, html = handout_html(app, session, session_id)
    return handout, html, pdf_for(app, html, PDF_VARIANT_HANDOUT)


# Treatment record


def test_the_record_of_a_demo_session_shows_lot_sites_totals_and_follow_up(
    app, session, demo, tmp_path
):
    record, _, pdf = record_pdf(app, session, demo)
    text = layout_text(pdf, tmp_path)
    flat = " ".join(text.split())
    assert record.lot is not None
    assert record.lot.lot_number in flat
    assert f"{record.patient.name}" in flat
    assert record.patient.mrn in flat
    assert record.injector in flat
    for site in record.sites:
        row = (
            rf"^\s*{site.number}\s+{re.escape(site.muscle_name)}\s+"
            rf"{SIDES[site.side]}\s.*\s{re.escape(units(site.units))}\s+"
            rf"{re.escape(format_volume_ml(site.volume_ml))}\s*$"
        )
        assert re.search(row, text, re.MULTILINE), site
    for total in record.muscle_totals:
        # The totals table sits beside the map, so its lines do not start a row,
        # and a long muscle name wraps: its numbers share its first line.
        cells = [units(v) if v else "–" for v in (total.right, total.left)]
        assert re.search(
            rf"{re.escape(total.name.split()[0])}[^\n]*\s{cells[0]}\s+{cells[1]}\s+"
            rf"{re.escape(units(total.total))}\s*$",
            text,
            re.MULTILINE,
        ), total
    session_row = (
        rf"Session\s+{units(record.side_totals['right'])}\s+"
        rf"{units(record.side_totals['left'])}\s.*{units(record.total_units)}"
    )
    assert re.search(session_row, text)
    total = format_volume_ml(record.total_volume_ml)
    assert f"{units(record.total_units)} U · {total}" in flat
    assert record.appointments, "the demo proposes follow-up from every session"
    for appointment in record.appointments:
        if appointment.starts_at is not None:
            when = appointment.starts_at
            expected = f"{when.day} {when:%b %Y, %H:%M}"
        else:
            expected = f"due {appointment.due_date.day} {appointment.due_date:%b %Y}"
        assert expected in flat
    assert record.signed_at is not None
    signed = f"{record.signed_at.day} {record.signed_at:%b %Y, %H:%M}"
    assert re.search(
        rf"Signed electronically by\s+Signed at\s+{record.signed_by}\s+{signed}", flat
    )


def test_record_pages_are_numbered_and_the_face_map_is_drawn(
    app, session, demo, tmp_path
):
    _, html, pdf = record_pdf(app, session, demo)
    texts = page_texts(pdf)
    document = layout(app, html)
    assert len(texts) == len(document.pages)
    assert numbered_pages(texts)
    assert all("MRN DEMO" in text for text in texts)
    share = ink_share(pdf, tmp_path, first_facemap_box(document))
    assert share > MAP_INK


def test_a_short_record_fits_two_pages_and_a_draft_says_so_on_each(
    app, session, chart_session
):
    session_id = chart_session(
        [("mentalis", "left", 2), ("depressor_anguli_oris", "left", 2)], sign=False
    )
    _, _, pdf = record_pdf(app, session, session_id)
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert numbered_pages(texts)
    assert all("DRAFT — not signed" in text for text in texts)
    assert "Not signed: this session is still a draft." in texts[-1]


def test_an_empty_draft_still_prints(app, session, chart_session):
    session_id = chart_session([], sign=False)
    _, _, record = record_pdf(app, session, session_id)
    assert "No injection sites charted." in " ".join(page_texts(record))
    handout, _, pdf = handout_pdf(app, session, session_id)
    assert handout.places == []
    assert handout.advice == []
    flat = " ".join(page_texts(pdf))
    assert "Call 999 or go to an emergency department now" in flat
    assert "No places are written down for this visit yet." in flat


def test_an_amended_record_says_so_on_every_page(app, session, chart_session, injector):
    session_id = chart_session(
        [("frontalis", "right", 2), ("orbicularis_oculi_orbital", "left", 3)]
    )
    record = treatment_record(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW
    )
    site_id = next(
        s
        for s in chart_state(
            session, session_id, face_map=FACE_MAP, zone=ZONE, now=NOW
        ).as_json()["sites"]
        if s["number"] == 2
    )["id"]
    amendment_service.amend_session(
        session,
        injector,
        session_id,
        {
            "version": session_service.get_session_record(session, session_id).version,
            "reason": "Keyed 3 for 2.5 at site 2.",
            "corrections": [{"site_id": site_id, "units": 2.5}],
        },
        now=NOW,
        zone=ZONE,
    )
    assert not record.amended
    amended, _, pdf = record_pdf(app, session, session_id)
    texts = page_texts(pdf)
    assert amended.amended
    assert all("AMENDED" in text for text in texts)
    flat = " ".join(texts)
    assert "Keyed 3 for 2.5 at site 2." in flat
    assert "Site 2: 3 → 2.5 U" in flat
    assert "DRAFT" not in flat


def test_markup_in_patient_text_prints_as_literal_text(
    app, session, chart_session, make_patient
):
    patient = make_patient(given_name="<b>Bea</b>", family_name="O'Neil & Co")
    session_id = chart_session(
        [("mentalis", "left", 2)],
        patient=patient,
        consent_note="Discussed <i>off-label</i> use <script>alert(1)</script>",
    )
    record, html, pdf = record_pdf(app, session, session_id)
    assert "<b>Bea</b>" not in html
    flat = " ".join(page_texts(pdf))
    assert "<b>Bea</b> O'Neil & Co" in flat
    # The note wraps in its panel, and a wrapped line is read back with a space.
    assert "Discussed<i>off-label</i>use<script>alert(1)</script>" in "".join(
        flat.split()
    )
    _, _, handout = handout_pdf(app, session, session_id)
    assert "<b>Bea</b> O'Neil & Co" in " ".join(page_texts(handout))


@pytest.mark.parametrize(
    ("paper", "size"), [("A4", (595, 842)), ("Letter", (612, 792))]
)
def test_reports_follow_the_clinic_paper_size_and_embed_their_fonts(
    app, session, chart_session, paper, size
):
    app.config["PAPER_SIZE"] = paper
    session_id = chart_session([("platysma", "left", 4)])
    _, _, pdf = record_pdf(app, session, session_id)
    reader = PdfReader(io.BytesIO(pdf))
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == size
    fonts = {
        font.get_object()["/BaseFont"]: font.get_object()
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVu" in name for name in fonts)
    for font in fonts.values():
        descendant = font["/DescendantFonts"][0].get_object()
        descriptor = descendant["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]


# Patient handout


def test_the_handout_gives_advice_for_the_muscles_treated_and_only_those(
    app, session, chart_session
):
    session_id = chart_session(
        [
            ("orbicularis_oculi_orbital", "left", 3),
            ("orbicularis_oculi_orbital", "left", 2),
            ("mentalis", "left", 2),
        ]
    )
    handout, _, pdf = handout_pdf(app, session, session_id)
    texts = page_texts(pdf)
    flat = " ".join(texts)
    # Two pages: the emergency box, map and visits; then help and aftercare.
    assert len(texts) == 2
    assert numbered_pages(texts)
    assert [a.key for a in handout.advice] == ["eye", "mouth"]
    assert_shows(
        flat,
        "Your left eye",
        "Your clinic's advice: The eye may feel dry or gritty, or water more.",
        "Cups, straws and sounds like p, b and m",
        "1, 2: around your left eye",
        "3: your chin",
    )
    for key in ("brow", "cheek", "smile", "neck"):
        for point in ADVICE[key].points:
            assert point.text.split("}")[-1].strip()[:40] not in flat, key
    # Rules tied to untreated parts are left out; the general ones stay.
    assert "Your smile changes so much" not in flat
    assert "hold your head up" not in flat
    assert "An eye that will not close all the way" in flat


def test_the_handout_has_the_phone_red_flags_timing_and_next_appointment(
    app, session, demo
):
    app.config["CLINIC_PHONE"] = "020 7946 0321"
    handout, _, pdf = handout_pdf(app, session, demo)
    texts = page_texts(pdf)
    flat = " ".join(texts)
    assert numbered_pages(texts)
    assert "Phone: 020 7946 0321" in texts[0]
    assert_shows(
        flat,
        "Our phone number is 020 7946 0321.",
        "Call 999 or go to an emergency department now if you have:",
        "Trouble swallowing, or choking on food or drink.",
        "Weakness that spreads beyond your face",
        "in 2 to 3 days",
        "at about 2 weeks",
        "over 3 to 4 months",
        "do not rub, press or massage",
        "Stay upright for 4 hours.",
        "Your clinic's advice: Do not make big faces.",
    )
    assert handout.visits, "the demo's latest cycle has follow-up ahead"
    for visit in handout.visits:
        day = visit.starts_at or visit.due_date
        if day is not None:
            assert f"{day:%A} {day.day} {day:%B %Y}" in flat
    for place in handout.places:
        assert place.words in flat


def test_handout_text_is_at_least_11_pt(app, session, demo):
    _, html = handout_html(app, session, demo)
    document = layout(app, html)
    sizes = set()
    for page in document.pages:
        # The running header and footer in the margins are smaller on purpose.
        for box in boxes_of(page, margins=False):
            if type(box).__name__ == "TextBox" and box.text.strip():
                sizes.add(round(box.style["font_size"], 2))
    assert sizes
    assert min(sizes) >= round(ELEVEN_PT, 2)


def test_the_handout_map_is_drawn(app, session, demo, tmp_path):
    _, html, pdf = handout_pdf(app, session, demo)
    assert ink_share(pdf, tmp_path, first_facemap_box(layout(app, html))) > MAP_INK


# Cycle comparison


@pytest.fixture
def twenty_cycles(app, session):
    """Seed patients with up to 20 cycles; return one who has all 20."""
    seed_demo(get_engine(app), patients=3, cycles=20, seed=8, now=NOW)
    patient_id = session.exec(
        select(TreatmentSession.patient_id)
        .group_by(col(TreatmentSession.patient_id))
        .having(func.max(TreatmentSession.cycle_number) == 20)
    ).first()
    assert patient_id is not None
    return patient_id


@pytest.mark.slow
def test_a_twenty_cycle_comparison_never_splits_a_row_table_or_chart(
    app, session, twenty_cycles
):
    report = comparison_report(session, twenty_cycles, face_map=FACE_MAP, zone=ZONE)
    assert [card.number for card in report.cards] == list(range(1, 21))
    assert all(len(part.cycles) <= 8 for part in report.matrices)
    html = html_for(app, "reports/comparison.html", report=report)
    document = layout(app, html)

    def kept_whole(box):
        tag = box.element_tag or ""
        if tag == "tr":
            return True
        if tag.endswith("svg"):
            return True
        return bool(classes(box) & {"card", "chart-figure", "table-block"})

    placed = pages_of_elements(document, kept_whole)
    split = [
        (element.tag, element.get("class"), pages)
        for element, pages in placed.items()
        if len(pages) > 1
    ]
    assert split == []
    kinds = defaultdict(int)
    for element in placed:
        kinds[element.get("class") or element.tag.rsplit("}", 1)[-1]] += 1
    assert kinds["card"] == 20
    assert kinds["table-block"] == len(report.matrices) + len(report.scores)
    assert kinds["chart-figure"] + kinds["chart-figure wide"] == len(report.courses) + 1
    pdf = document.write_pdf()
    texts = page_texts(pdf)
    assert numbered_pages(texts)
    # Read back: each block's heading is on the page holding all its rows.
    for part in report.matrices:
        heading = f"{part.title}, cycles {part.cycles[0]}–{part.cycles[-1]}"
        pages = [t for t in texts if heading in t]
        assert len(pages) == 1, heading
        for row in part.rows:
            assert row.name in pages[0]
    for trend in report.courses:
        pages = [t for t in texts if f"{trend.short} by cycle" in t]
        assert len(pages) == 1
        assert "Cycle" in pages[0]
        assert "Score" in pages[0]


def test_a_comparison_of_chosen_cycles_shows_only_those(app, session, twenty_cycles):
    report = comparison_report(
        session, twenty_cycles, face_map=FACE_MAP, zone=ZONE, only={2, 5}
    )
    html = html_for(app, "reports/comparison.html", report=report)
    flat = " ".join(page_texts(pdf_for(app, html)))
    assert "Cycles chosen: 2, 5." in flat
    assert "Cycle 2" in flat
    assert "Cycle 5" in flat
    assert "Cycle 3 " not in flat
    assert report.patient.mrn in flat


def test_a_patient_without_cycles_gets_a_short_comparison(app, session, make_patient):
    patient = make_patient()
    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    texts = page_texts(
        pdf_for(app, html_for(app, "reports/comparison.html", report=report))
    )
    assert len(texts) == 1
    assert "No signed treatment cycles to compare yet." in texts[0]


# The pieces


def test_every_face_map_muscle_has_plain_words_and_known_advice():
    codes = {muscle.code for muscle in FACE_MAP.muscles}
    assert set(PLAIN_AREAS) == codes
    assert set(MUSCLE_ADVICE) <= codes
    assert {key for keys in MUSCLE_ADVICE.values() for key in keys} == set(ADVICE)


def test_advice_names_the_side_and_each_part_when_both_were_treated():
    one = advice_for([("frontalis", "left")])
    both = advice_for([("frontalis", "left"), ("corrugator", "right")])
    assert [a.title for a in one] == ["Your left eyebrow"]
    assert [a.title for a in both] == ["Both eyebrows"]
    assert both[0].points[0].text.startswith("Each eyebrow may feel heavy")
    assert advice_for([("procerus", "midline")]) == []


def test_places_group_sites_by_plain_words_in_site_order():
    places = places_treated(
        [(3, "mentalis", "left"), (1, "frontalis", "right"), (2, "mentalis", "right")]
    )
    assert [(p.words, p.numbers) for p in places] == [
        ("the right side of your forehead", (1,)),
        ("your chin", (2, 3)),
    ]


def test_render_pdf_reads_no_file_outside_the_static_folder(app, caplog):
    html = (
        '<link rel="stylesheet" href="css/print.css">'
        '<img src="file:///etc/hostname" alt="x"><p>Hello</p>'
    )
    pdf = render_pdf(html, base_url=app.static_folder)
    assert pdf.startswith(b"%PDF")
    assert "may not load" in caplog.text


def test_the_page_break_check_sees_a_split_box(app):
    html = (
        '<link rel="stylesheet" href="css/print.css">'
        '<div class="card" style="display: block">' + "<p>line</p>" * 200 + "</div>"
    )
    placed = pages_of_elements(layout(app, html), lambda box: "card" in classes(box))
    assert [len(pages) > 1 for pages in placed.values()] == [True]
