"""An admin sets Dysport's own re-treatment close: real Chromium, the live server."""

import re

import pytest
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import PageProblems
from tests.e2e.conftest import log_in
from tests.e2e.test_settings_e2e import ADMIN_EMAIL
from tests.e2e.test_settings_e2e import ADMIN_PASSWORD
from tests.e2e.test_settings_e2e import add_admin

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LABEL = re.compile(r"^Value\W+Dysport: re-treatment window closes")


def test_an_admin_sets_dysports_close_and_is_told_why_a_value_is_refused(
    chromium_page: Page, e2e_server: LiveServer, page_problems: PageProblems
) -> None:
    add_admin(e2e_server)
    page = chromium_page
    # Waits for the login's answer: going on at once aborted its redirect.
    log_in(page, e2e_server, ADMIN_EMAIL, ADMIN_PASSWORD)
    page.goto(f"{e2e_server.url}/settings/")
    row = page.locator("#setting-retreat_window_end_weeks-dysport")
    expect(row).to_contain_text("Clinic setting — not a sourced fact")
    expect(row).to_contain_text("12 to 30 weeks; blank: the clinic-wide value")

    page.get_by_role("textbox", name=LABEL).fill("31")
    row.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Dysport: re-treatment window closes, weeks (blank: the clinic-wide "
        "close): value must be between 12 and 30 weeks"
    )
    page.locator(
        "#setting-retreat_window_end_weeks-dysport"
    ).scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "settings-product-close-error.png"))

    page.get_by_role("textbox", name=LABEL).fill("20")
    page.locator("#setting-retreat_window_end_weeks-dysport").get_by_role(
        "button", name=re.compile("^Save")
    ).click()
    expect(page.locator(".flashes")).to_contain_text(
        "Saved: Dysport: re-treatment window closes"
    )
    saved = page.locator("#setting-retreat_window_end_weeks-dysport")
    expect(saved.get_by_role("textbox")).to_have_value("20")
    saved.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "settings-product-close.png"))
    # The refused value answered 400, as it should; nothing else went wrong.
    problems = [p for p in page_problems.all() if "400" not in p]
    assert problems == []
