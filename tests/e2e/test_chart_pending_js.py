"""The chart's tasks for review rJ, unit-tested in Chromium (STYLE B.6a).

As tests/e2e/test_chart_modules_js.py does, a small page (tests/js/chart_pending.html)
imports the modules from static/js/chart/ under the app's CSP and runs the tests
in tests/js/chart_pending.test.js one by one: a second tap on a site still being
saved (RJ1), and undo putting back a site with no dose as it was (RJ2), for
Dysport (the modules take the product only from the fake chart).
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page

from tests.e2e.test_chart_modules_js import ORIGIN
from tests.e2e.test_chart_modules_js import _serve
from tests.e2e.test_chart_modules_js import run

pytestmark = [pytest.mark.e2e]

PAGE = f"{ORIGIN}/tests/js/chart_pending.html"
# One product: tasks.js and undo.js never see it, only the page's fake chart does
# (per product: tests/services/test_chart_unset_restore.py, test_chart_pending_e2e).
PRODUCTS = ["dysport"]
UNIT_TESTS = [
    "map: a point within reach of a site being saved finds that create",
    *(
        f"{name} ({product})"
        for product in PRODUCTS
        for name in (
            "tasks: a second tap on a site being saved adds nothing and selects it",
            "undo: a deleted site with no dose comes back with none and its reason",
            "undo: a replacing copy puts back each removed site as it was",
            "undo: a deleted site comes back under its own number while it is free",
        )
    ),
    "undo: ids the database gives again are followed once, never in a loop",
]


@pytest.fixture(scope="module")
def test_context(e2e_chromium: Browser) -> Iterator[BrowserContext]:
    """One context for the module's pages: a new one a test cost a new renderer."""
    context = e2e_chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def test_page(test_context: BrowserContext) -> Iterator[Page]:
    """The test page, with page errors collected; none may happen.

    Each test has a page of its own, so nothing it left in the page (its
    sessionStorage, its listeners) reaches the next.
    """
    page = test_context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.route(f"{ORIGIN}/**", _serve)
    page.goto(PAGE)
    page.wait_for_function("window.testsReady === true")
    try:
        yield page
        assert errors == []
    finally:
        page.close()


def test_the_page_runs_exactly_the_listed_tests(test_page: Page) -> None:
    assert sorted(test_page.evaluate("window.testNames")) == sorted(UNIT_TESTS)


@pytest.mark.parametrize("name", UNIT_TESTS)
def test_chart_task(test_page: Page, name: str) -> None:
    assert run(test_page, name) == "ok"
