"""The e2e tests open most charts by posting the new-session form's fields
without the page (tests/e2e/chart_helpers.py ``session_form_data``): they must be
the fields the form has, or those tests chart what no injector could open."""

from html.parser import HTMLParser

import pytest

from planner.models import Role
from tests.e2e.chart_helpers import session_form_data


class FormFields(HTMLParser):
    """The names of the fields inside the page's new-session form."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.names: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.inside = "session-form" in (found.get("class") or "")
        elif (
            self.inside and tag in ("input", "select", "textarea") and found.get("name")
        ):
            self.names.add(found["name"] or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


@pytest.mark.parametrize("lot_choice", ["new", "1"])
def test_the_posted_fields_are_the_new_session_forms(
    login_as, make_patient, lot_choice: str
) -> None:
    browser = login_as(Role.INJECTOR)
    page = browser.get(f"/patients/{make_patient().id}/sessions/new")
    assert page.status_code == 200
    form = FormFields()
    form.feed(page.get_data(as_text=True))
    posted = session_form_data("token", "botox", lot_choice, lot="A1", units="100")
    assert set(posted) == form.names
