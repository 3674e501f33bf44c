"""The chart's JavaScript modules, unit-tested in Debian's Chromium (STYLE B.6a).

A small test page (tests/js/chart_modules.html) imports the modules from
static/js/chart/ directly, served by Playwright's router under the app's strict
CSP, and runs the tests in tests/js/chart_modules.test.js one by one: the sync
queue (offline, retry, 409), undo history across a real reload, and the keypad.
The test pages share their assertions and runner (tests/js/helpers.js).
"""

import mimetypes
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import Route

from planner.access import CSP

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "http://chart-modules.test"
PAGE = f"{ORIGIN}/tests/js/chart_modules.html"
SERVED = {"static": ROOT / "static", "tests/js": ROOT / "tests" / "js"}
UNIT_TESTS = [
    "sync: offline, the change is queued, retried, then saved once back",
    "sync: a 5xx or a logged-out 401 is retried, never dropped",
    "sync: a 409 is surfaced; new sites go again, other changes are dropped",
    "sync: a 409 for a session signed elsewhere drops every change, says signed",
    "sync: a 409 for a change saved after all is not reported as lost",
    "sync: a refusal (400) is reported and not retried",
    "undo: stepper presses close together undo as one, to the first dose",
    "undo: saved history holds ids, points and doses only, never a name",
    "undo: history kept over a treatment-time change only, never over another change",
    "keypad: doses are checked as the server checks them",
    "keypad: each product's range is the server's, its steps its own",
    "keypad: placed clear of the row it edits, scrolling only as far as the page can",
    "keypad: keys build the number",
    "keypad: tapping keys and OK submits the dose",
    "keypad: a chip submits at once; a bad dose shows an error and stays open",
    "keypad: cancel submits nothing and gives focus back",
    "keyboard: arrow keys step the crosshair, Shift five steps, kept on the drawing",
    "prefill: the preview names each site, its dose or why not, and what is left out",
    "undo: a replacing copy keeps the removed sites' points and doses to put back",
    "undo: a deleted site keeps the id of the vial it was drawn from, to put back",
    "review: sites without a dose come first and signing is not ready",
    "review: a check in caution zones names each zone with its source",
    "review: a zone's source keeps its own brackets and is never put in more",
    'review: each check needing nothing is its own item, whatever "; " it holds',
    "review: a reason box copied to the sheet keeps its label in words, never its key",
    "review: a refusal names a field by the server's label, else by its name",
    "review: a signature on a changed chart says so, and that nothing was signed",
    "rows: a site's flag names its caution zone, or counts and names its zones",
    "keypad: names the dose it replaces; chips are a labelled group above the display",
    "tasks: a deletion is worded 'Site N deleted: …', never in brackets",
]
# Run by the tests below, around a reload or with the real keyboard.
DRIVEN = [
    "undo: before a reload, history is saved in sessionStorage",
    "undo: after a reload, the same chart version gets its history back",
    "keypad: open for the keyboard test",
]


def _serve(route: Route) -> None:
    path = route.request.url.removeprefix(ORIGIN + "/").split("?")[0]
    for prefix, folder in SERVED.items():
        if path.startswith(prefix + "/"):
            file = (folder / path.removeprefix(prefix + "/")).resolve()
            if file.is_relative_to(folder) and file.is_file():
                kind = mimetypes.guess_type(file.name)[0] or "text/plain"
                if file.suffix == ".js":
                    kind = "text/javascript"
                route.fulfill(
                    status=200,
                    body=file.read_bytes(),
                    headers={
                        "Content-Type": kind,
                        "Content-Security-Policy": CSP,
                    },
                )
                return
    route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def test_context(e2e_chromium: Browser) -> Iterator[BrowserContext]:
    """One context for the module's pages: a new one a test cost a new renderer."""
    context = e2e_chromium.new_context(
        viewport={"width": 1024, "height": 768}, has_touch=True
    )
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def test_page(test_context: BrowserContext) -> Iterator[Page]:
    """The module test page, with page errors collected; none may happen.

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
    open_test_page(page)
    try:
        yield page
        assert errors == []
    finally:
        page.close()


def open_test_page(page: Page) -> None:
    page.goto(PAGE)
    page.wait_for_function("window.testsReady === true")


def run(page: Page, name: str) -> str:
    result: str = page.evaluate("name => window.runTest(name)", name)
    return result


def test_the_page_runs_exactly_the_listed_tests(test_page: Page) -> None:
    assert sorted(test_page.evaluate("window.testNames")) == sorted(UNIT_TESTS + DRIVEN)


@pytest.mark.parametrize("name", UNIT_TESTS)
def test_chart_module(test_page: Page, name: str) -> None:
    assert run(test_page, name) == "ok"


def test_undo_history_survives_a_reload(test_page: Page) -> None:
    assert run(test_page, DRIVEN[0]) == "ok"
    test_page.reload()
    test_page.wait_for_function("window.testsReady === true")
    assert run(test_page, DRIVEN[1]) == "ok"


def test_the_keypad_works_from_the_keyboard_with_big_keys(test_page: Page) -> None:
    page = test_page
    assert run(page, DRIVEN[2]) == "ok"
    dialog = page.get_by_role("dialog", name="Dose")
    assert dialog.is_visible()
    for button in dialog.get_by_role("button").all():
        box = button.bounding_box()
        assert box is not None
        assert min(box["width"], box["height"]) >= 44, button.inner_text()
    page.keyboard.type("1,5")
    page.keyboard.press("Backspace")
    page.keyboard.type("75")
    assert page.locator("#keypad-value").inner_text() == "1.75 U"
    page.keyboard.press("Enter")
    assert page.evaluate("window.keyboardResult") == [1.75]
    assert page.evaluate("document.activeElement.id") == "opener"
    # Again, then Escape: nothing is submitted.
    assert run(page, DRIVEN[2]) == "ok"
    page.keyboard.type("9")
    page.keyboard.press("Escape")
    assert page.evaluate("window.keyboardResult") == ["cancel"]
    assert not dialog.is_visible()
