"""A live planner on a migrated SQLite file, and Debian's Chromium driven by Playwright.

Nothing here downloads a browser: Chromium is the system's (``PLANNER_CHROMIUM``,
default /usr/bin/chromium). pytest-playwright is installed and registers fixtures
called ``playwright``, ``browser``, ``context``, ``page`` and ``base_url``, and
tests/conftest.py has its own ``browser``; the fixtures below use other names so
none of those is touched or overridden.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import pytest
from playwright.sync_api import Browser as PlaywrightBrowser
from playwright.sync_api import BrowserContext
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import Page
from playwright.sync_api import Request
from playwright.sync_api import Response
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from sqlmodel import Session
from werkzeug.serving import make_server

from planner import create_app
from planner.db import build_engine
from planner.db import get_engine
from planner.migrate import upgrade_database
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse
    from _typeshed.wsgi import WSGIApplication
    from _typeshed.wsgi import WSGIEnvironment

CHROMIUM = os.environ.get("PLANNER_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A tablet in landscape, as used at the chair.
TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Generous for a loaded 2-core CI machine; expect() retries until then, no sleeps.
expect.set_options(timeout=10_000)

CALL_FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[pytest.TestReport]:
    """Note whether the test body failed, for the failure screenshot."""
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[CALL_FAILED] = report.failed
    return report


@dataclass(frozen=True)
class E2EUser:
    email: str
    password: str
    name: str


@dataclass
class LiveServer:
    """The running app: its base URL, its login, and errors it logged."""

    url: str
    user: E2EUser
    errors: list[str] = field(default_factory=list)
    database_url: str = ""
    # The injector's login cookies, once a test of the module has logged in
    # through the form (``enter_logged_in``).
    login_cookies: list[Any] = field(default_factory=list)
    # The clinic's time zone, for finding what a page offers on the clinic's day.
    clinic_zone: str = "Europe/London"


class _ErrorCollector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(level=logging.ERROR)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@pytest.fixture(scope="module")
def e2e_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """Serve a real app on 127.0.0.1 from a migrated SQLite file.

    One per test module: modules run in any order and on any xdist worker, so
    none may see the patients, users or stock another module created.
    """
    with serve_app(tmp_path_factory) as live:
        yield live


def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file migrated to head with the catalogue, made once per worker.

    Migrating takes most of a second; each module's server starts on a copy.
    """
    template = tmp_path_factory.getbasetemp() / "migrated-template.db"
    if not template.exists():
        building = template.with_name("migrated-template.building.db")
        engine = build_engine(f"sqlite:///{building}")
        try:
            upgrade_database(engine)
            with Session(engine) as session:
                load_catalogue(session)
        finally:
            engine.dispose()
        building.replace(template)
    return template


@contextmanager
def serve_app(
    tmp_path_factory: pytest.TempPathFactory, **config: Any
) -> Iterator[LiveServer]:
    """Serve the app as ``e2e_server`` does, with ``config`` added to its settings."""
    root = tmp_path_factory.mktemp("e2e")
    url = f"sqlite:///{root / 'planner.db'}"
    user = E2EUser(
        email="e2e.injector@example.org",
        password="tablet at the chair 2024",
        name="Eve Injector",
    )
    shutil.copyfile(migrated_template(tmp_path_factory), root / "planner.db")
    engine = build_engine(url)
    try:
        with Session(engine) as session:
            create_user(
                session,
                SYSTEM,
                email=user.email,
                name=user.name,
                role="injector",
                password=user.password,
            )
    finally:
        engine.dispose()

    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "e2e",
            "TESTING": False,
            "PASSWORD_HASHING": "fast-for-tests",
            **config,
        }
    )
    app.instance_path = str(root / "instance")
    live = LiveServer(
        url="",
        user=user,
        database_url=url,
        clinic_zone=app.config["CLINIC_TIMEZONE"],
    )
    collector = _ErrorCollector(live.errors)
    app.logger.addHandler(collector)

    server = make_server("127.0.0.1", 0, _closing(app), threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name="e2e-server", daemon=True
    )
    thread.start()
    live.url = f"http://127.0.0.1:{server.server_port}"
    try:
        yield live
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        app.logger.removeHandler(collector)
        get_engine(app).dispose()


def _closing(app: WSGIApplication) -> WSGIApplication:
    """The app, with every answer's body closed as soon as it has been sent.

    werkzeug's development server closes a body only after draining the socket,
    and a browser that drops a connection (a page left while its stylesheet was
    still loading) makes that drain raise first: the static file stays open and
    turns into a ResourceWarning in whichever test is running when it is
    collected. Here the body closes itself when it ends, or when it is dropped.
    """

    def closing(
        environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterator[bytes]:
        body = app(environ, start_response)
        try:
            yield from body
        finally:
            close = getattr(body, "close", None)
            if close is not None:
                close()

    return closing


@pytest.fixture(scope="session")
def e2e_chromium() -> Iterator[PlaywrightBrowser]:
    """Debian's headless Chromium; never a browser Playwright downloads."""
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM} (install Debian's chromium package)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


LOGIN_PAGE = re.compile(r"/login(\?|$)")


def log_in(page: Page, server: LiveServer, email: str = "", password: str = "") -> None:
    """Log in through the form (as the server's injector unless told otherwise)
    and wait until the app has answered, so the next navigation cannot abort it."""
    page.goto(f"{server.url}/login")
    page.get_by_label("Email").fill(email or server.user.email)
    page.get_by_label("Password").fill(password or server.user.password)
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(LOGIN_PAGE)


def enter_logged_in(page: Page, server: LiveServer) -> None:
    """Open the home page as the server's injector, a tablet already logged in.

    The first test of a module logs in through the form; later ones give their
    new browser context that login's cookies, saving a page load and a password
    check a test. Should the login have ended (a test logged out, an admin
    ended it), the form is used again.
    """
    if server.login_cookies:
        page.context.add_cookies(server.login_cookies)
        page.goto(server.url)
        if not LOGIN_PAGE.search(page.url):
            return
    else:
        page.goto(server.url)
    log_in(page, server)
    server.login_cookies = page.context.cookies()


def give_treatment_consent(server: LiveServer, patient_id: int) -> None:
    """Record the patient's treatment consent (typed), witnessed by the server's
    injector, straight into the live database: signing a chart needs it."""
    from sqlmodel import select

    from planner.db_types import utc_now
    from planner.models import User
    from planner.services.audit import Actor
    from tests.factories import give_consent

    engine = build_engine(server.database_url)
    try:
        with Session(engine) as session:
            user = session.exec(
                select(User).where(User.email == server.user.email)
            ).one()
            actor = Actor(user_id=user.id, email=user.email)
            give_consent(session, actor, patient_id, when=utc_now())
    finally:
        engine.dispose()


@dataclass
class PageProblems:
    """What went wrong while a test drove the page, server side included."""

    server: LiveServer
    seen: list[str] = field(default_factory=list)

    def all(self) -> list[str]:
        return self.seen + [f"server logged: {line}" for line in self.server.errors]


@pytest.fixture
def page_problems(e2e_server: LiveServer) -> PageProblems:
    """Console errors (CSP violations among them), page errors, failed or 5xx
    requests, and the app's own error log lines; tests assert ``.all() == []``."""
    e2e_server.errors.clear()
    return PageProblems(e2e_server)


@pytest.fixture
def phone(
    e2e_chromium: PlaywrightBrowser, page_problems: PageProblems
) -> Iterator[Page]:
    """A fresh phone-sized, touch context (the patient's diary) and one page in it."""
    context = e2e_chromium.new_context(**PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda error: page_problems.seen.append(str(error)))
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="module")
def tablet_context(e2e_chromium: PlaywrightBrowser) -> Iterator[BrowserContext]:
    """The tablet-sized context a module's tests open their pages in.

    A new context for every test cost about a second of Chromium's CPU (a new
    renderer, every script compiled and every static file fetched again), a
    fifth of what an e2e test costs on CI. Each test still starts as a new
    tablet would: no cookies, no other page open, online (``start_afresh``);
    the app keeps nothing else in the browser but the chart's undo history, in
    sessionStorage, which belongs to the page.
    """
    context = e2e_chromium.new_context(**TABLET)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        context.close()


def start_afresh(context: BrowserContext) -> None:
    """Leave the context as a new one: no pages, no cookies, no permissions, online."""
    for page in context.pages:
        page.close()
    context.clear_cookies()
    context.clear_permissions()
    context.set_offline(False)


@pytest.fixture
def chromium_page(
    request: pytest.FixtureRequest,
    tablet_context: BrowserContext,
    e2e_server: LiveServer,
    page_problems: PageProblems,
) -> Iterator[Page]:
    """A new page on a tablet with no cookies (see ``tablet_context``).

    When the test fails, the page as it was is saved to test-artifacts/.
    """
    context = tablet_context
    start_afresh(context)
    page = context.new_page()

    # A page the app answers with 4xx on purpose (a form with errors is a 400)
    # makes Chromium log "Failed to load resource"; that is not a fault. Any other
    # resource failing (a stylesheet, a script) is. Browsers ask for /favicon.ico
    # on their own and the app has none: its 404 is noise, not a page fault.
    expected_4xx: set[str] = set()

    def ignorable(url: str) -> bool:
        return url in expected_4xx or url.split("?")[0].endswith("/favicon.ico")

    def on_response(response: Response) -> None:
        status, url = response.status, response.url
        if status >= 500:
            page_problems.seen.append(f"HTTP {status} for {url}")
        elif status >= 400:
            if response.request.resource_type == "document":
                expected_4xx.add(url)
            elif not ignorable(url):
                page_problems.seen.append(f"HTTP {status} for {url}")

    def on_console(message: ConsoleMessage) -> None:
        # CSP violations reach the console as errors ("Refused to ...").
        if message.type not in ("error", "warning"):
            return
        source = message.location.get("url", "")
        if message.text.startswith("Failed to load resource") and ignorable(source):
            return
        page_problems.seen.append(f"console {message.type}: {message.text} ({source})")

    def on_page_error(error: Exception) -> None:
        page_problems.seen.append(f"page error: {error}")

    def on_request_failed(request: Request) -> None:
        # A navigation cancels the previous page's loads still in flight (an icon,
        # say); that is the browser moving on, not a failure of the app.
        if (
            request.failure == "net::ERR_ABORTED"
            and request.resource_type != "document"
        ):
            return
        page_problems.seen.append(f"request failed: {request.url} ({request.failure})")

    # The response handler must run before the console one for the same load.
    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("requestfailed", on_request_failed)
    try:
        yield page
        if request.node.stash.get(CALL_FAILED, False):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
            page.screenshot(path=str(ARTIFACTS / f"failed-{name}.png"), full_page=True)
    finally:
        start_afresh(context)
