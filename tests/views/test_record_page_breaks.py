"""record.pdf breaks long panels between rows and leaves no gap for a whole block.

The Consent and Adverse-events panels sat side by side (a flex row, which never
breaks across pages) and each amendment never split either, so a block a little
too tall for the space left moved whole to the next page; and each site's
guidance, set in the narrow muscle column, ran a row to ten lines. A two-vial
Botox record with two amendments took five pages, Dysport's seven. Now the
panels stack at full width, a long one breaking between its rows with its
heading kept on its first rows, a short one whole; and a site's guidance has a
row of its own under it, the two kept together. Over HTTP as the clinic prints
it, read back with pdftotext (each line's place on its page from -bbox-layout);
page images under test-artifacts/.
"""

import subprocess
from datetime import timedelta
from xml.etree import ElementTree as ET

import pytest

from planner.models import Role
from planner.reports.record import treatment_record
from planner.services import amendments as amendment_service
from planner.services.adverse_events import add_adverse_event
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_comparison_report import save_pages
from tests.services.test_reports import html_for
from tests.services.test_reports import page_texts
from tests.views.test_record_first_page import WHEN
from tests.views.test_record_first_page import chart_on_two_vials

XHTML = "{http://www.w3.org/1999/xhtml}"
# The record's headings (h2 and h3), as printed.
HEADINGS = {
    "Patient",
    "Treatment",
    "Injection sites",
    "Sites",
    "Injection map",
    "Safety checks",
    "Consent",
    "Adverse events",
    "Notes",
    "Amendments after signing",
    "Visits arranged by this session",
}
# Pages this record took before, measured on the old templates.
PAGES_BEFORE = {"botox": 5, "dysport": 7}
# The running marks above the body and the footer below it, in pt from the top.
BODY_TOP, BODY_FOOT = 45.0, 790.0
CORRECTIONS = {"botox": (2.5, 1.5), "dysport": (6.25, 3.75)}
# Adverse events enough for their panel to run past a page.
EVENTS = 30


def page_lines(pdf: bytes) -> list[list[tuple[float, str]]]:
    """Return each page's body lines, top to bottom, each with its top in pt."""
    found = subprocess.run(
        ["pdftotext", "-bbox-layout", "-", "-"],
        input=pdf,
        check=True,
        capture_output=True,
    )
    pages = []
    for page in ET.fromstring(found.stdout).iter(f"{XHTML}page"):
        lines = [
            (
                float(line.get("yMin", 0)),
                " ".join(word.text or "" for word in line.iter(f"{XHTML}word")),
            )
            for line in page.iter(f"{XHTML}line")
        ]
        pages.append(sorted(line for line in lines if BODY_TOP < line[0] < BODY_FOOT))
    return pages


def last_lines(lines: list[tuple[float, str]]) -> set[str]:
    """Return the texts of a page's lowest body line (cells side by side)."""
    bottom = lines[-1][0]
    return {text for top, text in lines if abs(top - bottom) < 2}


def page_of(pages: list[list[tuple[float, str]]], text: str) -> list[int]:
    return [
        number
        for number, lines in enumerate(pages, start=1)
        if text in " ".join(line for _, line in lines)
    ]


def assert_no_heading_ends_a_page(pages):
    for number, lines in enumerate(pages[:-1], start=1):
        assert not last_lines(lines) <= HEADINGS, (number, last_lines(lines))


def two_amendments(session, actor, session_id, product):
    """Correct sites 1 and 2 of a signed record, one amendment each."""
    for number, units in enumerate(CORRECTIONS[product], start=1):
        state = chart_state(session, session_id, face_map=FACE_MAP, zone=ZONE, now=WHEN)
        site = next(s for s in state.sites if s.number == number)
        amendment_service.amend_session(
            session,
            actor,
            session_id,
            {
                "version": state.session.version,
                "reason": f"Site {number} was given {units:g}: the syringe was reread.",
                "note": "Checked against the drawing-up log by the nurse in charge.",
                "corrections": [{"site_id": site.id, "units": units}],
            },
            zone=ZONE,
            now=WHEN,
        )


def description(number: int) -> str:
    return (
        f"Event {number:02d}: a bruise where site {number % 8 + 1} was injected,"
        " tender for two days, gone by the review; the patient kept a cool pack on"
        " it and took nothing for it."
    )


def add_events(session, actor, session_id, count):
    """Record ``count`` adverse events, each with a description naming it."""
    for number in range(1, count + 1):
        add_adverse_event(
            session,
            actor,
            session_id,
            {
                "kind": "other",
                "severity": "mild",
                "description": description(number),
                "onset_date": (WHEN + timedelta(days=1)).date().isoformat(),
            },
            today=(WHEN + timedelta(days=14)).date(),
            zone=ZONE,
            now=WHEN + timedelta(days=14),
        )


def signed_record(session, make_user, make_patient, product):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    actor = Actor(user.id, user.email)
    return actor, chart_on_two_vials(session, actor, make_patient().id, product)


@pytest.mark.slow
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_two_vial_record_with_two_amendments_prints_on_fewer_pages(
    session, make_user, make_patient, login_as, product
):
    actor, session_id = signed_record(session, make_user, make_patient, product)
    two_amendments(session, actor, session_id, product)
    answer = login_as(Role.INJECTOR).get(f"/sessions/{session_id}/record.pdf")
    assert answer.status_code == 200
    pdf = answer.get_data()
    save_pages(pdf, f"record-two-vials-two-amendments-{product}")
    pages = page_lines(pdf)

    assert len(pages) < PAGES_BEFORE[product]
    assert_no_heading_ends_a_page(pages)
    # Each heading is on one page, with what it heads.
    for heading, first in (
        ("Consent", "Obtained"),
        ("Adverse events", "None recorded against this session."),
        ("Amendments after signing", "Amendment 1,"),
        ("Visits arranged by this session", "Review"),
    ):
        (page,) = [
            n for n in page_of(pages, first) if heading in dict(pages[n - 1]).values()
        ]
        assert page_of(pages, first)[0] == page, heading
    # A short amendment prints whole: its reason, note and correction together.
    for number in (1, 2):
        parts = (
            f"Amendment {number},",
            "Checked against the drawing-up log",
            f"Site {number}: ",
        )
        assert len({page_of(pages, part)[-1] for part in parts}) == 1, number
    assert "Signed electronically by" in dict(pages[-1]).values()


@pytest.mark.slow
def test_a_long_adverse_events_panel_breaks_between_events_with_its_heading(
    session, make_user, make_patient, login_as
):
    actor, session_id = signed_record(session, make_user, make_patient, "botox")
    add_events(session, actor, session_id, EVENTS)
    answer = login_as(Role.INJECTOR).get(f"/sessions/{session_id}/record.pdf")
    assert answer.status_code == 200
    pdf = answer.get_data()
    save_pages(pdf, "record-many-adverse-events")
    pages = page_lines(pdf)

    assert_no_heading_ends_a_page(pages)
    heading = [
        n
        for n, lines in enumerate(pages, 1)
        if "Adverse events" in dict(lines).values()
    ]
    assert len(heading) == 1
    # The heading keeps its first event with it, and the panel did break.
    assert page_of(pages, "Event 01:") == heading
    last = f"Event {EVENTS:02d}:"
    assert len(page_of(pages, last)) == 1
    assert page_of(pages, last)[0] > heading[0]
    # Each event whole on one page: all its words on the page it starts on.
    texts = ["".join(text.split()) for text in page_texts(pdf)]
    for number in range(1, EVENTS + 1):
        whole = "".join(description(number).split())
        assert [n for n, text in enumerate(texts, 1) if whole in text] == page_of(
            pages, f"Event {number:02d}:"
        ), number


@pytest.mark.parametrize(("events", "splits"), [(3, False), (4, True)])
def test_a_short_panel_is_kept_whole_and_a_long_one_may_break(
    app, session, make_user, make_patient, events, splits
):
    actor, session_id = signed_record(session, make_user, make_patient, "botox")
    add_events(session, actor, session_id, events)
    record = treatment_record(
        session, session_id, face_map=FACE_MAP, zone=ZONE, now=WHEN + timedelta(days=14)
    )
    html = html_for(app, "reports/record.html", record=record, sites_first=False)
    classes = "panel splits" if splits else "panel"
    assert f'<section class="{classes}" aria-labelledby="events-title">' in html
    # Consent is always seven rows or more: it may break between them.
    assert '<section class="panel splits" aria-labelledby="consent-title">' in html
    # A short amendment, or one with no amendments at all, keeps break-inside: avoid.
    assert 'class="amendment splits"' not in html
