"""Save as template from a chart (issue 15, item 9): the template keeps its product."""

from datetime import UTC
from datetime import datetime

import pytest

from planner.services.protocols import save_session_as_template
from planner.services.protocols import template_product_code
from tests.factories import FACE_MAP
from tests.factories import make_treatment

WHEN = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("product", "vial", "units"), [("botox", 100, 2.5), ("dysport", 300, 10.0)]
)
def test_a_chart_saved_as_a_template_keeps_its_product_and_doses(
    session, injector, make_patient, product, vial, units
):
    patient = make_patient(affected_side="left")
    chart = make_treatment(
        session,
        injector,
        patient.id,
        [("mentalis", "left", units)],
        when=WHEN,
        product=product,
        vial_units=vial,
    )
    template = save_session_as_template(
        session,
        injector,
        face_map=FACE_MAP,
        treatment_session_id=chart.id,
        name=f"Chin, {product}",
    )
    assert template_product_code(session, template) == product
    assert [(site["muscle"], site["units"]) for site in template.sites] == [
        ("mentalis", units)
    ]
