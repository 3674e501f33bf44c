"""A signed record in a product with no dose reference is not saved as a template.

Such a record is viewable and printable as recorded, but planner cannot chart
its product, so a template of it could chart nothing: the chart page offers no
"Save as template", and a POST is refused with a message that says why, saving
nothing. Botox and Dysport records still offer it and save it.
"""

import pytest
from sqlmodel import select

from planner.models import ProtocolTemplate
from planner.models import Role
from planner.models import TreatmentSession
from tests.services.test_signed_unlisted_record import sign_two_sites
from tests.services.test_unlisted_product_cycles import BRANDS
from tests.services.test_unlisted_product_cycles import CLINIC
from tests.services.test_unlisted_product_cycles import EACH_PRODUCT
from tests.services.test_unlisted_product_cycles import UNLISTED

# The clinic product fixture, which the tests ask for by name.
from tests.services.test_unlisted_product_cycles import clinic_product  # noqa: F401
from tests.views.test_outcomes_pages import text


@UNLISTED
@pytest.mark.usefixtures("clinic_product")
@EACH_PRODUCT
def test_save_as_template_is_offered_only_for_a_product_planner_can_chart(
    session, injector, make_patient, login_as, product
):
    treatment = sign_two_sites(session, injector, make_patient(), product)
    browser = login_as(Role.INJECTOR)
    page = text(browser.get(f"/sessions/{treatment.id}"))
    chartable = product != CLINIC
    assert ('id="save-template"' in page) is chartable
    assert ("Save as template" in page) is chartable

    saved = browser.post_form(
        f"/sessions/{treatment.id}/template",
        {"template_name": f"{product} chin"},
        follow_redirects=True,
    )
    assert saved.status_code == 200
    templates = session.exec(select(ProtocolTemplate)).all()
    if chartable:
        assert f"Saved as the template {product} chin." in text(saved)
        assert [(t.name, t.product_id) for t in templates] == [
            (f"{product} chin", session.get(TreatmentSession, treatment.id).product_id)
        ]
    else:
        assert (
            "This record cannot be saved as a template: no dose reference is held "
            f"for {BRANDS[CLINIC]}, so planner cannot chart it from a template."
        ) in text(saved)
        assert templates == []
