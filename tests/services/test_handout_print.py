"""The patient handout of issue 17, printed for real and read back.

Each handout is made as the view makes it (service, template through Flask,
``render_pdf`` with the handout's PDF/UA variant) and read back with pdftotext; its
layout is inspected on WeasyPrint's own boxes.
"""

import base64
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from html.parser import HTMLParser

import pikepdf
import pytest
from sqlmodel import select

from planner.facemap import reference_points
from planner.models import Appointment
from planner.models import Role
from planner.reports.handout import NUMBER_PT
from planner.reports.handout import PDF_VARIANT
from planner.reports.handout import patient_handout
from planner.services.appointments import book_appointment
from planner.services.appointments import set_status
from planner.services.audit import Actor
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.report_plans import SIXTEEN_SITES
from tests.report_plans import plan_charter
from tests.services.test_reports import NOW
from tests.services.test_reports import boxes_of
from tests.services.test_reports import html_for
from tests.services.test_reports import layout
from tests.services.test_reports import page_texts
from tests.services.test_reports import pdf_for

SVG = "{http://www.w3.org/2000/svg}"
PX_PER_PT = 96 / 72
# Dysport's own doses, in Dysport units, touching every tailored advice area.
DYSPORT_SITES = (
    ("frontalis", "right", 5),
    ("orbicularis_oculi_orbital", "left", 5),
    ("orbicularis_oculi_pretarsal_upper", "left", 2.5),
    ("buccinator", "left", 5),
    ("zygomaticus_major", "right", 2.5),
    ("depressor_anguli_oris", "left", 5),
    ("mentalis", "left", 5),
    ("platysma", "left", 7.5),
)
# Each product's plan and the vial it is drawn from.
PRODUCT_PLANS = {
    "botox": (SIXTEEN_SITES, {}),
    "dysport": (DYSPORT_SITES, {"product": "dysport", "vial_units": 300}),
}
# The handout's label for the clinic's own advice, as a patient reads it.
CLINIC_LABEL = "Your clinic's advice: "


@pytest.fixture
def injector(make_user):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    return Actor(user.id, user.email)


@pytest.fixture
def plan(session, make_patient, injector):
    """Chart a plan (16 sites unless given), on NOW unless told; return its id."""
    chart = plan_charter(session, injector, make_patient)
    return lambda sites=SIXTEEN_SITES, *, when=NOW, **kw: chart(sites, when=when, **kw)


def handout_html(app, session, session_id, *, now=NOW):
    handout = patient_handout(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=now
    )
    return handout, html_for(app, "reports/handout.html", handout=handout)


def handout_for(app, session, session_id, *, now=NOW):
    handout, html = handout_html(app, session, session_id, now=now)
    return handout, html, pdf_for(app, html, PDF_VARIANT)


def test_a_draft_handout_says_draft_on_every_page(app, session, plan):
    _, _, pdf = handout_for(app, session, plan(sign=False))
    texts = page_texts(pdf)
    assert len(texts) == 2
    assert all("DRAFT: not yet signed by your clinician" in text for text in texts)
    assert "We will give you your next dates when your clinician signs" in texts[0]


def test_a_signed_handout_has_no_draft_mark(app, session, plan):
    _, _, pdf = handout_for(app, session, plan())
    assert "DRAFT" not in " ".join(page_texts(pdf))


def test_without_a_clinic_phone_the_handout_has_a_line_to_write_it_on(
    app, session, plan
):
    app.config["CLINIC_PHONE"] = ""
    _, _, pdf = handout_for(app, session, plan())
    texts = page_texts(pdf)
    flat = " ".join(texts)
    assert "on if you have" not in flat
    assert "Call the clinic on" not in flat
    assert "Phone: We write our number on this line." in texts[0]
    assert "Our phone number is written at the top of page 1." in flat


def test_the_emergency_box_and_the_allergic_reaction_are_on_page_one(
    app, session, plan
):
    _, _, pdf = handout_for(app, session, plan())
    first = page_texts(pdf)[0]
    assert "Call 999 or go to an emergency department now if you have:" in first
    for sign in (
        "Trouble breathing.",
        "Trouble swallowing, or choking on food or drink.",
        "Your clinic's advice: An allergic reaction: an itchy, lumpy rash (hives),"
        " swelling of your lips, tongue or throat, wheezing, or feeling faint.",
    ):
        assert sign in first


def test_the_emergency_number_is_the_clinics(app, session, plan):
    app.config["EMERGENCY_NUMBER"] = "911"
    _, _, pdf = handout_for(app, session, plan())
    assert "Call 911 or go to an emergency department now" in page_texts(pdf)[0]


def test_each_symptom_has_one_rule_and_the_tailored_advice_agrees(app, session, plan):
    _, _, pdf = handout_for(app, session, plan())
    flat = " ".join(page_texts(pdf))
    # What issue 17 found contradicting the rules, and normalising symptoms.
    for wrong in (
        "may not close all the way for a few",
        "gets better on its own",
        "Swallowing may feel a little different",
        "When to get help",
    ):
        assert wrong not in flat
    for rule in (
        "Blurred vision or double vision.",
        "Slurred speech, or a voice that is hoarse, weak or sounds different.",
        "An eye that will not close all the way, or is sore or red. Your clinic's "
        "advice: Protect it first",
    ):
        assert flat.count(rule) == 1, rule
    assert "Trouble swallowing or holding up your head is not normal: it is an " in (
        flat
    )


def test_the_handout_says_why_the_stronger_side_was_treated_and_the_rest(
    app, session, plan, make_patient
):
    _, _, pdf = handout_for(app, session, plan())
    flat = " ".join(page_texts(pdf))
    assert "We also treated your stronger side." in flat
    assert "Tell any other doctor, dentist or clinic that you had botulinum" in flat
    assert "Do not have any other toxin injections without telling us first." in flat
    assert "If you are breastfeeding:" in flat
    one_side = plan([("mentalis", "left", 2)], patient=make_patient(sex="male"))
    flat = " ".join(page_texts(handout_for(app, session, one_side)[2]))
    assert "stronger side" not in flat
    assert "breastfeeding" not in flat


def handouts_to_read(app, session, plan, make_patient):
    """Print handouts covering every muscle of the map, drafts, reprints, Dysport."""
    every_muscle = [
        (muscle.code, side, 1)
        for muscle in FACE_MAP.muscles
        for side in muscle.sides
        if len(reference_points(FACE_MAP, muscle, side))
    ]
    sessions = [
        plan(),
        plan(sign=False),
        plan(every_muscle[:20], patient=make_patient(toxin_allergy=True)),
        plan(every_muscle[20:]),
        plan(*PRODUCT_PLANS["dysport"][:1], **PRODUCT_PLANS["dysport"][1]),
    ]
    for session_id in sessions:
        for now in (NOW, NOW + timedelta(days=200)):
            yield handout_for(app, session, session_id, now=now)


# A source tag of the clinical reference ([S35], [S-cba]) or one of its sections.
SOURCE = re.compile(r"\[S[-\w]+\]|reference \d")


def assert_sourced_or_labelled(handout, flat):
    """Check each line of advice prints once: the clinic's own under its label.

    The words UNSOURCED and PARTIAL never print (the test below), so the only
    way to tell the clinic's advice from the reference's on paper is the label:
    every line carries its source, and a line the reference does not source
    prints after the label, a sourced line never does. The label counts as
    many times as the clinic's lines, so no other text wears it.
    """
    lines = handout.advice_lines()
    assert lines
    for line in lines:
        assert line.text in flat, line.text
        if line.clinics_own:
            assert flat.count(line.text) == flat.count(CLINIC_LABEL + line.text)
        else:
            assert SOURCE.search(line.source), (line.text, line.source)
            assert CLINIC_LABEL + line.text not in flat, line.text
    own = {line.text for line in lines if line.clinics_own}
    assert flat.count(CLINIC_LABEL) == sum(flat.count(text) for text in own)


def test_no_handout_prints_unsourced_or_partial(app, session, plan, make_patient):
    printed = 0
    for handout, html, pdf in handouts_to_read(app, session, plan, make_patient):
        flat = " ".join(page_texts(pdf))
        for text in (flat, html):
            assert "UNSOURCED" not in text.upper()
            assert "PARTIAL" not in text.upper()
        assert_sourced_or_labelled(handout, flat)
        printed += 1
    assert printed == 10


@pytest.mark.parametrize("product", list(PRODUCT_PLANS))
def test_the_eye_care_and_allergy_signs_print_as_the_clinics_advice(
    app, session, plan, product
):
    # Clinical reference 6.3: "protect the eye: lubricants, taping at night;
    # UNSOURCED for this use"; 1.3: "dry eye ... (UNSOURCED for synkinesis
    # specifically)"; 6.1 gives only "a very small risk of allergic reaction".
    sites, form = PRODUCT_PLANS[product]
    _, _, pdf = handout_for(app, session, plan(sites, **form))
    texts = page_texts(pdf)
    flat = " ".join(texts)
    assert f"Medicine: {product.capitalize()} " in texts[0]
    owns = (
        "An allergic reaction: an itchy, lumpy rash (hives)",
        "Protect it first: use eye gel, and tape it shut at night",
        "The eye may feel dry or gritty, or water more. Use eye drops by day and eye",
        "Take small sips and bites.",
    )
    assert [flat.count(own) for own in owns] == [1, 1, 1, 1]
    assert [own for own in owns if CLINIC_LABEL + own not in flat] == []
    # The safety net stays, the sourced rules without the label.
    for rule in ("Trouble breathing.", "An eye that will not close all the way"):
        assert rule in flat
        assert CLINIC_LABEL + rule not in flat


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize(("sign", "phone"), [(True, "020 7946 0321"), (False, "")])
def test_a_sixteen_site_handout_is_two_pages(app, session, plan, paper, sign, phone):
    app.config["PAPER_SIZE"] = paper
    app.config["CLINIC_PHONE"] = phone
    session_id = plan(sign=sign)
    for now in (NOW, NOW + timedelta(days=30)):
        handout, _, pdf = handout_for(app, session, session_id, now=now)
        assert handout.site_count == 16
        assert len(handout.places) >= 10
        assert {a.key for a in handout.advice} == {
            "eye",
            "brow",
            "mouth",
            "cheek",
            "smile",
            "neck",
        }
        texts = page_texts(pdf)
        assert len(texts) == 2, (paper, sign, now)
        for text in texts:
            assert handout.patient_name in text
            assert "injections on Friday 20 November 2026" in text


def test_a_reprint_says_so_and_speaks_of_the_day_of_the_injections(app, session, plan):
    session_id = plan()
    handout, _, pdf = handout_for(app, session, session_id)
    assert handout.reprinted_on is None
    assert "Your injections today" in page_texts(pdf)[0]
    later = NOW + timedelta(days=112)
    handout, _, pdf = handout_for(app, session, session_id, now=later)
    texts = page_texts(pdf)
    assert handout.reprinted_on == later.astimezone(ZONE).date()
    assert all("Reprinted on Friday 12 March 2027" in text for text in texts)
    assert "Your injections on Friday 20 November 2026" in texts[0]
    assert "today" not in " ".join(texts)


def test_next_visits_come_only_from_this_sessions_proposals(
    app, session, plan, make_patient
):
    patient = make_patient(affected_side="left")
    first = plan(patient=patient)
    handout, _, pdf = handout_for(app, session, first)
    assert [visit.kind for visit in handout.visits] == ["Review", "Next treatment"]
    own = session.exec(
        select(Appointment).where(Appointment.source_session_id == first)
    ).all()
    flat = " ".join(page_texts(pdf))
    for appointment in own:
        day = appointment.due_date
        assert f"around {day:%A} {day.day} {day:%B %Y}." in flat
    # The next cycle's treatment settles the first's visits and proposes its own:
    # a reprint of the first handout shows none of them.
    second = plan(patient=patient, when=NOW + timedelta(days=100))
    later = session.exec(
        select(Appointment).where(Appointment.source_session_id == second)
    ).all()
    assert len(later) == 2
    handout, _, pdf = handout_for(app, session, first, now=NOW + timedelta(days=101))
    flat = " ".join(page_texts(pdf))
    assert handout.visits == []
    assert "You have nothing booked from this visit." in flat
    for appointment in later:
        day = appointment.due_date
        assert f"{day.day} {day:%B %Y}" not in flat


def test_a_visit_whose_day_has_passed_says_book_now(app, session, plan):
    session_id = plan()
    after_review = NOW + timedelta(days=30)
    handout, _, pdf = handout_for(app, session, session_id, now=after_review)
    flat = " ".join(page_texts(pdf))
    assert "Review: please call us to book it now." in flat
    assert "4 December 2026" not in flat  # the passed review day is not printed
    assert "Next treatment: around" in flat


def test_a_booked_visit_prints_its_time_and_a_missed_one_says_book_now(
    app, session, plan, injector
):
    session_id = plan()
    review, treatment = sorted(
        session.exec(
            select(Appointment).where(Appointment.source_session_id == session_id)
        ).all(),
        key=lambda a: a.due_date,
    )
    for appointment, starts in (
        (review, "2026-12-04T14:00:00"),
        (treatment, "2027-02-12T10:00:00"),
    ):
        book_appointment(
            session,
            injector,
            appointment.id,
            {
                "version": appointment.version,
                "clinician_id": injector.user_id,
                "starts_at": starts,
                "override_reason": "Test booking.",
            },
            zone=ZONE,
            now=NOW,
        )
    session.refresh(treatment)
    set_status(
        session,
        injector,
        treatment.id,
        {"version": treatment.version, "status": "missed"},
        now=NOW + timedelta(days=90),
    )
    # Printed before the review, though the treatment is already marked missed.
    _, _, pdf = handout_for(app, session, session_id)
    flat = " ".join(page_texts(pdf))
    assert "Review: Friday 4 December 2026 at 14:00." in flat
    assert "Next treatment: please call us to book it now." in flat


# Reading age


WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")
BLOCKS = {"p", "li", "h1", "h2", "h3", "td", "div"}


class BlockText(HTMLParser):
    """Collect the text of each block of the handout's body, in order."""

    def __init__(self):
        super().__init__()
        self.blocks = [""]
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "img"):
            self.skip += tag != "img"
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self.skip -= 1
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_data(self, data):
        if not self.skip:
            self.blocks[-1] += data


def syllables(word):
    """Count a word's syllables: vowel groups, less a silent final e, at least 1."""
    word = word.lower()
    groups = len(re.findall(r"[aeiouy]+", word))
    if word.endswith("e") and not word.endswith(("le", "ee")) and groups > 1:
        groups -= 1
    return max(groups, 1)


def flesch_kincaid_grade(blocks):
    """0.39 words per sentence + 11.8 syllables per word - 15.59.

    Only . ! and ? end a sentence: a heading, a place in the list or a list item
    without a full stop runs on into the next sentence. That overstates the
    grade a little, so the check errs on the strict side.
    """
    text = " ".join(blocks)
    sentences = [s for s in re.split(r"[.!?]+", text) if WORD.search(s)]
    words = WORD.findall(text)
    sounds = sum(syllables(word) for word in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * sounds / len(words) - 15.59


def test_the_syllable_count_and_grade_formula_are_right():
    assert [syllables(w) for w in ("cat", "water", "injection", "make")] == [
        1,
        2,
        3,
        1,
    ]
    # A plain sentence scores low; a dense one scores high.
    assert flesch_kincaid_grade(["The cat sat on the mat."]) < 0
    assert (
        flesch_kincaid_grade(
            [
                "Onabotulinumtoxin administration necessitates comprehensive "
                "consideration of contraindications and pharmacological interactions."
            ]
        )
        > 20
    )


def test_the_handout_reads_at_grade_six_or_below(app, session, plan):
    app.config["CLINIC_PHONE"] = "020 7946 0321"
    _, html = handout_html(app, session, plan())
    parser = BlockText()
    parser.feed(html.split("<body", 1)[1])
    blocks = [" ".join(block.split()) for block in parser.blocks if block.strip()]
    assert sum(len(WORD.findall(block)) for block in blocks) > 500
    grade = flesch_kincaid_grade(blocks)
    assert grade <= 6, grade


# Structure, map and markers


def test_the_handout_is_tagged_with_its_language_title_and_map_figure(
    app, session, plan
):
    _, _, pdf = handout_for(app, session, plan())
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root
        assert "/StructTreeRoot" in root
        assert str(root.Lang) == "en-GB"
        assert bool(root.MarkInfo.Marked)
        assert bool(root.ViewerPreferences.DisplayDocTitle)
        with document.open_metadata(set_pikepdf_as_editor=False) as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == (
                "Your injections on 20 Nov 2026 · Facial Palsy Clinic"
            )

        def figures(element):
            if element.get("/S") == "/Figure":
                yield element
            kids = element.get("/K", [])
            for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                if isinstance(kid, pikepdf.Dictionary):
                    yield from figures(kid)

        found = list(figures(root.StructTreeRoot))
        assert len(found) == 1
        assert str(found[0].Alt).startswith("Drawing of your face")


def map_svg(html):
    """Decode the printed map's SVG from its data URI."""
    data = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    return ET.fromstring(base64.b64decode(data))


def number_sizes_pt(app, html):
    """Return each site number's printed size, from the map's laid-out width."""
    document = layout(app, html)
    image = next(
        box
        for page in document.pages
        for box in boxes_of(page)
        if box.element_tag == "img" and "facemap" in (box.element.get("class") or "")
    )
    svg = map_svg(html)
    view_width = float(svg.get("viewBox").split()[2])
    scale = image.width / view_width
    return [
        float(text.get("font-size")) * scale / PX_PER_PT
        for text in svg.iter(f"{SVG}text")
        if text.text and text.text.isdigit()
    ]


def test_the_map_numbers_print_at_ten_points_or_more(app, session, plan):
    _, html = handout_html(app, session, plan())
    sizes = number_sizes_pt(app, html)
    assert len(sizes) == 16
    assert min(sizes) >= NUMBER_PT == 10


def relative_luminance(colour):
    """WCAG relative luminance: what a greyscale print keeps of a colour."""
    digits = colour.lstrip("#")
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one, two):
    light, dark = sorted((relative_luminance(one), relative_luminance(two)))[::-1]
    return (light + 0.05) / (dark + 0.05)


def greyscale_legible(svg):
    """Check every marker: its number on its dot, and the dot on white paper."""
    markers = 0
    for group in svg.iter(f"{SVG}g"):
        if group.get("class") != "site":
            continue
        fill = group.find(f"{SVG}circle").get("fill")
        ink = group.find(f"{SVG}text").get("fill")
        assert contrast(fill, ink) >= 4.5, (fill, ink)
        assert contrast(fill, "#ffffff") >= 4.5, fill
        markers += 1
    return markers


def test_the_map_markers_read_in_greyscale(app, session, plan):
    _, html = handout_html(app, session, plan())
    assert greyscale_legible(map_svg(html)) == 16
    assert contrast("#E69F00", "#ffffff") < 4.5  # a product colour that would not
