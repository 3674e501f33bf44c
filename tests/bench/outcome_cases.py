"""Benchmark rows for outcomes: the cycles page of a patient with 20 cycles."""

from datetime import UTC
from datetime import datetime
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import text

from planner.db import build_engine
from planner.demo import seed_demo

CYCLES = 20
SEED = 2020
# seed_demo gives a patient every cycle with probability 0.65, else fewer: a few
# patients a round make a 20-cycle patient all but certain; rounds are a backstop.
PATIENTS_PER_ROUND = 4
ROUNDS = 5
MOST_CYCLES = text(
    "SELECT patient_id, count(*) AS cycles FROM treatment_session "
    "WHERE kind = 'full' AND status = 'signed' "
    "GROUP BY patient_id ORDER BY cycles DESC, patient_id LIMIT 1"
)


def seed_more(url: str, *, patients: int, cycles: int, seed: int) -> None:
    """Seed more demo patients, up to ``cycles`` each, into the bench database."""
    engine = build_engine(url)
    try:
        seed_demo(
            engine, patients=patients, cycles=cycles, seed=seed, now=datetime.now(UTC)
        )
    finally:
        engine.dispose()


def _most_cycles(url: str) -> tuple[int, int]:
    """Return the patient with the most signed full treatments, and how many."""
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(MOST_CYCLES).first()
    finally:
        engine.dispose()
    return (0, 0) if found is None else (int(found[0]), int(found[1]))


def patient_with_cycles(url: str, cycles: int = CYCLES) -> int:
    """Find a patient with ``cycles`` signed cycles, seeding one the first time."""
    patient, count = _most_cycles(url)
    for attempt in range(ROUNDS):
        if count >= cycles:
            return patient
        seed_more(url, patients=PATIENTS_PER_ROUND, cycles=cycles, seed=SEED + attempt)
        patient, count = _most_cycles(url)
    if count < cycles:
        raise SystemExit(f"could not seed a patient with {cycles} cycles")
    return patient


def register_outcome_cases(client: FlaskClient, url: str, register: Any) -> None:
    """Register the cycles page of a 20-cycle patient.

    ``register`` comes from run.py, which runs as __main__.
    """
    patient = patient_with_cycles(url)
    register(
        f"GET /patients/<id>/cycles ({CYCLES} cycles)",
        lambda _b, _i: client.get(f"/patients/{patient}/cycles"),
    )
