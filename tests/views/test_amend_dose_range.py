"""An amended dose that cannot be a dose is named beside its site's box.

The amendment form reads each site's corrected dose; one that is not a number,
not finite, or outside what a site may hold is refused by that site's field
(``units_<site id>``), in the record's product's own units, with nothing saved.
Before, a figure out of range reached the request model and came back under
``corrections.0.units``, a name no box on the page has. Botox and Dysport.
"""

import html
import re

import pytest
from sqlmodel import select

from planner.models import Amendment
from planner.models import Role
from tests.services.test_amend_keeps_signed_limits import RAISED
from tests.views.test_amend_reason_labels import UNIT
from tests.views.test_amend_reason_labels import amender
from tests.views.test_amend_reason_labels import chair  # noqa: F401
from tests.views.test_amend_reason_labels import set_limit  # noqa: F401

CASES = [case[:4] for case in RAISED if case[4] == "dose_above_point_limit"]


@pytest.fixture
def amended(session, chair, set_limit, make_patient):  # noqa: F811
    return amender(session, chair, set_limit, make_patient)


@pytest.mark.parametrize("figure", ["0", "-3", "400.5", "nan", "inf", "1e400"])
@pytest.mark.parametrize(("product", "limit", "signed_with", "moved_to"), CASES)
def test_a_dose_out_of_range_is_refused_beside_its_site(
    session, amended, login_as, product, limit, signed_with, moved_to, figure
):
    signed, site_1 = amended(product, limit, signed_with, moved_to)
    injector = login_as(Role.INJECTOR)
    response = injector.post_form(
        f"/sessions/{signed.id}/amendments",
        {
            "version": str(signed.version),
            "reason": "Site 1's dose transcribed wrongly",
            f"units_{site_1}": figure,
        },
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    field = f"units_{site_1}"
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', page, re.S)
    assert error is not None, "no error beside the site's box"
    text = html.unescape(re.sub(r"<[^>]+>", "", error.group(1)))
    assert f"must be from 0.01 to 400 {UNIT[product]}" in text
    assert "corrections." not in page
    assert session.exec(select(Amendment)).all() == []
