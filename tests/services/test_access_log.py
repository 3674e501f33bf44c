"""The access log writes the raw path, never a query or a feed token (issue 18, 9)."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from planner.access_log import logged_path
from planner.db import build_engine
from planner.migrate import upgrade_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"


@pytest.mark.parametrize(
    ("raw", "logged"),
    [
        ("/patients/?q=Smith&dob=1970-01-01", "/patients/"),
        ("/patients/%0d%0a127.0.0.1 - - [forged]", "/patients/%0d%0a127.0.0.1"),
        ("/calendar/s3cr3t-TOKEN_x.ics", "/calendar/[token].ics"),
        ("/calendar/s3cr3t-TOKEN_x%2Eics", "/calendar/[token].ics"),
        ("//calendar//s3cr3t.ics?x=1", "/calendar/[token].ics"),
        ("/calendar/s3cr3t.ics/extra", "/calendar/s3cr3t.ics/extra"),
        ("/sessions/4/record.pdf", "/sessions/4/record.pdf"),
        ("/diary/Abc-123_xyz", "/diary/[token]"),
        ("/diary/Abc-123_xyz/wear-off?x=1", "/diary/[token]/wear-off"),
        ("//diary/Abc%2D123//onset", "/diary/[token]/onset"),
        ("/p\u00e4th", "/p%C3%A4th"),
    ],
)
def test_the_logged_path_is_raw_without_query_or_token(raw, logged):
    # A space ends the path as the request line carries it; the rest is a query.
    assert logged_path(raw.split(" ", 1)[0]) == logged


def makefile_setting(name: str) -> str:
    found = re.search(rf"^{name}\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, name
    return found.group(1).strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def raw_get(port: int, target: str) -> None:
    """Send a request line exactly as given (no client re-encoding)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: x\r\n\r\n".encode("latin-1"))
        sock.recv(65536)


@pytest.mark.slow
def test_gunicorn_as_make_run_starts_it_logs_safely(tmp_path):
    database = tmp_path / "log.db"
    engine = build_engine(f"sqlite:///{database}")
    upgrade_database(engine)  # as make run's init-db: /healthz checks the schema
    engine.dispose()
    log = tmp_path / "access.log"
    port = free_port()
    env = {
        **os.environ,
        "PLANNER_DATABASE_URL": f"sqlite:///{database}",
        "PLANNER_SECRET_KEY": "log-test",
    }
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
            "--access-logformat",
            makefile_setting("ACCESS_LOG_FORMAT"),
            "--logger-class",
            makefile_setting("ACCESS_LOGGER"),
            "planner:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz"):
                    break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raw_get(port, "/login?q=Jane+Smith")
        raw_get(port, "/patients/%0d%0a127.0.0.1%20forged%20line")
        raw_get(port, "/calendar/SECRET-feed-token.ics")
        for _ in range(50):
            if log.exists() and log.read_text().count("\n") >= 4:
                break
            time.sleep(0.1)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines = log.read_text().splitlines()
    text = "\n".join(lines)
    assert len(lines) == 4, text
    assert '"GET /login HTTP/1.1"' in text
    assert "Jane" not in text
    assert "SECRET" not in text
    assert '"GET /calendar/[token].ics HTTP/1.1"' in text
    assert '"GET /patients/%0d%0a127.0.0.1%20forged%20line HTTP/1.1"' in text
