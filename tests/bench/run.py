"""Benchmark planner's main pages and API calls against a bare-Flask floor.

Run from the checkout (as a module, so ``tests.bench`` imports resolve):

    .venv/bin/python -m tests.bench.run [--patients 10000] [--cycles 6]
        [--repeat 50] [--db PATH] [--reuse]

It builds a SQLite database (migrate, catalogue, ``seed_demo``) unless --reuse
finds one already seeded, then times each registered call in-process through
Flask's test client, after three warm-ups. The floor rows run a plain Flask app
doing one indexed read, and one insert-and-commit, on the same database file with
the same pragmas (WAL, synchronous=FULL); every other row is given as a multiple
of the read floor. Results are printed and written to bench-results/bench.json.

To add a row, call ``register(name, call)`` with a function taking the bench
context and the call's sequence number and returning a test-client response.
"""

import argparse
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlalchemy import func
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col
from sqlmodel import select
from werkzeug.test import TestResponse

from planner import create_app
from planner.db import build_engine
from planner.db import session_scope
from planner.demo import seed_demo
from planner.errors import Conflict
from planner.migrate import upgrade_database
from planner.models import Patient
from planner.services.audit import SYSTEM
from planner.services.catalogue import load_catalogue
from planner.services.users import create_user
from tests.bench.auth_cases import register_auth_cases
from tests.bench.chart_cases import register_chart_cases
from tests.bench.machine import machine
from tests.bench.outcome_cases import register_outcome_cases
from tests.bench.photo_cases import photo_processing_rows
from tests.bench.photo_cases import register_photo_cases
from tests.bench.report_cases import register_report_cases
from tests.bench.schedule_cases import worklist_scaling
from tests.bench.stock_cases import register_stock_cases

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "bench-results" / "bench.json"
WARM_UPS = 3
SEED = 2026
BENCH_EMAIL = "bench.injector@example.org"
BENCH_PASSWORD = "bench-Password-2026!"
READ_FLOOR = "floor: bare Flask, one SQLite read"
WRITE_FLOOR = "floor: bare Flask, one insert + commit"


@dataclass
class Bench:
    """What the timed calls need: clients and some real ids, names and MRNs."""

    client: FlaskClient
    floor: FlaskClient
    patient_ids: list[int]
    family_prefix: str
    mrn: str
    run_token: str = field(default_factory=lambda: uuid.uuid4().hex[:8])


Call = Callable[[Bench, int], TestResponse]


@dataclass(frozen=True)
class Case:
    name: str
    call: Call
    status: int


CASES: list[Case] = []


def register(name: str, call: Call, *, status: int = 200) -> None:
    """Add a timed row; ``call`` gets the bench and the call's sequence number."""
    CASES.append(Case(name, call, status))


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def patient_id(bench: Bench, index: int) -> int:
    return bench.patient_ids[index % len(bench.patient_ids)]


def new_patient(bench: Bench, index: int) -> dict[str, str]:
    return {
        "mrn": f"BENCH-{bench.run_token}-{index}",
        "given_name": "Bench",
        "family_name": "Patient",
        "date_of_birth": "1970-01-01",
        "cause": "bells",
        "affected_side": "left",
    }


def register_default_cases() -> None:
    """Register the floors and planner's main pages and API calls."""
    register(READ_FLOOR, lambda b, i: b.floor.get(f"/read/{patient_id(b, i)}"))
    register(WRITE_FLOOR, lambda b, i: b.floor.post("/write"))
    register("GET /patients/", lambda b, i: b.client.get("/patients/"))
    register(
        "GET /patients/?q=<family prefix>",
        lambda b, i: b.client.get("/patients/", query_string={"q": b.family_prefix}),
    )
    register(
        "GET /patients/?q=<MRN>",
        lambda b, i: b.client.get("/patients/", query_string={"q": b.mrn}),
    )
    register(
        "GET /patients/?page=200", lambda b, i: b.client.get("/patients/?page=200")
    )
    register(
        "GET /patients/<id>",
        lambda b, i: b.client.get(f"/patients/{patient_id(b, i)}"),
    )
    register(
        "GET /api/v1/patients?q=<prefix>",
        lambda b, i: b.client.get(
            "/api/v1/patients", query_string={"q": b.family_prefix}
        ),
    )
    register(
        "GET /api/v1/patients/<id>",
        lambda b, i: b.client.get(f"/api/v1/patients/{patient_id(b, i)}"),
    )
    register(
        "POST /api/v1/patients",
        lambda b, i: b.client.post("/api/v1/patients", json=new_patient(b, i)),
        status=201,
    )
    register("GET /healthz", lambda b, i: b.client.get("/healthz"))


def prepare_database(
    path: Path, *, patients: int, cycles: int, reuse: bool
) -> tuple[str, dict[str, Any] | None]:
    """Build and seed the database, or reuse a seeded one; return url and seeding."""
    url = f"sqlite:///{path}"
    if reuse and path.exists() and count_patients(url) >= patients:
        say(f"Reusing {path}")
        # A database seeded by an older checkout still needs the newer tables.
        engine = build_engine(url)
        try:
            upgrade_database(engine)
            with session_scope(engine) as session:
                load_catalogue(session)
        finally:
            engine.dispose()
        return url, None
    for stale in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
        stale.unlink(missing_ok=True)
    engine = build_engine(url)
    try:
        upgrade_database(engine)
        with session_scope(engine) as session:
            load_catalogue(session)
        say(f"Seeding {patients} patients x {cycles} cycles into {path} ...")
        started = time.perf_counter()
        counts = seed_demo(
            engine, patients=patients, cycles=cycles, seed=SEED, now=datetime.now(UTC)
        )
        seconds = time.perf_counter() - started
    finally:
        engine.dispose()
    say(f"Seeded in {seconds:.1f} s: {counts}")
    return url, {"seconds": round(seconds, 2), "counts": counts}


def count_patients(url: str) -> int:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(select(func.count()).select_from(Patient)).scalar()
                or 0
            )
    except SQLAlchemyError:  # an unmigrated or foreign file: rebuild it
        return 0
    finally:
        engine.dispose()


def sample_identifiers(url: str, count: int) -> tuple[list[int], str, str]:
    """Pick patient ids spread over the table, a common family prefix and an MRN."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            ids = list(connection.execute(select(Patient.id)).scalars())
            family = connection.execute(
                select(Patient.family_name)
                .group_by(col(Patient.family_name))
                .order_by(func.count().desc(), col(Patient.family_name))
                .limit(1)
            ).scalar_one()
            mrn = connection.execute(
                select(Patient.mrn).where(col(Patient.id) == ids[len(ids) // 2])
            ).scalar_one()
    finally:
        engine.dispose()
    rng = np.random.default_rng(SEED)
    chosen = rng.choice(ids, size=min(count, len(ids)), replace=False).tolist()
    return [int(i) for i in chosen], family[:3], mrn


def build_floor_app(engine: Engine) -> Flask:
    """Build a plain Flask app doing one read or one committed insert per request."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE IF NOT EXISTS bench_scratch "
                "(id INTEGER PRIMARY KEY, at VARCHAR(40) NOT NULL)"
            )
        )
    app = Flask("bench_floor")

    @app.get("/read/<int:patient_id>")
    def read(patient_id: int) -> dict[str, Any]:
        with engine.connect() as connection:
            found = connection.execute(
                text("SELECT id FROM patient WHERE id = :id"), {"id": patient_id}
            ).scalar()
        return {"id": found}

    @app.post("/write")
    def write() -> dict[str, Any]:
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO bench_scratch (at) VALUES (:at)"),
                {"at": datetime.now(UTC).isoformat()},
            )
        return {"ok": True}

    return app


def log_in(client: FlaskClient, url: str) -> None:
    """Create the bench injector if needed and log the client in as them."""
    engine = build_engine(url)
    try:
        with session_scope(engine) as session:
            create_user(
                session,
                SYSTEM,
                email=BENCH_EMAIL,
                name="Bench Injector",
                role="injector",
                password=BENCH_PASSWORD,
            )
    except Conflict:
        pass  # made by an earlier run on a reused database
    finally:
        engine.dispose()
    response = client.post(
        "/login", data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD}
    )
    if response.status_code != 302:
        raise SystemExit(f"Logging in failed with status {response.status_code}.")


def measure(case: Case, bench: Bench, repeat: int) -> list[float]:
    """Time ``repeat`` calls after the warm-ups; return milliseconds per call."""
    timings: list[float] = []
    for index in range(WARM_UPS + repeat):
        started = time.perf_counter()
        response = case.call(bench, index)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != case.status:
            raise SystemExit(
                f"{case.name}: expected {case.status}, got {response.status_code}"
            )
        response.close()
        if index >= WARM_UPS:
            timings.append(elapsed)
    return timings


def summarise_call(call: Callable[[], TestResponse], repeat: int) -> list[float]:
    """Time a plain call like ``measure`` does, for rows outside CASES."""
    timings: list[float] = []
    for index in range(WARM_UPS + repeat):
        started = time.perf_counter()
        response = call()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"expected 200, got {response.status_code}")
        response.close()
        if index >= WARM_UPS:
            timings.append(elapsed)
    return timings


def summarise(name: str, timings: list[float]) -> dict[str, Any]:
    values = np.array(timings)
    return {
        "name": name,
        "n": len(timings),
        "median_ms": round(float(np.median(values)), 3),
        "p95_ms": round(float(np.percentile(values, 95)), 3),
    }


def report(rows: list[dict[str, Any]], seeding: dict[str, Any] | None) -> None:
    """Print the table of results, each row also as a multiple of both floors."""
    read = next(row["median_ms"] for row in rows if row["name"] == READ_FLOOR)
    write = next(row["median_ms"] for row in rows if row["name"] == WRITE_FLOOR)
    width = max(len(row["name"]) for row in rows)
    say()
    say(
        f"{'name':<{width}}  {'n':>4}  {'median ms':>9}  {'p95 ms':>8}  "
        f"{'x read':>6}  {'x write':>7}"
    )
    say("-" * (width + 44))
    for row in rows:
        row["x_read_floor"] = round(row["median_ms"] / read, 1)
        row["x_write_floor"] = round(row["median_ms"] / write, 1)
        say(
            f"{row['name']:<{width}}  {row['n']:>4}  {row['median_ms']:>9.2f}  "
            f"{row['p95_ms']:>8.2f}  {row['x_read_floor']:>6.1f}  "
            f"{row['x_write_floor']:>7.1f}"
        )
    if seeding is None:
        say("\nSeed: reused an existing database (not timed).")
    else:
        say(f"\nSeed: {seeding['seconds']:.1f} s for {seeding['counts']}")


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark planner's main pages and API calls."
    )
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--cycles", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--db", type=Path, help="database file (default: temp folder)")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse the database if already seeded"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    path = args.db or (
        Path(tempfile.gettempdir())
        / "planner-bench"
        / f"bench-{args.patients}x{args.cycles}.db"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    url, seeding = prepare_database(
        path.resolve(), patients=args.patients, cycles=args.cycles, reuse=args.reuse
    )
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "TESTING": False,
        }
    )
    floor_engine = build_engine(url)
    client = app.test_client()
    log_in(client, url)
    ids, prefix, mrn = sample_identifiers(url, args.repeat + WARM_UPS)
    bench = Bench(client, build_floor_app(floor_engine).test_client(), ids, prefix, mrn)
    if not CASES:
        register_default_cases()
        register_auth_cases(register, email=BENCH_EMAIL, password=BENCH_PASSWORD)
        register_chart_cases(client, url, register, patient_id)
        register_outcome_cases(client, url, register)
        register_report_cases(client, url, register, patient_id)
        register_photo_cases(client, url, register, BENCH_EMAIL)
        register_stock_cases(
            small_path=path.with_name("bench-1000x6.db"),
            prepare=lambda p: prepare_database(p, patients=1000, cycles=6, reuse=True)[
                0
            ],
            log_in=log_in,
            bench_email=BENCH_EMAIL,
            register=register,
        )
    rows = []
    for case in CASES:
        rows.append(summarise(case.name, measure(case, bench, args.repeat)))
    with floor_engine.begin() as connection:
        connection.execute(text("DROP TABLE bench_scratch"))
    floor_engine.dispose()
    rows.extend(
        worklist_scaling(
            client,
            url,
            small_path=path.with_name("bench-1000x6.db"),
            prepare=lambda p: prepare_database(p, patients=1000, cycles=6, reuse=True)[
                0
            ],
            log_in=log_in,
            measure=lambda name, call: summarise(
                name, summarise_call(call, args.repeat)
            ),
        )
    )
    rows.extend(photo_processing_rows(summarise, args.repeat))
    report(rows, seeding)
    write_results(rows, seeding, args, path)


def write_results(
    rows: list[dict[str, Any]],
    seeding: dict[str, Any] | None,
    args: argparse.Namespace,
    path: Path,
) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": machine(),
                "database": str(path),
                "patients": args.patients,
                "cycles": args.cycles,
                "repeat": args.repeat,
                "seed": seeding,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    say(f"Results written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
