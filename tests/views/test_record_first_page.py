"""record.pdf uses its first page, and splits nothing that must stay whole.

The map prints whole with its caption and totals beside it. Under a tall
Treatment panel (two vials, each with its lot, expiry and strength) it did not
fit on page 1 and moved to page 2 with its heading, leaving page 1 half empty;
now the sites table comes first there, and the map follows under its own
"Injection map" heading. Over HTTP as the clinic prints it, read
back with pdftotext page by page; Botox and Dysport, each in its own units.
"""

import re
from datetime import UTC
from datetime import datetime

import pytest

from planner.facemap import reference_points
from planner.models import Role
from planner.services import chart as chart_service
from planner.services import sessions as session_service
from planner.services.audit import Actor
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from planner.services.vial_switch import switch_vial
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import ensure_consent
from tests.factories import treatment_form
from tests.services.test_reports import page_texts

WHEN = datetime(2026, 11, 20, 10, tzinfo=UTC)
# Eight sites of a typical plan, in Botox units; Dysport's are 2.5 times these
# (a clinic's conversion for this test's plan only, never applied by planner).
EIGHT_SITES = (
    ("frontalis", "right", 2),
    ("corrugator", "right", 2),
    ("orbicularis_oculi_orbital", "left", 2),
    ("orbicularis_oculi_pretarsal_lower", "left", 1),
    ("buccinator", "left", 2.5),
    ("depressor_anguli_oris", "left", 2),
    ("mentalis", "left", 2),
    ("platysma", "left", 3),
)
PRODUCTS = {
    "botox": ({"vial_units": 100, "diluent_ml": 2.5}, 1.0),
    "dysport": ({"product": "dysport", "vial_units": 300, "diluent_ml": 1.5}, 2.5),
}


def chart_on_two_vials(session, actor, patient_id, product):
    """Chart the eight sites, switching to a second vial after four; sign."""
    vial, factor = PRODUCTS[product]
    record = session_service.open_session(
        session,
        actor,
        patient_id,
        treatment_form(WHEN, lot_number="FIRST1", **vial),
        zone=ZONE,
        now=WHEN,
    )
    version = record.version
    for number, (muscle, side, units) in enumerate(EIGHT_SITES, start=1):
        if number == 5:
            version, _ = switch_vial(
                session,
                actor,
                record.id,
                {
                    **treatment_form(WHEN, lot_number="SECOND2", **vial),
                    "version": version,
                    "expiry_date": "2028-01-31",
                },
                zone=ZONE,
                now=WHEN,
            )
        x, y = (
            float(v)
            for v in reference_points(FACE_MAP, FACE_MAP.muscle(muscle), side)[0]
        )
        version, _ = chart_service.add_site(
            session,
            actor,
            record.id,
            {"x": x, "y": y, "units": units * factor, "version": version},
            face_map=FACE_MAP,
            default_units=default_units(session),
            zone=ZONE,
            now=WHEN,
        )
    warnings = chart_state(
        session, record.id, face_map=FACE_MAP, zone=ZONE, now=WHEN
    ).warnings
    ensure_consent(session, actor, record.id, when=WHEN)
    session_service.sign_session(
        session,
        actor,
        record.id,
        {
            "version": version,
            "consent_obtained": True,
            "reasons": {w.key: f"Reason for {w.key}." for w in warnings},
            "overrides": [w.key for w in warnings if w.hard_stop],
        },
        zone=ZONE,
        now=WHEN,
    )
    return record.id


def squeezed(text):
    return "".join(text.split())


@pytest.mark.slow
@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_a_two_vial_record_starts_its_sites_on_page_one_whole(
    session, make_user, make_patient, login_as, product
):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    session_id = chart_on_two_vials(
        session, Actor(user.id, user.email), make_patient().id, product
    )
    browser = login_as(Role.INJECTOR)
    answer = browser.get(f"/sessions/{session_id}/record.pdf")
    assert answer.status_code == 200
    pages = page_texts(answer.get_data())
    flat = squeezed(" ".join(pages))
    assert "FIRST1" in flat
    assert "SECOND2" in flat

    # Page 1 carries the injection sites: their heading, the table's head and
    # at least the first site's whole row.
    first = squeezed(pages[0])
    assert "Injectionsites" in first
    assert "Sites#MuscleSideRole" in first
    # The site's guidance prints in its own row under it, on its page.
    assert squeezed("1 Frontalis Right contralateral") in first
    assert squeezed("Points halfway between brow and hairline") in first

    # Nothing split that must stay whole: each site's row (number, muscle,
    # guidance, side, role, dose and volume) on one page; the map's caption and
    # the totals beside it on one page; the signature with the last visit.
    factor = PRODUCTS[product][1]
    for number, (muscle, side, units) in enumerate(EIGHT_SITES, start=1):
        whole_row = re.compile(
            re.escape(squeezed(f"{number} {FACE_MAP.muscle(muscle).name}"))
            + rf".*?{side.capitalize()}(affected|contralateral)"
            + re.escape(f"{units * factor:g}")
            + r"0\.\d{3}mL"
        )
        on = [n for n, page in enumerate(pages) if whole_row.search(squeezed(page))]
        assert len(on) == 1, (number, muscle, on)
    map_pages = [
        n
        for n, page in enumerate(pages)
        if "Facing the patient" in page and "Totals by muscle and side" in page
    ]
    assert len(map_pages) == 1
    # The map under the sites table has its own heading, on the map's
    # page above the map, not left at the foot of the page before.
    headed = [n for n, page in enumerate(pages) if "Injection map" in page]
    assert headed == map_pages
    map_page = pages[map_pages[0]]
    assert map_page.index("Injection map") < map_page.index("Facing the patient")
    last = pages[-1]
    assert "Signed electronically by" in last
    assert "Next treatment" in last
