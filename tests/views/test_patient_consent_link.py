"""The patient page's consent link is the injector's next step: a 44 px button.

Measured under 44 px high when it sat inline in the badge (tablet walkthrough,
item 3). WCAG 2.5.8 exempts a link inside a sentence, but at the chair this one
is an action, so it is a button beside the badge, not text within it. The
height itself is measured in Chromium (tests/e2e/test_consent_round_trip_e2e.py).
"""

import re
from datetime import timedelta

from planner.db_types import utc_now
from planner.models import Role
from tests.factories import give_consent


def test_the_patient_pages_consent_link_is_a_button_not_inline_text(
    login_as, session, injector, make_patient
):
    patient = make_patient()
    give_consent(session, injector, patient.id, when=utc_now() - timedelta(weeks=60))
    browser = login_as(Role.INJECTOR)
    page = browser.get(f"/patients/{patient.id}").get_data(as_text=True)
    badge = re.search(r'<p class="consent-badge" id="consent-badge">(.*?)</p>', page)
    assert badge is not None
    assert "<a " not in badge[1]
    assert (
        f'<a class="button secondary" id="consent-badge-link" '
        f'href="/patients/{patient.id}/consent">' in page
    )
