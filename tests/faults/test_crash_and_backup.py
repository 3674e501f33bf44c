"""No acknowledged tap is lost to a SIGKILL, and a backup taken mid-stream holds them.

The first test serves the app with gunicorn in a subprocess, streams taps at it
from threads and kills the whole process group (master and workers) while taps
are in flight. The second takes an online backup while a thread keeps tapping.
"""

import contextlib
import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from planner.db import build_engine
from planner.db import get_engine
from planner.db_types import utc_now
from planner.facemap import load_face_map
from planner.migrate import upgrade_database
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.chart_state import chart_state
from planner.services.patients import create_patient
from planner.services.users import create_user
from tests.bench.chart_cases import _tap_points
from tests.browser_steps import VIAL_FORM
from tests.browser_steps import open_draft
from tests.conftest import PASSWORD
from tests.conftest import Browser
from tests.factories import PATIENT_DEFAULTS
from tests.factories import make_app

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
EMAIL = "injector@example.org"
SECRET = "fault-test-secret-key"
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
START_TIMEOUT = 30.0
STREAM_TIMEOUT = 60.0
ACKED_BEFORE_KILL = 20


def make_database(path: Path) -> tuple[str, int]:
    """Create a migrated file database with one injector and one patient."""
    url = f"sqlite:///{path}"
    engine = build_engine(url)
    try:
        upgrade_database(engine)
        with Session(engine, expire_on_commit=False) as session:
            load_catalogue(session)
            create_user(
                session,
                SYSTEM,
                email=EMAIL,
                name="Fault Injector",
                role="injector",
                password=PASSWORD,
            )
            patient = create_patient(
                session,
                SYSTEM,
                {**PATIENT_DEFAULTS, "mrn": "MRN90001", "affected_side": "right"},
            )
            session.commit()
            assert patient.id is not None
            patient_id = patient.id
    finally:
        engine.dispose()
    return url, patient_id


def check_database(path: Path, session_id: int, acknowledged: set[int]) -> set[int]:
    """Check a database file is whole and every acknowledged site is in it."""
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
        sites = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM injection_site WHERE session_id = ?", (session_id,)
            )
        }
        missing = acknowledged - sites
        assert not missing, f"acknowledged sites lost: {sorted(missing)}"
        # Every stored site has its create event and every create event its site:
        # nothing was half written.
        created = [
            row[0]
            for row in connection.execute(
                "SELECT entity_id FROM audit_event "
                "WHERE entity_type = 'injection_site' AND lower(action) = 'create'"
            )
        ]
        assert sorted(created) == sorted(sites)
        (version,) = connection.execute(
            "SELECT version FROM treatment_session WHERE id = ?", (session_id,)
        ).fetchone()
        assert version == 1 + len(sites)
    finally:
        connection.close()
    return sites


# --- a small HTTP client on the standard library ------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode()


class HttpBrowser:
    """Logs in over real HTTP with a cookie jar and sends the CSRF token."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.token = ""
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
            _NoRedirect(),
        )

    def send(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 10.0,
    ) -> Answer:
        request = urllib.request.Request(
            self.base + path, data=body, method=method, headers=headers or {}
        )
        try:
            response = self.opener.open(request, timeout=timeout)
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, dict(error.headers), error.read())
        with response:
            return Answer(response.status, dict(response.headers), response.read())

    def get(self, path: str) -> Answer:
        for _ in range(5):
            answer = self.send("GET", path)
            if answer.status not in (301, 302, 303):
                return answer
            path = urllib.parse.urlsplit(answer.headers["Location"]).path
        raise AssertionError(f"too many redirects from {path}")

    def refresh_token(self, path: str) -> None:
        page = self.get(path).text()
        found = CSRF_META.search(page) or CSRF_INPUT.search(page)
        assert found, f"no CSRF token on {path}"
        self.token = found.group(1)

    def post_form(self, path: str, data: dict[str, str]) -> Answer:
        body = urllib.parse.urlencode({**data, "csrf_token": self.token}).encode()
        return self.send(
            "POST",
            path,
            body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def api(self, method: str, path: str, data: Any = None) -> Answer:
        body = None if data is None else json.dumps(data).encode()
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.token}
        return self.send(method, path, body, headers)

    def login(self) -> None:
        self.refresh_token("/login")
        answer = self.post_form("/login", {"email": EMAIL, "password": PASSWORD})
        assert answer.status == 302, answer.text()[:500]
        self.refresh_token("/patients/")


# --- gunicorn in a subprocess --------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """gunicorn with two workers in its own process group, on a free port."""

    def __init__(self, url: str, log: Path) -> None:
        self.url = url
        self.log_path = log
        self.process: subprocess.Popen[bytes] | None = None
        self.base = ""

    def start(self) -> None:
        for _attempt in range(3):
            port = free_port()
            if self._start_on(port):
                return
            self.stop()
        raise AssertionError(f"gunicorn did not start:\n{self.log()}")

    def _start_on(self, port: int) -> bool:
        env = {
            **os.environ,
            "PLANNER_DATABASE_URL": self.url,
            "PLANNER_SECRET_KEY": SECRET,
        }
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "-w",
                    "2",
                    "-b",
                    f"127.0.0.1:{port}",
                    "planner:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        return True
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.05)
        return False

    def kill(self) -> None:
        """SIGKILL the master and every worker at once."""
        if self.process is None:
            return
        pgid = self.process.pid  # start_new_session: the group is the master's pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.process.wait(timeout=10)
        # The workers are the master's children, reaped by init once it is gone.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        self.process = None

    def stop(self) -> None:
        self.kill()

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Any]:
    started: list[Server] = []

    def start(url: str) -> Server:
        server = Server(url, tmp_path / f"gunicorn-{len(started)}.log")
        started.append(server)
        server.start()
        return server

    try:
        yield start
    finally:
        for server in started:
            server.stop()


@dataclass
class TapStream:
    """Threads that tap a chart, keeping the ids of the acknowledged sites."""

    session_id: int
    acknowledged: dict[int, float] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acked(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def run(self, post: Any, offset: int) -> None:
        points = _tap_points()
        version = 1
        step = offset
        path = f"/api/v1/sessions/{self.session_id}/sites"
        while not self.stop.is_set():
            x, y = points[step % len(points)]
            step += 1
            try:
                status, body = post(path, {"x": x, "y": y, "version": version})
            except Exception as exc:  # noqa: BLE001  # the server was killed
                if not self.stop.is_set():
                    self.errors.append(f"{type(exc).__name__}: {exc}")
                return
            if status == 201:
                with self.lock:
                    self.acknowledged[body["site"]["id"]] = time.monotonic()
                version = body["version"]
            elif status == 409:
                version = body["state"]["session"]["version"]
            else:
                self.errors.append(f"{status}: {str(body)[:300]}")
                return


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


@pytest.mark.slow
def test_sigkill_mid_stream_loses_no_acknowledged_tap(
    tmp_path: Path, server_factory: Any
) -> None:
    path = tmp_path / "planner.db"
    url, patient_id = make_database(path)
    server = server_factory(url)

    opener = HttpBrowser(server.base)
    opener.login()
    opened = opener.post_form(f"/patients/{patient_id}/sessions", VIAL_FORM)
    assert opened.status == 302, opened.text()[:500]
    session_id = int(opened.headers["Location"].rstrip("/").rsplit("/", 1)[1])

    stream = TapStream(session_id)
    threads = []
    for offset in range(2):
        browser = HttpBrowser(server.base)
        browser.login()

        def post(path: str, data: Any, browser: HttpBrowser = browser) -> Any:
            answer = browser.api("POST", path, data)
            return answer.status, answer.json()

        threads.append(
            threading.Thread(target=stream.run, args=(post, offset), daemon=True)
        )
    for thread in threads:
        thread.start()
    try:
        wait_until(
            lambda: stream.acked() >= ACKED_BEFORE_KILL or stream.errors,
            STREAM_TIMEOUT,
            "acknowledged taps",
        )
        assert not stream.errors, stream.errors
        server.kill()  # taps are in flight: the threads never pause
    finally:
        server.stop()
        for thread in threads:
            thread.join(timeout=15)
        stream.stop.set()
    assert not any(thread.is_alive() for thread in threads)
    # After the kill the taps fail to connect; none may have had an HTTP error.
    assert not [error for error in stream.errors if error[0].isdigit()], stream.errors
    acknowledged = set(stream.acknowledged)
    assert len(acknowledged) >= ACKED_BEFORE_KILL

    restarted = server_factory(url)
    sites = check_database(path, session_id, acknowledged)

    browser = HttpBrowser(restarted.base)
    browser.login()
    chart = browser.api("GET", f"/api/v1/sessions/{session_id}")
    assert chart.status == 200
    state = chart.json()
    assert {site["id"] for site in state["sites"]} == sites
    assert state["session"]["version"] == 1 + len(sites)
    x, y = _tap_points()[0]
    again = browser.api(
        "POST",
        f"/api/v1/sessions/{session_id}/sites",
        {"x": x, "y": y, "version": state["session"]["version"]},
    )
    assert again.status == 201, again.text()[:500]
    check_database(path, session_id, acknowledged | {again.json()["site"]["id"]})


@pytest.mark.slow
def test_backup_during_writes_holds_every_earlier_acknowledged_tap(
    tmp_path: Path,
) -> None:
    path = tmp_path / "planner.db"
    url, patient_id = make_database(path)
    app = make_app(url, secret_key=SECRET, instance_path=tmp_path / "instance")
    backup = tmp_path / "backup.db"
    try:
        browser = Browser(app.test_client())
        assert browser.login(EMAIL).status_code == 302
        session_id = open_draft(browser, patient_id)

        def post(path: str, data: Any) -> Any:
            response = browser.api("POST", path, data)
            return response.status_code, response.get_json()

        stream = TapStream(session_id)
        thread = threading.Thread(target=stream.run, args=(post, 0), daemon=True)
        thread.start()
        try:
            wait_until(
                lambda: stream.acked() >= 15 or stream.errors, STREAM_TIMEOUT, "taps"
            )
            began = time.monotonic()
            result = app.test_cli_runner().invoke(args=["backup", "--to", str(backup)])
            assert result.exit_code == 0, result.output
            ended = stream.acked()
            wait_until(
                lambda: stream.acked() >= ended + 10 or stream.errors,
                STREAM_TIMEOUT,
                "taps after the backup",
            )
        finally:
            stream.stop.set()
            thread.join(timeout=15)
        assert not thread.is_alive()
        assert not stream.errors, stream.errors
    finally:
        get_engine(app).dispose()

    with stream.lock:
        before = {site for site, at in stream.acknowledged.items() if at < began}
        after = set(stream.acknowledged) - before
    assert len(before) >= 15
    assert after
    check_database(backup, session_id, before)
    # The live database kept every tap, including those after the backup.
    check_database(path, session_id, before | after)

    restored = tmp_path / "restored" / "planner.db"
    restored.parent.mkdir()
    shutil.copyfile(backup, restored)
    restored_url = f"sqlite:///{restored}"
    engine = build_engine(restored_url)
    try:
        with Session(engine) as session:
            state = chart_state(
                session,
                session_id,
                face_map=load_face_map(ROOT / "face_maps"),
                zone=ZoneInfo("Europe/London"),
                now=utc_now(),
            ).as_json()
        assert {site["id"] for site in state["sites"]} >= before
    finally:
        engine.dispose()

    app = make_app(
        restored_url, secret_key=SECRET, instance_path=tmp_path / "restored-instance"
    )
    try:
        browser = Browser(app.test_client())
        assert browser.login(EMAIL).status_code == 302
        chart = browser.api("GET", f"/api/v1/sessions/{session_id}")
        assert chart.status_code == 200
        assert {site["id"] for site in chart.get_json()["sites"]} >= before
    finally:
        get_engine(app).dispose()
