"""The compare page names the product and dose each photo follows (review rF, RF3).

Units of different products do not compare (reference §2.1): each panel and
each cycle choice names its product with the cycle's total in that product's
own unit name, and the page says so when the panels follow different products.
"""

import re
from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlmodel import select

from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Role
from planner.services.audit import Actor
from planner.services.photo_compare import compare_view
from planner.services.photos import add_photo
from planner.services.photos import record_consent
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.photo_images import face_jpeg

FIRST = datetime(2026, 3, 2, 10, tzinfo=UTC)
# Each product's vial and one chin dose, in its own units.
PRODUCTS = {
    "botox": ({"product": "botox", "vial_units": 100}, 4, "Botox 4 U"),
    "dysport": (
        {"product": "dysport", "vial_units": 300, "diluent_ml": 1.5},
        10,
        "Dysport 10 U (Speywood)",
    ),
    "xeomin": ({"product": "xeomin", "vial_units": 100}, 5, "Xeomin 5 U"),
}
CHANGE = "These photos follow different products"


def caption_texts(page):
    found = re.findall(r"<figcaption>(.*?)</figcaption>", page, re.S)
    return [
        re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", c)).replace("&#39;", "'").strip()
        for c in found
    ]


def choice_texts(page):
    found = re.findall(r'<label class="choice"[^>]*>(.*?)</label>', page, re.S)
    return [
        re.sub(r"\s+", " ", re.sub("<[^>]+>", " ", c)).replace("&#39;", "'").strip()
        for c in found
    ]


@pytest.fixture(
    params=[("botox", "dysport", "xeomin"), ("dysport", "botox", "botox")],
    ids="->".join,
)
def three_cycles(request, session, login_as, make_patient):
    """Three signed cycles 14 weeks apart, each with photos at rest before the
    injections (on the treatment day) and at the review (three weeks on)."""
    browser = login_as(Role.INJECTOR)
    user = session.exec(
        select(AuditEvent.actor_id).where(AuditEvent.action == AuditAction.LOGIN)
    ).first()
    actor = Actor(user, "injector")
    patient = make_patient(affected_side="left")
    record_consent(session, actor, patient.id, {"consent": "clinical"}, now=FIRST)
    for index, code in enumerate(request.param):
        form, units, _ = PRODUCTS[code]
        when = FIRST + timedelta(weeks=14 * index)
        cycle = make_treatment(
            session,
            actor,
            patient.id,
            [("mentalis", "left", units)],
            when=when,
            sign=True,
            lot_number=f"LOT{index}",
            **form,
        )
        for timepoint, taken in (
            ("pre_treatment", when),
            ("review", when + timedelta(weeks=3)),
        ):
            add_photo(
                session,
                actor,
                cycle.id,
                view_code="rest",
                timepoint=timepoint,
                data=face_jpeg(),
                now=taken,
                zone=ZONE,
            )
    return browser, patient, [PRODUCTS[code][2] for code in request.param]


def test_review_panels_and_choices_name_each_cycles_product(three_cycles):
    browser, patient, doses = three_cycles
    page = browser.get(
        f"/patients/{patient.id}/photos/compare?view=rest&timepoint=review"
    ).get_data(as_text=True)
    captions = caption_texts(page)
    assert len(captions) == 3
    for number, (caption, dose) in enumerate(zip(captions, doses, strict=True), 1):
        assert caption.startswith(f"Cycle {number} · {dose} · treated")
    choices = choice_texts(page)
    for number, (choice, dose) in enumerate(zip(choices, doses, strict=True), 1):
        assert choice.startswith(f"Cycle {number}")
        assert choice.endswith(f"· {dose}")
    changed = [doses[i] != doses[i - 1] if i else False for i in range(3)]
    marked = ["Product changed since the photo before" in c for c in captions]
    assert marked == [
        i > 0 and doses[i].split()[0] != doses[i - 1].split()[0] for i in range(3)
    ]
    assert any(changed)
    assert CHANGE in page
    # Dysport's units are never written without their own name.
    assert not re.search(r"Dysport [\d.]+ U(?! \(Speywood\))", page)


def test_before_the_injections_names_the_cycle_before(three_cycles):
    browser, patient, doses = three_cycles
    page = browser.get(
        f"/patients/{patient.id}/photos/compare?view=rest&timepoint=pre_treatment"
    ).get_data(as_text=True)
    captions = caption_texts(page)
    assert captions[0].startswith(
        "Cycle 1 · before the injections, no earlier cycle on record · treated"
    )
    for number in (2, 3):
        assert captions[number - 1].startswith(
            f"Cycle {number} · before the injections, "
            f"after cycle {number - 1}'s {doses[number - 2]} · treated"
        )
    choices = choice_texts(page)
    assert choices[1].endswith(f"· after cycle 1's {doses[0]}")
    # Cycles 2 and 3 follow cycles 1 and 2: a change only if those differ.
    assert (CHANGE in page) == (doses[0].split()[0] != doses[1].split()[0])


def test_the_service_names_the_product_for_each_choice(three_cycles, session):
    _browser, patient, doses = three_cycles
    comparison = compare_view(
        session,
        patient.id,
        view_code="rest",
        timepoint="review",
        cycles={1, 3},
        zone=ZONE,
    )
    assert [c.follows for c in comparison.cycles] == doses
    assert [p.follows for p in comparison.panels] == [doses[0], doses[2]]
    brands = [doses[0].split()[0], doses[2].split()[0]]
    assert comparison.panels[1].product_changed == (brands[0] != brands[1])
    if brands[0] != brands[1]:
        assert comparison.products_shown == (
            f"{brands[0]} (cycle 1), {brands[1]} (cycle 3)"
        )
    else:
        assert comparison.products_shown is None
