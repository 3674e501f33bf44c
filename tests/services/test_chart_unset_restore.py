"""A site put back with no dose stays without one (review rJ, RJ2).

An undo puts back a deleted site, or the sites a "replace" copy or template
removed, by charting it again. A site that had no dose (units of two products are
never copied) must come back with none and with its reason, never with the
product's tap default: ``units`` sent as null says so; left out, it still means
the default.
"""

from datetime import UTC
from datetime import datetime

import pytest

from planner.errors import InvalidInput
from planner.services import chart as chart_service
from planner.services.chart_state import chart_state
from planner.services.chart_state import default_units
from tests.factories import FACE_MAP
from tests.factories import ZONE
from tests.factories import make_treatment
from tests.factories import tap_at

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
REASON = "Dose not carried over: last cycle was Botox, units differ"
# A muscle each product has a tap default for: Botox's clinic default for
# mentalis (2 U), Dysport's shipped default for corrugator (10 U (Speywood)),
# Xeomin's and Daxxify's for corrugator (4 U and 8 U).
DEFAULTED = [
    ("botox", "mentalis", 2.0),
    ("dysport", "corrugator", 10.0),
    ("xeomin", "corrugator", 4.0),
    ("daxxify", "corrugator", 8.0),
]

# A vial size each product comes in (the factory's default is Botox's 100 U).
VIALS = {
    "dysport": {"vial_units": 300, "diluent_ml": 2.5},
    "daxxify": {"vial_units": 100, "diluent_ml": 1.25},
}


@pytest.fixture
def draft(session, make_patient, injector):
    def open_(product):
        patient = make_patient(affected_side="left")
        vial = VIALS.get(product, {})
        return make_treatment(
            session, injector, patient.id, when=NOW, product=product, **vial
        ).record

    return open_


def add(session, injector, record, version, muscle, **body):
    data = {**tap_at(muscle, "left"), "version": version, **body}
    return chart_service.add_site(
        session,
        injector,
        record.id,
        data,
        face_map=FACE_MAP,
        default_units=default_units(session),
        now=NOW,
        zone=ZONE,
    )


@pytest.mark.parametrize(("product", "muscle", "shipped"), DEFAULTED)
def test_units_null_charts_the_site_unset_with_its_reason(
    session, draft, injector, product, muscle, shipped
):
    record = draft(product)
    version, defaulted = add(session, injector, record, 1, muscle)
    assert (defaulted.units, defaulted.unset_reason) == (shipped, None)

    version, restored = add(
        session, injector, record, version, muscle, units=None, unset_reason=REASON
    )
    assert (restored.units, restored.unset_reason) == (None, REASON)
    state = chart_state(session, record.id, face_map=FACE_MAP, zone=ZONE, now=NOW)
    shown = {site.id: (site.units, site.unset_reason) for site in state.sites}
    assert shown[restored.id] == (None, REASON)
    assert (state.totals.units, state.totals.unset) == (shipped, 1)


@pytest.mark.parametrize(
    ("product", "brand"), [("botox", "Botox"), ("dysport", "Dysport")]
)
def test_units_null_without_a_reason_says_the_dose_is_to_enter(
    session, draft, injector, product, brand
):
    record = draft(product)
    _, site = add(session, injector, record, 1, "mentalis", units=None)
    assert site.units is None
    assert site.unset_reason == f"Dose not entered: enter it in {brand} units"


@pytest.mark.parametrize(
    "body",
    [
        {"unset_reason": REASON},
        {"units": 4, "unset_reason": REASON},
        {"units": None, "unset_reason": "   "},
        {"units": None, "unset_reason": "x" * 201},
    ],
)
def test_a_reason_goes_only_with_units_null(session, draft, injector, body):
    record = draft("dysport")
    with pytest.raises(InvalidInput) as refused:
        add(session, injector, record, 1, "corrugator", **body)
    assert "unset_reason" in refused.value.fields
