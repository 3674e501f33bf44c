"""The amendment form says which dose limits judged a dose warning.

An amendment is judged by the limits as at its record's signing, which may not
be today's (``tests/services/test_amend_keeps_signed_limits``). Where the form
asks for a dose warning's reason, it says so and names the day, so the
clinician knows why it differs from today's chart. Botox and Dysport.
"""

import html

import pytest
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Role
from tests.services.test_amend_keeps_signed_limits import AFTER
from tests.services.test_amend_keeps_signed_limits import BEFORE
from tests.services.test_amend_keeps_signed_limits import RAISED
from tests.services.test_amend_keeps_signed_limits import limit_setter
from tests.services.test_amend_keeps_signed_limits import sign
from tests.services.test_safety_paths import Chair

pytestmark = pytest.mark.pg

# Each product's own units: no figure is another product's.
UNIT = {"botox": "U", "dysport": "U (Speywood)"}
# Site 1 corrected to a dose above its limit at signing, within today's.
CORRECTED = {"botox": "3.5", "dysport": "6"}
# The per-point figure each product's site 1 was signed under.
SIGNED_LIMIT = {"botox": "2.5", "dysport": "4"}


@pytest.fixture
def chair(session, injector):
    return Chair(session, injector)


@pytest.fixture
def set_limit(session, make_user):
    return limit_setter(session, make_user)


@pytest.mark.parametrize(
    ("product", "figure", "signed_with", "moved_to"),
    [case[:4] for case in RAISED if case[4] == "dose_above_point_limit"],
)
def test_a_dose_warning_on_the_amendment_form_names_the_limits_at_signing(
    session,
    chair,
    set_limit,
    login_as,
    make_patient,
    product,
    figure,
    signed_with,
    moved_to,
):
    set_limit(product, figure, signed_with, BEFORE)
    signed, _ = sign(chair, make_patient, product)
    set_limit(product, figure, moved_to, AFTER)
    site_1 = session.exec(
        select(InjectionSite.id).where(
            InjectionSite.session_id == signed.id, InjectionSite.number == 1
        )
    ).one()
    injector = login_as(Role.INJECTOR)

    response = injector.post_form(
        f"/sessions/{signed.id}/amendments",
        {
            "version": str(signed.version),
            "reason": "Site 1's dose transcribed wrongly",
            f"units_{site_1}": CORRECTED[product],
        },
    )

    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    unit = UNIT[product]
    assert (
        f"Site 1, mentalis (left): {CORRECTED[product]} {unit} is above "
        f"{SIGNED_LIMIT[product]} {unit} per point (clinic setting). "
        "Judged by the limits as at signing, 2 Mar 2026."
    ) in page
