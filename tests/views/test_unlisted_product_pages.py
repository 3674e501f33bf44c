"""Every page of a session in a product the dose reference does not list says so.

The chart page said which product, why it cannot be charted and what to do,
with a link to discard the draft (review rX, X2); the session's record, panels,
amendment and vial forms showed the generic "That did not work" instead.
"""

import pytest

from planner.models import Role
from planner.models import TreatmentSession
from tests.factories import make_treatment
from tests.services.test_unlisted_product import DAY0
from tests.services.test_unlisted_product import REASON
from tests.services.test_unlisted_product import UNLISTED
from tests.services.test_unlisted_product import relfydess  # noqa: F401  # fixture
from tests.services.test_unlisted_product import unlisted_draft  # noqa: F401  # fixture

MESSAGE = "No dose reference for Relfydess: planner cannot chart it."


@pytest.fixture
def unlisted_signed(session, injector, make_patient, relfydess):  # noqa: F811  # the imported fixture
    """A signed Botox session whose product row is then changed to Relfydess."""
    treatment = make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", 2)],
        when=DAY0,
        sign=True,
    )
    record = session.get(TreatmentSession, treatment.id)
    record.product_id = relfydess.id
    session.add(record)
    session.commit()
    return record


GETS = {
    "chart": ("{}", "This chart cannot be opened"),
    "panels": ("{}/panels", "This chart cannot be opened"),
    "record": ("{}/record.pdf", "This record cannot be printed"),
}
POSTS = {
    "amend": ("{}/amendments", {"reason": "Typo", "version": "1"}),
    "vial": ("{}/vial", {"version": "1", "lot_number": "R2"}),
}
NOT_SAVED = "This chart cannot be changed"


def says_why(page, heading):
    assert heading in page
    assert MESSAGE in page
    assert "That did not work" not in page
    assert "units of one product cannot be converted into another" in page


@UNLISTED
@pytest.mark.parametrize("name", sorted(GETS))
def test_each_page_of_a_draft_says_why_and_offers_the_discard(
    login_as,
    unlisted_draft,  # noqa: F811  # the imported fixture
    name,
):
    path, heading = GETS[name]
    discard = f'href="/sessions/{unlisted_draft.id}/discard"'
    injector = login_as(Role.INJECTOR)
    page = injector.get("/sessions/" + path.format(unlisted_draft.id))
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    says_why(text, heading)
    assert discard in text
    staff = login_as(Role.STAFF).get("/sessions/" + path.format(unlisted_draft.id))
    assert staff.status_code == 400
    says_why(staff.get_data(as_text=True), heading)
    assert discard not in staff.get_data(as_text=True)


@UNLISTED
def test_a_new_vial_for_a_draft_says_why_and_offers_the_discard(
    login_as,
    unlisted_draft,  # noqa: F811  # the imported fixture
):
    # A draft is not amended (409, as for any product): the vial form is its form.
    path, data = POSTS["vial"]
    injector = login_as(Role.INJECTOR)
    page = injector.post_form("/sessions/" + path.format(unlisted_draft.id), data)
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    says_why(text, NOT_SAVED)
    assert f'href="/sessions/{unlisted_draft.id}/discard"' in text


@UNLISTED
def test_a_signed_session_is_shown_and_its_amendment_says_why(
    login_as, unlisted_signed
):
    # Signed, it is the legal record of what was given: shown and printed as
    # recorded (test_signed_unlisted_record_pages), but never amended, as a
    # correction has no dose reference to be checked against.
    injector = login_as(Role.INJECTOR)
    for name in sorted(GETS):
        path, _ = GETS[name]
        page = injector.get("/sessions/" + path.format(unlisted_signed.id))
        assert page.status_code == 200, name
    path, data = POSTS["amend"]
    page = injector.post_form(
        "/sessions/" + path.format(unlisted_signed.id),
        {**data, "version": str(unlisted_signed.version)},
    )
    assert page.status_code == 400
    text = page.get_data(as_text=True)
    says_why(text, NOT_SAVED)
    assert "/discard" not in text
    assert f'href="/patients/{unlisted_signed.patient_id}"' in text


@UNLISTED
@pytest.mark.parametrize(
    "path", ["/api/v1/sessions/{}", "/api/v1/sessions/{}/record.pdf"]
)
def test_api_callers_keep_the_json_answer(login_as, unlisted_draft, path):  # noqa: F811
    api = login_as(Role.INJECTOR).api("GET", path.format(unlisted_draft.id))
    assert api.status_code == 400
    assert api.get_json() == {"error": MESSAGE, "fields": {"product": REASON}}


@pytest.mark.parametrize(("product", "units"), [("botox", 100), ("dysport", 300)])
def test_listed_products_print_and_chart_as_before(
    session, injector, login_as, make_patient, product, units
):
    treatment = make_treatment(
        session,
        injector,
        make_patient().id,
        [("mentalis", "left", 2)],
        when=DAY0,
        sign=True,
        product=product,
        vial_units=units,
    )
    browser = login_as(Role.INJECTOR)
    assert browser.get(f"/sessions/{treatment.id}").status_code == 200
    record = browser.get(f"/sessions/{treatment.id}/record.pdf")
    assert record.status_code == 200
    assert record.data.startswith(b"%PDF")
