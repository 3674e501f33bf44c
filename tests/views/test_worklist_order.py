"""The worklist puts patients before housekeeping (review rW2, V2-4).

A side effect the diary promised a call about ("We will phone you about it")
comes first, then reviews and re-treatments; open vials past their in-use time,
up to a hundred rows in a clinic that closes vials late, come last, so they
never push a callback below the first screen.
"""

import pytest

from planner.models import Role
from tests.views.test_diary_pages import now
from tests.views.test_diary_pages import post
from tests.views.test_diary_pages import treat  # noqa: F401  (fixture)


@pytest.mark.parametrize("role", [Role.STAFF, Role.INJECTOR])
def test_diary_callbacks_come_first_and_stale_vials_last(
    client,
    login_as,
    treat,  # noqa: F811  (the diary pages' fixture, imported above)
    role,
):
    _, _, token = treat(days=100)
    post(
        client,
        token,
        "side-effect",
        {"effects": "eyelid_droop", "day": now().date().isoformat()},
    )
    page = login_as(role).get("/schedule/").get_data(as_text=True)
    callbacks = page.index('id="diary-items"')
    follow_ups = page.index('id="section-1"')
    vials = page.index('id="vials-to-close"')
    assert callbacks < follow_ups < vials
    assert "Patient reports a side effect — call" in page
