"""The chart says when its version moved by the treatment time alone (undo kept).

The time form reloads the chart at the next version. The page names the version
it came from (``data-undo-time-from``) only when the one change since was this
browser's time, so the undo history saved before it may be offered again; never
after a refused time or when anything else changed the chart meanwhile.
"""

import re
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from planner.models import Role
from tests.browser_steps import open_draft
from tests.browser_steps import post_tap

FROM = re.compile(r'data-undo-time-from="(\d+)"')


@pytest.fixture
def chart(login_as, make_patient):
    patient = make_patient(affected_side="right")
    injector = login_as(Role.INJECTOR)
    return injector, open_draft(injector, patient.id)


def _earlier(minutes: int) -> str:
    moment = datetime.now(ZoneInfo("Europe/London")) - timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M")


def _time_from(browser, session_id: int) -> list[str]:
    return FROM.findall(browser.get(f"/sessions/{session_id}").get_data(as_text=True))


def test_the_chart_names_the_version_its_time_alone_moved_from(chart):
    browser, session_id = chart
    assert (
        post_tap(browser, session_id, "mentalis", "right", version=1).status_code == 201
    )
    assert _time_from(browser, session_id) == []
    saved = browser.post_form(
        f"/sessions/{session_id}/time", {"version": "2", "performed_at": _earlier(30)}
    )
    assert saved.status_code == 302
    assert _time_from(browser, session_id) == ["2"]
    # Said once: a later reload finds the history kept at the new version.
    assert _time_from(browser, session_id) == []


def test_a_refused_time_or_a_change_since_is_not_named(chart):
    browser, session_id = chart
    # A stale version: the time is refused, nothing moved by it.
    stale = browser.post_form(
        f"/sessions/{session_id}/time", {"version": "5", "performed_at": _earlier(30)}
    )
    assert stale.status_code == 302
    assert _time_from(browser, session_id) == []
    # A time in the future: refused with the form, at the same version.
    future = browser.post_form(
        f"/sessions/{session_id}/time",
        {"version": "1", "performed_at": "2999-01-01T09:00"},
    )
    assert future.status_code == 400
    assert FROM.findall(future.get_data(as_text=True)) == []
    # The time moved 1 to 2, then a tap moved 2 to 3 before the chart was shown.
    saved = browser.post_form(
        f"/sessions/{session_id}/time", {"version": "1", "performed_at": _earlier(30)}
    )
    assert saved.status_code == 302
    assert (
        post_tap(browser, session_id, "mentalis", "right", version=2).status_code == 201
    )
    assert _time_from(browser, session_id) == []
