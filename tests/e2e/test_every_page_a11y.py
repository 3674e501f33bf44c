"""Every page of the app, in real Chromium: axe-core and reflow (issue 15, item 10).

The pages come from the app's own URL map, so a new page cannot be missed: every
GET route needs a target below (``targets()`` gives the ids of one seeded
patient's records), and a route that answers with something other than an HTML page (a
PDF, a CSV, JSON, a photo, a calendar) must be named in ``NOT_PAGES``; the test
fails on any route in neither list, and on any listed one that turned into a page.

Each HTML page is checked as the role that uses it (an injector where it may,
else an admin, else staff), and the pages whose content differs by role as every
role that may open them:

* axe-core, WCAG 2.0/2.1 A and AA and 2.2 AA, zero violations at 1024×768 (the
  tablet); at 1440×900 (a desk) the rules a wider window can change (contrast over
  what overlaps, target sizes, scrolling boxes: ``LAYOUT_RULES``), since nothing
  shows or hides between the two widths;
* reflow (1.4.10) at 320 CSS px, and at 512 (the tablet at 200 % zoom): the page
  never scrolls sideways. 1280 px at 400 % zoom is the same 320 CSS px, so one
  width checks both. A wide table may scroll inside its own box, which 1.4.10
  allows; such a box must then be reachable by keyboard (``tabindex="0"``) and
  named.

One load per page and role: the page is checked at each width by resizing it.
The self-entry kiosk is reached through its form, last, since it locks the login.
"""

import re
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import expect

from planner import create_app
from planner.access import allowed_roles
from planner.db import get_engine
from planner.models import Role
from tests.e2e.a11y_seed import Seeded
from tests.e2e.a11y_seed import seed_patient
from tests.e2e.a11y_seed import targets
from tests.e2e.conftest import ARTIFACTS
from tests.e2e.conftest import LiveServer
from tests.e2e.conftest import log_in
from tests.e2e.page_checks import AXE_RUN
from tests.e2e.page_checks import EVERY_RULE
from tests.e2e.page_checks import LAYOUT_RULES
from tests.e2e.page_checks import REFLOW
from tests.e2e.page_checks import REFLOW_SCRIPT
from tests.e2e.page_checks import ZOOMED

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROLE_ORDER = (Role.INJECTOR, Role.ADMIN, Role.STAFF)
# Pages whose content or menu differs by role: checked as every role that may open them.
ROLE_VARIANTS = frozenset(
    {
        "home.index",
        "patients.index",
        "patients.detail",
        "sessions.chart",
        "schedule.worklist",
        "stock.index",
        "outcomes.cycles",
    }
)
# GET routes that answer with a file or data, not a page, and why they are skipped.
NOT_PAGES = {
    "api.get_patient": "application/json",
    "api.list_patients": "application/json",
    "api.me": "application/json",
    "api_docs.openapi_document": "application/json",
    "auth.time_left": "application/json",
    "chart_api.get_chart": "application/json",
    "chart_api.preview_copy_last": "application/json",
    "chart_api.preview_template": "application/json",
    "consent.pdf": "application/pdf",
    "exports.download": "text/csv",
    "fhir.all_bundles": "application/fhir+ndjson",
    "fhir.patient_bundle": "application/fhir+json",
    "health.healthz": "application/json",
    "outcomes_api.cycles": "application/json",
    "photos.archive": "application/zip",
    "photos.image": "image/jpeg",
    "reports.comparison_pdf": "application/pdf",
    "reports.handout_pdf": "application/pdf",
    "reports.record_pdf": "application/pdf",
    "reports_api.comparison_pdf": "application/pdf",
    "reports_api.handout_pdf": "application/pdf",
    "reports_api.record_pdf": "application/pdf",
    "schedule.appointment_ics": "text/calendar",
    "schedule.feed": "text/calendar",
    "static": "text/css",
    "stock.recall_csv": "text/csv",
    "stock.report_csv": "text/csv",
    # HTML, but a fragment the chart swaps into its page, not a page of its own.
    "sessions.panels": "text/html fragment",
}
# Visits that answer with something other than the page, on purpose.
NOT_OK = {"/ as staff": "302 /schedule/"}
# Reached only through a form, last: the kiosk locks the login to the patient's pages.
KIOSK = "outcomes.self_entry"
VIEWPORTS = {
    "tablet-1024x768": {"width": 1024, "height": 768},
    "desk-1440x900": {"width": 1440, "height": 900},
}
# What axe runs at each width: every rule on the tablet, the layout rules on a desk.
CHECKED_AT = {
    "tablet-1024x768": EVERY_RULE,
    "desk-1440x900": {"type": "rule", "values": LAYOUT_RULES},
}


@dataclass(frozen=True)
class Visit:
    endpoint: str
    role: Role
    path: str

    @property
    def name(self) -> str:
        return f"{self.path} as {self.role.value}"


@pytest.fixture(scope="module")
def seeded(e2e_server: LiveServer) -> Seeded:
    return seed_patient(e2e_server)


@dataclass
class Sweep:
    """The pages to check, and what the URL map's other GET routes turned out to be."""

    pages: list[Visit]
    public: list[Visit]
    not_pages: dict[str, str]
    untargeted: list[str]
    # Visits answered with anything but 200 (a redirect, say), and what it was.
    others: dict[str, str]
    logins: dict[Role, tuple[str, str]]


@pytest.fixture(scope="module")
def sweep(
    e2e_server: LiveServer, seeded: Seeded, e2e_chromium: PlaywrightBrowser
) -> Sweep:
    """Enumerate the GET routes, and sort them into pages and files by asking."""
    app = create_app({"DATABASE_URL": e2e_server.database_url, "SECRET_KEY": "x"})
    chosen = targets(seeded)
    visits: list[Visit] = []
    public: list[Visit] = []
    untargeted: list[str] = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in (rule.methods or ()):
                continue
            endpoint = rule.endpoint
            if endpoint == KIOSK:
                continue  # visited last, through its form (visit_all)
            if rule.arguments and endpoint not in chosen:
                untargeted.append(endpoint)
                continue
            for arguments in chosen.get(endpoint, [{}]):
                path = url_for(endpoint, **arguments)
                if endpoint.startswith("diary.") or endpoint == "auth.login":
                    public.append(Visit(endpoint, Role.INJECTOR, path))
                    continue
                roles = allowed_roles(endpoint) if endpoint != "static" else set(Role)
                if endpoint in ROLE_VARIANTS:
                    chosen_roles = [r for r in ROLE_ORDER if r in roles]
                else:
                    chosen_roles = [next(r for r in ROLE_ORDER if r in roles)]
                visits.extend(Visit(endpoint, r, path) for r in chosen_roles)
    get_engine(app).dispose()

    pages: list[Visit] = []
    not_pages: dict[str, str] = {}
    others: dict[str, str] = {}
    contexts = logged_in_contexts(e2e_chromium, e2e_server, seeded.logins, {})
    try:
        for visit in visits:
            response = contexts[visit.role].request.get(
                e2e_server.url + visit.path, max_redirects=0
            )
            kind = response.headers.get("content-type", "").split(";")[0]
            if response.status != 200:
                others[visit.name] = (
                    f"{response.status} {response.headers.get('location', '')}"
                )
                continue
            body = response.text() if kind == "text/html" else ""
            if kind == "text/html" and body.lstrip().lower().startswith("<!doctype"):
                pages.append(visit)
            else:
                not_pages[visit.endpoint] = (
                    "text/html fragment" if kind == "text/html" else kind
                )
    finally:
        for context in contexts.values():
            context.close()
    return Sweep(pages, public, not_pages, untargeted, others, seeded.logins)


def logged_in_contexts(
    chromium: PlaywrightBrowser,
    server: LiveServer,
    logins: dict[Role, tuple[str, str]],
    options: dict[str, Any],
) -> dict[Role, BrowserContext]:
    """Open one context per role, each logged in."""
    contexts: dict[Role, BrowserContext] = {}
    for role, (email, password) in logins.items():
        context = chromium.new_context(**options)
        context.set_default_timeout(15_000)
        page = context.new_page()
        log_in(page, server, email, password)
        page.close()
        contexts[role] = context
    return contexts


def test_every_get_route_is_a_page_or_a_known_file(sweep: Sweep) -> None:
    assert sweep.untargeted == [], "give these routes a target in targets()"
    assert (sweep.not_pages, sweep.others) == (NOT_PAGES, NOT_OK)
    endpoints = {visit.endpoint for visit in sweep.pages + sweep.public}
    assert len(endpoints) > 40


SHOTS = {
    "home.index": "home",
    "patients.detail": "patient",
    "users.new": "user-form",
    "stock.receive_form": "stock-receive",
    "sessions.new": "session-form",
    "sessions.chart": "chart",
}

Problems = list[tuple[str, list[str]]]


@dataclass
class Findings:
    """What the checks found, page by page (pages with nothing found are left out)."""

    axe: dict[str, Problems] = field(default_factory=dict)
    reflow: Problems = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str, shot: str | None = None) -> None:
        """Run axe at each viewport (``CHECKED_AT``), then measure reflow at 512
        and 320 CSS px."""
        self.checked.append(name)
        page.evaluate(AXE_SOURCE)
        for viewport, size in VIEWPORTS.items():
            page.set_viewport_size(size)
            violations: list[str] = page.evaluate(AXE_RUN, CHECKED_AT[viewport])
            if violations:
                self.axe.setdefault(viewport, []).append((name, violations))
        # The tablet at 200 % zoom first, then the narrowest width.
        for size in (ZOOMED, REFLOW):
            page.set_viewport_size(size)
            overflow: list[str] = page.evaluate(REFLOW_SCRIPT)
            if overflow:
                self.reflow.append((f"{name} at {size['width']} px", overflow))
        if shot:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / f"reflow-320-{shot}.png"), full_page=True
            )
        page.set_viewport_size(VIEWPORTS["tablet-1024x768"])


AXE_SOURCE = Axe().axe_script


@pytest.fixture(scope="module")
def findings(
    sweep: Sweep, e2e_server: LiveServer, e2e_chromium: PlaywrightBrowser
) -> Findings:
    """Open every page once (the public ones before logging in) and check it.

    One load per page and role: the page is checked at each width in turn by
    resizing it, which is what a window being resized does.
    """
    found = Findings()
    shots = dict(SHOTS)
    options = {"viewport": VIEWPORTS["tablet-1024x768"], "has_touch": True}
    url = e2e_server.url
    anonymous = e2e_chromium.new_context(**options)
    try:
        page = anonymous.new_page()
        for visit in sweep.public:
            page.goto(url + visit.path)
            found.check(page, f"{visit.path} (not logged in)")
    finally:
        anonymous.close()
    contexts = logged_in_contexts(e2e_chromium, e2e_server, sweep.logins, options)
    try:
        pages = {role: context.new_page() for role, context in contexts.items()}
        for visit in sweep.pages:
            page = pages[visit.role]
            response = page.goto(url + visit.path)
            assert response is not None
            assert response.ok, (visit.name, response.status)
            # A screenshot at 320 px of a few pages, as the first role sees them.
            shot = shots.pop(visit.endpoint, None)
            found.check(page, visit.name, shot and f"{shot}-{visit.role.value}")
        # The kiosk locks the login to the patient's pages: it comes last.
        page = pages[Role.INJECTOR]
        page.goto(f"{url}/patients/{first_patient(sweep)}/self-entry/new")
        page.get_by_role("button", name="Hand over the tablet").click()
        expect(page).to_have_url(re.compile(r"/self-entry$"))
        page.wait_for_load_state("load")  # its stylesheet applied before axe runs
        found.check(page, "/self-entry (the patient's kiosk)")
    finally:
        for context in contexts.values():
            context.close()
    return found


def first_patient(sweep: Sweep) -> str:
    detail = next(v for v in sweep.pages if v.endpoint == "patients.detail")
    return detail.path.rsplit("/", 1)[1]


def report(found: Problems) -> str:
    lines = []
    for name, problems in found:
        lines.append(name)
        lines.extend(f"  {problem}" for problem in problems)
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", list(VIEWPORTS), ids=list(VIEWPORTS))
def test_axe_finds_nothing_on_any_page(viewport: str, findings: Findings) -> None:
    assert len(findings.checked) > 60
    assert findings.axe.get(viewport, []) == [], report(findings.axe[viewport])


def test_no_page_scrolls_sideways_at_320_or_512_css_px(findings: Findings) -> None:
    assert findings.reflow == [], report(findings.reflow)


def test_the_menu_folds_behind_a_button_at_320_css_px(
    sweep: Sweep, e2e_server: LiveServer, e2e_chromium: PlaywrightBrowser
) -> None:
    admin = {Role.ADMIN: sweep.logins[Role.ADMIN]}
    options = {"viewport": REFLOW, "has_touch": True}
    context = logged_in_contexts(e2e_chromium, e2e_server, admin, options)[Role.ADMIN]
    try:
        page = context.new_page()
        page.goto(f"{e2e_server.url}/patients/")
        nav = page.get_by_role("navigation", name="Main")
        menu = nav.get_by_role("button", name="Menu")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(nav.get_by_role("link", name="Audit trail")).to_be_hidden()
        menu.tap()
        expect(menu).to_have_attribute("aria-expanded", "true")
        for name in ("Today", "Patients", "Settings", "Audit trail", "Research export"):
            link = nav.get_by_role("link", name=name)
            expect(link).to_be_visible()
            box = link.bounding_box()
            assert box is not None
            assert box["height"] >= 44
            assert box["x"] + box["width"] <= 320
        assert page.evaluate(REFLOW_SCRIPT) == []
        page.screenshot(path=str(ARTIFACTS / "reflow-320-menu-open.png"))
        page.keyboard.press("Escape")
        expect(menu).to_have_attribute("aria-expanded", "false")
        expect(menu).to_be_focused()
        page.set_viewport_size(VIEWPORTS["tablet-1024x768"])
        expect(menu).to_be_hidden()
        expect(nav.get_by_role("link", name="Audit trail")).to_be_visible()
    finally:
        context.close()
