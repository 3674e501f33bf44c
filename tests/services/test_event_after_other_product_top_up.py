"""An adverse event after a top-up in another product names that product.

A cycle's adverse events are listed under the cycle, whose product is its full
treatment's. An event filed against a top-up given in another product was
not necessarily the cycle product's doing: the ledger, the cycles page's event
list and the printed comparison name the top-up's product and day. Botox with
a Dysport top-up, and Dysport with a Botox top-up.
"""

from datetime import date
from datetime import timedelta

import pytest

from planner.models import Role
from planner.reports.comparison import comparison_report
from planner.services import outcomes
from planner.services.cycles import cycles_overview
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.services.test_comparison_report import document_for
from tests.services.test_comparison_report import page_texts
from tests.services.test_other_product_top_up import DAY0
from tests.services.test_other_product_top_up import treat

PAIRS = [("botox", "dysport"), ("dysport", "botox")]
BRANDS = {"botox": "Botox", "dysport": "Dysport"}
TODAY = date(2026, 5, 1)


def cycle_with_events(session, injector, patient, product, other):
    """Sign a full treatment and a top-up in ``other`` on day 15; file an event
    against each."""
    full = treat(
        session, injector, patient, [("mentalis", "left", 4)], DAY0, product, sign=True
    )
    top_up = treat(
        session,
        injector,
        patient,
        [("mentalis", "left", 10)],
        DAY0 + timedelta(days=15),
        other,
        sign=True,
        kind="top_up",
    )
    for record, kind in ((full, "dry_eye"), (top_up, "eyelid_droop")):
        outcomes.add_adverse_event(
            session,
            injector,
            record.id,
            {"kind": kind, "severity": "mild"},
            today=TODAY,
            zone=ZONE,
        )


@pytest.mark.parametrize(("product", "other"), PAIRS)
def test_the_ledger_and_the_event_list_name_the_other_products_top_up(
    session, injector, make_patient, login_as, product, other
):
    patient = make_patient(affected_side="left")
    cycle_with_events(session, injector, patient, product, other)

    overview = cycles_overview(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    (row,) = overview.ledger
    brand = BRANDS[other]
    assert row.events == (
        "Dry eye (mild)",
        f"Eyelid droop (mild), after the {brand} top-up",
    )
    full_event, top_up_event = sorted(overview.events, key=lambda e: e.row.id)
    assert full_event.other_top_up is None
    assert top_up_event.other_top_up is not None
    assert (top_up_event.other_top_up.brand, top_up_event.other_top_up.given_on) == (
        brand,
        date(2026, 3, 17),
    )

    page = login_as(Role.INJECTOR).get(f"/patients/{patient.id}/cycles")
    assert page.status_code == 200
    text = " ".join(page.get_data(as_text=True).split())
    assert f"After the {brand} top-up of 17 Mar 2026." in text
    assert text.count("After the ") == 1


@pytest.mark.parametrize(("product", "other"), PAIRS)
def test_the_printed_comparison_names_the_other_products_top_up(
    app, session, injector, make_patient, product, other
):
    patient = make_patient(affected_side="left")
    cycle_with_events(session, injector, patient, product, other)

    report = comparison_report(session, patient.id, face_map=FACE_MAP, zone=ZONE)
    _, document = document_for(app, report)
    flat = " ".join(page_texts(document.write_pdf()))
    events = flat.split("Adverse events")[-1]
    assert f"(after the {BRANDS[other]} top-up of 17 Mar 2026)" in events
    assert events.count("(after the ") == 1
