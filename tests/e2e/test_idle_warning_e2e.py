"""The warning before the idle logout (WCAG 2.2.1), on a server that times out fast.

The login ends after 9 quiet seconds here (the clinic's is 30 minutes) and the
page warns 6 seconds before: a modal dialog with the time left and "Stay signed
in", which starts the spell again. Left alone, the page goes to the login page
saying why. The page's own questions about the time left do not count as
activity, or the login would never end.
"""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.conftest import serve_app
from tests.e2e.page_checks import REFLOW
from tests.e2e.page_checks import REFLOW_SCRIPT
from tests.e2e.page_checks import check_axe

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

IDLE_SECONDS = 9
WARN_SECONDS = 6


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with serve_app(
        tmp_path_factory,
        IDLE_TIMEOUT_MINUTES=IDLE_SECONDS / 60,
        IDLE_WARNING_SECONDS=WARN_SECONDS,
    ) as live:
        yield live


def seconds_left(page: Page, server: LiveServer) -> int:
    response = page.request.get(f"{server.url}/session/time-left")
    assert response.ok
    left: int = response.json()["seconds_left"]
    return left


def test_the_page_warns_before_the_idle_logout_and_stays_signed_in_on_request(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    page.goto(f"{e2e_server.url}/patients/")
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_hidden()

    # Warned before the end, with the time left, the button focused and the
    # page behind it inert (a modal dialog).
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(dialog).to_contain_text(re.compile(r"logged out in \d+ seconds?"))
    stay = dialog.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_focused()
    assert 0 < seconds_left(page, e2e_server) <= WARN_SECONDS
    check_axe(page, "idle warning")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "idle-warning-1024.png"))
    page.set_viewport_size(REFLOW)
    assert page.evaluate(REFLOW_SCRIPT) == []
    page.screenshot(path=str(ARTIFACTS / "idle-warning-320.png"))
    page.set_viewport_size({"width": 1024, "height": 768})

    stay.click()
    expect(dialog).to_be_hidden()
    assert seconds_left(page, e2e_server) > WARN_SECONDS
    expect(page).to_have_url(re.compile(r"/patients/$"))

    # Warned again; Escape keeps the login too (someone is at the screen).
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert seconds_left(page, e2e_server) > WARN_SECONDS

    # Left alone: warned, then logged out, and told why.
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    expect(page).to_have_url(re.compile(r"/login\?next="), timeout=IDLE_SECONDS * 1000)
    expect(page.get_by_role("status")).to_contain_text(
        "You were logged out after a period of inactivity."
    )
    assert seconds_left(page, e2e_server) == 0
    assert page_problems.all() == []


def test_the_warning_offers_to_log_out_now(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    page = chromium_page
    log_in(page, e2e_server)
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_visible(timeout=IDLE_SECONDS * 1000)
    dialog.get_by_role("button", name="Log out now").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(dialog).to_have_count(0)
    assert seconds_left(page, e2e_server) == 0
    assert page_problems.all() == []
