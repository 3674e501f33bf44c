"""Drive the app as a browser does: post its forms and call the chart API.

A test browser (conftest's ``login_as``) posts the same strings a page would;
these steps are the ones many view tests share.
"""

import re
from typing import Any

from planner.models import User
from tests.factories import tap_at

# The new-vial form as a browser posts it (every value a string).
VIAL_FORM = {
    "kind": "full",
    "product": "botox",
    "lot_choice": "new",
    "lot_number": "C5555",
    "expiry_date": "2030-01-01",
    "vial_units": "100",
    "diluent_ml": "2.5",
    "reconstituted_at": "",
    "consent_obtained": "true",
}


def consent_by_browser(
    browser: Any, patient_id: int, name: str = "Ada Okafor", kind: str = "treatment"
) -> None:
    """Sign the patient's consent (treatment unless told) through the tablet page."""
    path = f"/patients/{patient_id}/consent/{kind}"
    page = browser.get(path).get_data(as_text=True)
    found = re.search(r'name="form_id" value="(\d+)"', page)
    assert found, page[:500]
    response = browser.post_form(
        path,
        {
            "form_id": found[1],
            "printed_name": name,
            "method": "typed",
            "typed_confirm": "true",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def open_draft(browser: Any, patient_id: int, *, consent: bool = True) -> int:
    """Open a draft chart from the session form, as a browser does; return its id.

    With ``consent`` the patient first signs treatment consent, so it can be signed.
    """
    if consent:
        consent_by_browser(browser, patient_id)
    response = browser.post_form(f"/patients/{patient_id}/sessions", VIAL_FORM)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def post_tap(browser: Any, session_id: int, muscle: str, side: str, **body: Any) -> Any:
    """Tap a muscle's reference point through the chart API; return the response."""
    return browser.api(
        "POST", f"/api/v1/sessions/{session_id}/sites", {**tap_at(muscle, side), **body}
    )


def post_sign(browser: Any, session_id: int, *, version: int, **body: Any) -> Any:
    """Sign a chart through the chart API, consent confirmed unless the body says
    otherwise; return the response."""
    return browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sign",
        {"version": version, "consent_obtained": True, **body},
    )


def login_form(user: User, **changes: str | None) -> dict[str, str]:
    """The edit-login form as a browser posts it: the values shown when the page
    was drawn (``shown_*``) and the fields, with these changes; a field that is
    or is changed to None is left out, as an unticked box is."""
    data: dict[str, str | None] = {
        "shown_name": user.name,
        "shown_email": user.email,
        "shown_role": user.role.value,
        "shown_active": "true" if user.active else "false",
        "name": user.name,
        "email": user.email,
        "role": user.role.value,
        "active": "true" if user.active else None,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def login_shown(user: User) -> dict[str, str]:
    """Only the login's values as shown: what the deactivate and reactivate
    buttons post."""
    return {k: v for k, v in login_form(user).items() if k.startswith("shown_")}
