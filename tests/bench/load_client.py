"""The load benchmark's second process: simulated tablets and staff over HTTP.

tests/bench/load.py runs it as ``python -m tests.bench.load_client PLAN OUT``
against a gunicorn it started. PLAN (JSON) names the server, the window, each
client's login and work; OUT receives every request as [kind, status,
milliseconds, seconds into the window, outcome, detail].

Each client is a thread with its own cookie jar and CSRF token, logging in as
the real pages do. A tablet opens a draft session for its own patient, then
loops: open the chart page, and make a few changes through the chart's JSON API
(place a site, change a dose, delete one), fetching the whole chart after each
as chart.js does once idle. Now and then it places a site on a neighbour's
chart, which is how real conflicts arise. A 409 is answered as chart.js
answers it: take the chart the server sent back and try again. Staff open the
worklist, search for patients and open a patient's page.

Outcomes: "ok", "conflict" (a 409 that was then retried) or "error": any 5xx,
connection error, timeout, unexpected status, or a conflict that retries did not
resolve. Only the standard library is used, so the process stays light.
"""

import contextlib
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass
from dataclasses import field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
CHART_STATE = re.compile(
    r'<script type="application/json" id="chart-state">(.*?)</script>', re.S
)
TIMEOUT_S = 30.0
SETUP_TIMEOUT_S = 180.0
CONFLICT_RETRIES = 3
CHANGES_PER_VISIT = 6
NEIGHBOUR_SHARE = 0.02
MAX_SITES = 12
# A new vial for each draft, as the "open session" form posts it.
VIAL = {
    "kind": "full",
    "product": "botox",
    "lot_choice": "new",
    "expiry_date": "2099-01-01",
    "vial_units": "100",
    "diluent_ml": "2.5",
    "reconstituted_at": "",
    "consent_obtained": "true",
}


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self) -> Any:
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Recorder:
    """Collect every request's outcome, with times relative to the window."""

    def __init__(self) -> None:
        self.samples: list[list[Any]] = []
        self.lock = threading.Lock()
        self.window_start: float | None = None

    def add(self, kind: str, status: int, ms: float, outcome: str, detail: str) -> None:
        at = None if self.window_start is None else time.monotonic() - self.window_start
        with self.lock:
            self.samples.append([kind, status, round(ms, 3), at, outcome, detail])


class Unexpected(Exception):
    """A request failed in a way that was recorded; the client starts over."""


class Browser:
    """One device: its own cookies and CSRF token, one connection per request.

    gunicorn's sync workers close every connection after the response, as
    ``make run`` serves, so there is no keep-alive to reuse.
    """

    def __init__(self, host: str, port: int, recorder: Recorder) -> None:
        self.host = host
        self.port = port
        self.recorder = recorder
        self.cookies: dict[str, str] = {}
        self.token = ""

    def send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> Reply:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=TIMEOUT_S)
        try:
            if self.cookies:
                headers = {
                    **headers,
                    "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
                }
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for raw in response.headers.get_all("Set-Cookie") or []:
            jar: SimpleCookie = SimpleCookie()
            jar.load(raw)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Reply(response.status, response.headers, data)

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        *,
        expect: tuple[int, ...] = (200,),
        form: dict[str, str] | None = None,
        payload: Any = None,
        conflict_ok: bool = False,
    ) -> Reply:
        """Send one request and record it; raise Unexpected if it went wrong."""
        headers = {"Accept": "application/json" if payload is not None else "*/*"}
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrf_token": self.token}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
            headers["X-CSRFToken"] = self.token
        started = time.perf_counter()
        try:
            reply = self.send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            ms = (time.perf_counter() - started) * 1000
            self.recorder.add(kind, 0, ms, "error", type(exc).__name__)
            raise Unexpected(kind) from exc
        ms = (time.perf_counter() - started) * 1000
        if reply.status in expect:
            self.recorder.add(kind, reply.status, ms, "ok", "")
            return reply
        if reply.status == 409 and conflict_ok:
            self.recorder.add(kind, reply.status, ms, "conflict", "")
            return reply
        self.recorder.add(kind, reply.status, ms, "error", describe(reply))
        raise Unexpected(kind)

    def take_token(self, reply: Reply) -> None:
        page = reply.text()
        found = CSRF_META.search(page) or CSRF_INPUT.search(page)
        if found is None:
            self.recorder.add("csrf token", reply.status, 0.0, "error", "no token")
            raise Unexpected("csrf token")
        self.token = found.group(1)

    def log_in(self, email: str, password: str) -> None:
        self.take_token(self.call("login", "GET", "/login"))
        self.call(
            "login",
            "POST",
            "/login",
            expect=(302,),
            form={"email": email, "password": password},
        )


def describe(reply: Reply) -> str:
    """Say what went wrong without echoing a page, which may hold patient data."""
    body = reply.json()
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return f"{reply.status}: {body['error'][:120]}"
    location = reply.headers.get("Location")
    if location:
        return f"{reply.status} to {urllib.parse.urlsplit(location).path}"
    return f"{reply.status}"


@dataclass(frozen=True)
class Change:
    """One request chart.js would send; the session version is added on sending."""

    kind: str
    method: str
    path: str
    body: dict[str, Any]
    expect: tuple[int, ...] = (200,)


@dataclass
class Shared:
    """What the clients know of each other: each tablet's draft session."""

    sessions: dict[int, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Tablet:
    """An injector at the chair, charting their own patient's draft session."""

    def __init__(
        self, index: int, spec: dict[str, Any], plan: dict[str, Any], shared: Shared
    ) -> None:
        self.index = index
        self.spec = spec
        self.plan = plan
        self.shared = shared
        self.rng = random.Random(plan["seed"] * 1000 + index)
        self.browser: Browser | None = None
        self.session_id = 0
        self.version = 0
        self.sites: list[int] = []

    def setup(self, browser: Browser) -> None:
        self.browser = browser
        browser.log_in(self.spec["email"], self.spec["password"])
        patient = self.spec["patient_id"]
        path = f"/patients/{patient}/sessions"
        browser.take_token(browser.call("new session form", "GET", path + "/new"))
        lot = {"lot_number": f"LOAD{self.index:03d}{self.rng.randrange(10**6)}"}
        reply = browser.call(
            "open session", "POST", path, expect=(302,), form={**VIAL, **lot}
        )
        self.session_id = int(reply.headers["Location"].rstrip("/").rsplit("/", 1)[1])
        with self.shared.lock:
            self.shared.sessions[self.index] = self.session_id

    def adopt(self, state: dict[str, Any]) -> None:
        self.version = int(state["session"]["version"])
        self.sites = [int(site["id"]) for site in state["sites"]]

    def api(self, session_id: int | None = None) -> str:
        return f"/api/v1/sessions/{session_id or self.session_id}"

    def open_chart(self) -> None:
        assert self.browser is not None
        reply = self.browser.call("chart page", "GET", f"/sessions/{self.session_id}")
        self.browser.take_token(reply)
        found = CHART_STATE.search(reply.text())
        if found is None:
            self.browser.recorder.add("chart page", 200, 0.0, "error", "no state")
            raise Unexpected("chart page")
        self.adopt(json.loads(found.group(1)))

    def refresh(self) -> None:
        assert self.browser is not None
        reply = self.browser.call("chart state", "GET", self.api())
        self.adopt(reply.json())

    def change(self) -> None:
        """Make one change to our own chart, retrying over conflicts."""
        assert self.browser is not None
        for _attempt in range(CONFLICT_RETRIES + 1):
            change = self.next_change()
            reply = self.browser.call(
                change.kind,
                change.method,
                change.path,
                payload={**change.body, "version": self.version},
                expect=change.expect,
                conflict_ok=True,
            )
            if reply.status != 409:
                self.version = int(reply.json()["version"])
                self.refresh()
                return
            # Another device wrote first: take the chart it sent, decide again.
            self.adopt(reply.json()["state"])
        self.browser.recorder.add("conflict unresolved", 409, 0.0, "error", "own chart")
        raise Unexpected("conflict")

    def next_change(self) -> "Change":
        """Place a site, change a dose or delete one, keeping the chart modest."""
        count = len(self.sites)
        roll = self.rng.random()
        sites = f"{self.api()}/sites"
        if count < 3 or (count < MAX_SITES and roll < 0.5):
            x, y = self.rng.choice(self.plan["tap_points"])
            return Change("place site", "POST", sites, {"x": x, "y": y}, (201,))
        site = self.rng.choice(self.sites)
        if count >= MAX_SITES or roll > 0.85:
            return Change("delete site", "DELETE", f"{sites}/{site}", {})
        units = self.rng.choice(self.plan["doses"])
        return Change("change dose", "PATCH", f"{sites}/{site}", {"units": units})

    def tap_neighbour(self) -> None:
        """Place a site on the next tablet's chart: a real chance of a 409."""
        assert self.browser is not None
        with self.shared.lock:
            others = sorted(i for i in self.shared.sessions if i != self.index)
            if not others:
                return
            after = [i for i in others if i > self.index] or others
            target = self.shared.sessions[after[0]]
        reply = self.browser.call("chart state", "GET", self.api(target))
        version = int(reply.json()["session"]["version"])
        for _attempt in range(CONFLICT_RETRIES + 1):
            x, y = self.rng.choice(self.plan["tap_points"])
            reply = self.browser.call(
                "place site",
                "POST",
                self.api(target) + "/sites",
                payload={"x": x, "y": y, "version": version},
                expect=(201,),
                conflict_ok=True,
            )
            if reply.status != 409:
                return
            version = int(reply.json()["state"]["session"]["version"])
        self.browser.recorder.add("conflict unresolved", 409, 0.0, "error", "neighbour")
        raise Unexpected("conflict")

    def run(self, deadline: float, think: float) -> None:
        while time.monotonic() < deadline:
            try:
                self.open_chart()
                for _ in range(CHANGES_PER_VISIT):
                    if time.monotonic() >= deadline:
                        return
                    if self.rng.random() < NEIGHBOUR_SHARE:
                        self.tap_neighbour()
                    else:
                        self.change()
                    pause(think, self.rng)
            except Unexpected:
                pause(think, self.rng)  # recorded; reload the chart and go on


class Staff:
    """Reception staff: the worklist, a patient search, a patient's page."""

    def __init__(self, index: int, spec: dict[str, Any], plan: dict[str, Any]) -> None:
        self.spec = spec
        self.plan = plan
        self.rng = random.Random(plan["seed"] * 1000 + index)
        self.browser: Browser | None = None

    def setup(self, browser: Browser) -> None:
        self.browser = browser
        browser.log_in(self.spec["email"], self.spec["password"])

    def worklist(self, browser: Browser) -> None:
        browser.call("worklist", "GET", "/schedule/")

    def search(self, browser: Browser) -> None:
        query = urllib.parse.urlencode({"q": self.rng.choice(self.plan["searches"])})
        browser.call("search", "GET", f"/patients/?{query}")

    def patient_page(self, browser: Browser) -> None:
        patient = self.rng.choice(self.plan["patient_ids"])
        browser.call("patient page", "GET", f"/patients/{patient}")

    def run(self, deadline: float, think: float) -> None:
        assert self.browser is not None
        steps = (self.worklist, self.search, self.patient_page)
        step = 0
        while time.monotonic() < deadline:
            # A failure is recorded; the next page does not depend on this one.
            with contextlib.suppress(Unexpected):
                steps[step % len(steps)](self.browser)
            step += 1
            pause(think, self.rng)


def pause(think: float, rng: random.Random) -> None:
    if think > 0:
        time.sleep(rng.uniform(0.5, 1.5) * think)


def run(plan: dict[str, Any]) -> dict[str, Any]:
    """Set every client up, then let them work for the window; return the samples."""
    url = urllib.parse.urlsplit(plan["base"])
    host, port = url.hostname or "127.0.0.1", url.port or 80
    recorder = Recorder()
    shared = Shared()
    clients: list[Tablet | Staff] = [
        Tablet(i, spec, plan, shared)
        if spec["role"] == "tablet"
        else Staff(i, spec, plan)
        for i, spec in enumerate(plan["clients"])
    ]
    timing: dict[str, float] = {}
    failed_setup: list[int] = []
    think = plan["think_ms"] / 1000

    def open_window() -> None:
        # Run once, by the last client to be ready: setup is not in the window.
        timing["start"] = time.monotonic()
        timing["deadline"] = timing["start"] + plan["seconds"]
        recorder.window_start = timing["start"]

    ready = threading.Barrier(len(clients), action=open_window, timeout=SETUP_TIMEOUT_S)

    def work(index: int, client: Tablet | Staff) -> None:
        try:
            client.setup(Browser(host, port, recorder))
        except Unexpected:
            failed_setup.append(index)
            ready.wait()
            return
        ready.wait()
        client.run(timing["deadline"], think)

    threads = [
        threading.Thread(target=work, args=(i, c), name=f"client-{i}", daemon=True)
        for i, c in enumerate(clients)
    ]
    setup_started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SETUP_TIMEOUT_S + plan["seconds"] + TIMEOUT_S + 30)
    ended = time.monotonic()
    with recorder.lock:
        samples = list(recorder.samples)
    start = timing.get("start", ended)
    return {
        "setup_seconds": round(start - setup_started, 3),
        "window_seconds": round(ended - start, 3),
        "failed_setup": sorted(failed_setup),
        "stuck_clients": sum(thread.is_alive() for thread in threads),
        "samples": samples,
    }


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage: python -m tests.bench.load_client PLAN.json OUT.json")
    plan = json.loads(Path(argv[0]).read_text())
    Path(argv[1]).write_text(json.dumps(run(plan)))


if __name__ == "__main__":
    main(sys.argv[1:])
