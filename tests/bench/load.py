"""Load benchmark: tablets and staff at once against gunicorn, on SQLite and PostgreSQL.

Run from the checkout (as a module, so ``tests.bench`` imports resolve):

    .venv/bin/python -m tests.bench.load [--clients 20] [--seconds 30]
        [--backends sqlite,postgresql] [--patients 2000] [--cycles 3]
        [--workers 4] [--tablets 0.6] [--think-ms 0] [--keep]

For each backend it builds a database in a fresh temporary folder (migrate,
catalogue, ``seed_demo``, one login per client), on a throwaway PostgreSQL
cluster from tests/pg_cluster.sh for PostgreSQL, and serves it with
``gunicorn --workers 4`` on a free loopback port, as ``make run`` does. A second
process (tests/bench/load_client.py) then drives it with the clients for the
given seconds: 60% tablets charting their own patient's draft session through
the chart's JSON API, 40% staff opening the worklist, searching and opening
patient pages. Clients wait for nothing but their previous answer (``--think-ms``
adds a pause), so the load is as much as the clients can push through.

It prints a table per backend (requests, throughput, p50/p95/p99 per kind of
request and overall, errors, 409s), writes bench-results/load.json and exits
non-zero if any request failed: a 5xx, a connection error, a timeout, or any
other unexpected status. A 409 that the client resolved by reloading and
retrying, as the chart page does, is counted apart and is not an error.
"""

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine
from sqlalchemy import text

from planner.db import build_engine
from planner.db import session_scope
from planner.demo import seed_demo
from planner.facemap import hit_test
from planner.facemap import load_face_map
from planner.facemap import reference_points
from planner.migrate import upgrade_database
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests.bench.machine import machine

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "load.json"
GUNICORN = Path(sys.executable).parent / "gunicorn"
PG_CLUSTER = ROOT / "tests" / "pg_cluster.sh"
PASSWORD = "Tablet-and-desk-2026!"
SEED = 2026
START_TIMEOUT_S = 60.0
DOSES = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0]
# gunicorn's own "[ERROR]"/"[CRITICAL]" lines, worker timeouts, and planner's
# "ERROR in errors: unhandled ..." (which names the exception, never its text).
SERVER_PROBLEMS = re.compile(r"Traceback|\bERROR\b|\bCRITICAL\b|WORKER TIMEOUT")


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the database --------------------------------------------------------------


@contextlib.contextmanager
def database(backend: str, folder: Path) -> Iterator[str]:
    """Yield an empty database's URL: a SQLite file in ``folder``, or a cluster."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'load.db'}"
        return
    # Its own folder straight under /tmp: as root, pg_cluster.sh hands it to the
    # postgres user, who could not reach it inside our private folder.
    cluster = Path(tempfile.mkdtemp(prefix="planner-load-pg-"))
    started = subprocess.run(
        ["bash", str(PG_CLUSTER), "start", str(cluster), str(free_port())],
        check=False,
        capture_output=True,
        text=True,
    )
    try:
        if started.returncode != 0:
            raise SystemExit(f"PostgreSQL did not start:\n{started.stderr[-2000:]}")
        yield started.stdout.strip()
    finally:
        subprocess.run(
            ["bash", str(PG_CLUSTER), "stop", str(cluster)],
            check=False,
            capture_output=True,
        )


def tap_points() -> list[list[float]]:
    """Every reference point of the map, both sides, that a tap would hit."""
    face_map = load_face_map(ROOT / "face_maps")
    points = []
    for muscle in face_map.muscles:
        for side in ("right",) if muscle.midline else ("right", "left"):
            for x, y in reference_points(face_map, muscle, side):
                if hit_test(face_map, float(x), float(y)) is not None:
                    points.append([round(float(x), 2), round(float(y), 2)])
    return points


def build(url: str, args: argparse.Namespace, roles: list[str]) -> dict[str, Any]:
    """Migrate and seed the database, add the logins, and plan each client's work."""
    engine = build_engine(url)
    try:
        upgrade_database(engine)
        with session_scope(engine) as session:
            load_catalogue(session)
        started = time.perf_counter()
        counts = seed_demo(
            engine,
            patients=args.patients,
            cycles=args.cycles,
            seed=SEED,
            now=datetime.now(UTC),
        )
        seeded = time.perf_counter() - started
        clients = add_logins(engine, roles)
        plan = plan_work(engine, clients, args)
    finally:
        engine.dispose()
    plan["seeding"] = {"seconds": round(seeded, 1), "counts": counts}
    return plan


def add_logins(engine: Engine, roles: list[str]) -> list[dict[str, Any]]:
    clients = []
    with session_scope(engine) as session:
        for index, role in enumerate(roles):
            email = f"load.{role}.{index:02d}@example.org"
            create_user(
                session,
                SYSTEM,
                email=email,
                name=f"Load {role.title()} {index:02d}",
                role="injector" if role == "tablet" else "staff",
                password=PASSWORD,
            )
            clients.append({"role": role, "email": email, "password": PASSWORD})
    return clients


def plan_work(
    engine: Engine, clients: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    """Give each tablet its own patient, and staff real names and MRNs to find."""
    rng = np.random.default_rng(SEED)
    with engine.connect() as connection:
        treated = list(
            connection.execute(
                text(
                    "SELECT DISTINCT patient_id FROM treatment_session "
                    "WHERE status = 'signed' ORDER BY patient_id"
                )
            ).scalars()
        )
        patients = connection.execute(
            text("SELECT id, mrn, given_name, family_name FROM patient ORDER BY id")
        ).all()
    tablets = [client for client in clients if client["role"] == "tablet"]
    if len(treated) < len(tablets):
        raise SystemExit("Too few treated patients for one per tablet: add --patients.")
    for client, patient in zip(
        tablets, rng.choice(treated, size=len(tablets), replace=False), strict=True
    ):
        client["patient_id"] = int(patient)
    picked = [patients[int(i)] for i in rng.choice(len(patients), size=200)]
    searches = sorted(
        {p.family_name[:3] for p in picked[:80]}
        | {p.given_name[:2] for p in picked[80:120]}
        | {p.mrn[: max(3, len(p.mrn) - 2)] for p in picked[120:160]}
        | {f"{p.given_name} {p.family_name[:2]}" for p in picked[160:]}
    )
    return {
        "seconds": args.seconds,
        "seed": SEED,
        "think_ms": args.think_ms,
        "clients": clients,
        "tap_points": tap_points(),
        "doses": DOSES,
        "searches": searches,
        "patient_ids": [int(p.id) for p in picked],
    }


# --- gunicorn ------------------------------------------------------------------


@dataclass
class Server:
    """gunicorn in its own process group, logging to a file."""

    process: subprocess.Popen[bytes]
    base: str
    log: Path

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def problems(self) -> list[str]:
        """Lines of the server log that report an error: each is one more error."""
        lines = self.log.read_text(errors="replace").splitlines()
        return [line[:200] for line in lines if SERVER_PROBLEMS.search(line)]


def serve(url: str, workers: int, folder: Path) -> Server:
    """Start gunicorn on a free loopback port and wait for /healthz."""
    log = folder / "gunicorn.log"
    for _attempt in range(3):
        port = free_port()
        env = {
            **os.environ,
            "PLANNER_DATABASE_URL": url,
            "PLANNER_SECRET_KEY": secrets.token_hex(32),
            "PLANNER_LOG_LEVEL": "WARNING",
        }
        with log.open("ab") as sink:
            process = subprocess.Popen(
                [
                    str(GUNICORN),
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "planner:create_app()",
                ],
                cwd=ROOT,
                env=env,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(process, f"http://127.0.0.1:{port}", log)
        if wait_for_health(server):
            return server
        server.stop()
    raise SystemExit(f"gunicorn did not start; see {log}")


def wait_for_health(server: Server) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(server.base + "/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return True
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    return False


# --- one backend -------------------------------------------------------------


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Build, serve and load one backend; return its summary."""
    tablets = round(args.clients * args.tablets)
    roles = ["tablet"] * tablets + ["staff"] * (args.clients - tablets)
    folder = Path(tempfile.mkdtemp(prefix=f"planner-load-{backend}-"))
    try:
        with database(backend, folder) as url:
            say(f"[{backend}] seeding {args.patients} patients x {args.cycles} cycles")
            plan = build(url, args, roles)
            say(
                f"[{backend}] seeded in {plan['seeding']['seconds']} s; "
                f"serving with gunicorn --workers {args.workers}"
            )
            server = serve(url, args.workers, folder)
            try:
                plan["base"] = server.base
                plan_path = folder / "plan.json"
                out_path = folder / "samples.json"
                plan_path.write_text(json.dumps(plan))
                say(
                    f"[{backend}] {tablets} tablets and {args.clients - tablets} "
                    f"staff for {args.seconds} s"
                )
                subprocess.run(
                    [
                        sys.executable,
                        "-m",
                        "tests.bench.load_client",
                        str(plan_path),
                        str(out_path),
                    ],
                    cwd=ROOT,
                    check=True,
                    timeout=args.seconds + 600,
                )
            finally:
                server.stop()
            measured = json.loads(out_path.read_text())
            summary = summarise(measured, server.problems())
            summary["seeding"] = plan["seeding"]
    finally:
        if args.keep:
            say(f"[{backend}] kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)
    return summary


def summarise(measured: dict[str, Any], server_problems: list[str]) -> dict[str, Any]:
    """Turn the client's samples into rows per kind of request and overall."""
    window = [s for s in measured["samples"] if s[3] is not None]
    setup = [s for s in measured["samples"] if s[3] is None]
    seconds = measured["window_seconds"]
    kinds = sorted({s[0] for s in window})
    rows = [row(kind, [s for s in window if s[0] == kind], seconds) for kind in kinds]
    rows.append(row("all", window, seconds))
    failures = [s for s in measured["samples"] if s[4] == "error"]
    details: dict[str, int] = {}
    for sample in failures:
        key = f"{sample[0]}: {sample[5] or sample[1]}"
        details[key] = details.get(key, 0) + 1
    return {
        "window_seconds": seconds,
        "setup_seconds": measured["setup_seconds"],
        "rows": rows,
        "setup": row("setup (logins, opening drafts)", setup, None),
        # A client that failed to set up has recorded the failing request.
        "errors": len(failures) + len(server_problems) + measured["stuck_clients"],
        "conflicts": sum(s[4] == "conflict" for s in measured["samples"]),
        "error_details": details,
        "server_log_problems": server_problems[:20],
        "failed_setup": measured["failed_setup"],
        "stuck_clients": measured["stuck_clients"],
    }


def row(name: str, samples: list[list[Any]], seconds: float | None) -> dict[str, Any]:
    times = np.array([s[2] for s in samples if s[1] != 0] or [np.nan])
    finite = bool(np.isfinite(times).any())
    return {
        "name": name,
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 1) if seconds else None,
        "p50_ms": round(float(np.percentile(times, 50)), 1) if finite else None,
        "p95_ms": round(float(np.percentile(times, 95)), 1) if finite else None,
        "p99_ms": round(float(np.percentile(times, 99)), 1) if finite else None,
        "errors": sum(s[4] == "error" for s in samples),
        "conflicts": sum(s[4] == "conflict" for s in samples),
    }


def report(backend: str, summary: dict[str, Any]) -> None:
    rows = [*summary["rows"], summary["setup"]]
    width = max(len(r["name"]) for r in rows)
    say()
    say(
        f"{backend}: {summary['window_seconds']:.1f} s window, seeded "
        f"{summary['seeding']['counts'].get('patients', 0)} patients"
    )
    say(
        f"{'request':<{width}}  {'n':>6}  {'req/s':>6}  {'p50 ms':>7}  "
        f"{'p95 ms':>7}  {'p99 ms':>7}  {'errors':>6}  {'409s':>5}"
    )
    say("-" * (width + 62))
    for r in rows:
        if r["name"] == "all" or r is summary["setup"]:
            say("-" * (width + 62))
        rate = "" if r["per_second"] is None else f"{r['per_second']:.1f}"
        say(
            f"{r['name']:<{width}}  {r['requests']:>6}  {rate:>6}  "
            f"{fmt(r['p50_ms']):>7}  {fmt(r['p95_ms']):>7}  {fmt(r['p99_ms']):>7}  "
            f"{r['errors']:>6}  {r['conflicts']:>5}"
        )
    say(f"errors: {summary['errors']}, resolved 409s: {summary['conflicts']}")
    for detail, count in sorted(summary["error_details"].items()):
        say(f"  {count} x {detail}")
    for line in summary["server_log_problems"]:
        say(f"  server log: {line}")
    if summary["stuck_clients"] or summary["failed_setup"]:
        say(
            f"  clients stuck: {summary['stuck_clients']}, "
            f"failed to set up: {summary['failed_setup']}"
        )


def fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load planner under gunicorn with concurrent tablets and staff."
    )
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--patients", type=int, default=2000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--tablets", type=float, default=0.6, help="share of clients that are tablets"
    )
    parser.add_argument(
        "--think-ms", type=float, default=0.0, help="mean pause between requests"
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep each backend's folder and logs"
    )
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = sorted(set(backends) - {"sqlite", "postgresql"})
    if unknown or not backends:
        parser.error(f"--backends: choose from sqlite, postgresql (not {unknown})")
    if args.clients < 1 or args.seconds <= 0 or args.workers < 1:
        parser.error("--clients, --seconds and --workers must be positive")
    if not 0 <= args.tablets <= 1:
        parser.error("--tablets: a share between 0 and 1")
    if args.patients < args.clients or args.cycles < 1:
        parser.error("--patients: at least one per client; --cycles: at least 1")
    args.backends = backends
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    results = {}
    for backend in args.backends:
        summary = run_backend(backend, args)
        report(backend, summary)
        results[backend] = summary
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {**machine(), "cpus": os.cpu_count()},
                "arguments": {
                    key: value for key, value in vars(args).items() if key != "keep"
                },
                "backends": results,
            },
            indent=2,
        )
        + "\n"
    )
    say(f"\nResults written to {RESULTS.relative_to(ROOT)}")
    failed = {name: r["errors"] for name, r in results.items() if r["errors"]}
    if failed:
        raise SystemExit(f"Errors under load: {failed}")


if __name__ == "__main__":
    main()
