"""Products, reconstituted vials and the treatment session rows."""

import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection
from sqlalchemy import select

from planner.demo.clock import MINUTE
from planner.demo.clock import IntArray
from planner.demo.clock import to_dates
from planner.demo.clock import to_datetimes
from planner.demo.names import CONSENT_NOTES
from planner.demo.names import SESSION_NOTES
from planner.demo.people import Cohort
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import table_of
from planner.demo.timeline import FullSessions
from planner.demo.timeline import Sessions
from planner.models import Product
from planner.models import TreatmentSession
from planner.models import VialLot

FloatArray = NDArray[np.float64]

# Share of patients starting on each product; products not listed are not used.
PRODUCT_SHARES: dict[str, float] = {
    "botox": 0.55,
    "xeomin": 0.2,
    "dysport": 0.12,
    "letybo": 0.05,
    "jeuveau": 0.04,
    "daxxify": 0.04,
}
# Product units per onabotulinumtoxinA unit. Only Dysport's is sourced ([S29],
# [S31]: 2.5-3 : 1); Xeomin is 1 : 1 ([S30]); the rest have no published ratio
# and share Botox's nominal glabellar dose, except Daxxify, kept 1 : 1 for want
# of one. Reference doses are onabotulinumtoxinA units, so Dysport's are scaled.
DOSE_FACTORS: dict[str, float] = {"dysport": 2.5}
USUAL_VIAL_UNITS = 100
# A lot of each product is in use for this long before the next one arrives.
LOT_DAYS = 60
RECONSTITUTED_BEFORE = 20 * MINUTE


@dataclass(frozen=True)
class Catalogue:
    """The active products the demo uses, with each one's usual dilutions."""

    ids: IntArray
    codes: tuple[str, ...]
    # The brand each product's demo vials come under: its main one.
    brands: tuple[str, ...]
    shares: FloatArray
    factors: FloatArray
    # Per product: (vial units, diluent mL) choices for the usual vial size.
    dilutions: tuple[tuple[tuple[int, float], ...], ...]


@dataclass(frozen=True)
class Treatments:
    """Which product each session used and when, plus the rows to insert."""

    product: IntArray
    performed: IntArray
    performed_at: list[datetime]
    sessions: Rows
    lots: Rows


def read_catalogue(connection: Connection) -> Catalogue:
    """Read the active products in ``PRODUCT_SHARES`` from the database."""
    table = table_of(Product)
    found = connection.execute(
        select(table.c.id, table.c.code, table.c.brand, table.c.dilutions)
        .where(table.c.active.is_(True))
        .order_by(table.c.id)
    ).all()
    usable = [row for row in found if row.code in PRODUCT_SHARES]
    if not usable:
        raise ValueError("No active product to treat with: load the catalogue first.")
    shares = np.array([PRODUCT_SHARES[row.code] for row in usable])
    return Catalogue(
        ids=np.array([row.id for row in usable], dtype=np.int64),
        codes=tuple(row.code for row in usable),
        brands=tuple(row.brand for row in usable),
        shares=shares / shares.sum(),
        factors=np.array([DOSE_FACTORS.get(row.code, 1.0) for row in usable]),
        dilutions=tuple(_usual_dilutions(row.dilutions) for row in usable),
    )


def _usual_dilutions(dilutions: list[dict[str, Any]]) -> tuple[tuple[int, float], ...]:
    """Keep the dilutions for a 100 U vial, else for the smallest vial listed."""
    choices = [(int(d["vial_units"]), float(d["diluent_ml"])) for d in dilutions]
    if not choices:
        return ((USUAL_VIAL_UNITS, 2.5),)
    vials = {vial for vial, _ml in choices}
    vial = USUAL_VIAL_UNITS if USUAL_VIAL_UNITS in vials else min(vials)
    return tuple(choice for choice in choices if choice[0] == vial)


def draw_full_products(
    rng: np.random.Generator, full: FullSessions, patients: int, catalogue: Catalogue
) -> IntArray:
    """Keep most patients on one product; a few switch once, for good."""
    count = len(catalogue.codes)
    first = rng.choice(count, patients, p=catalogue.shares)
    second = rng.choice(count, patients, p=catalogue.shares)
    second = np.where(second == first, (first + 1) % count, second)
    cycles = np.bincount(full.patient, minlength=patients)
    switches = (rng.random(patients) < 0.15) & (cycles >= 2) & (count > 1)
    at_cycle = rng.integers(2, np.maximum(cycles, 2) + 1)
    switched = switches[full.patient] & (full.cycle >= at_cycle[full.patient])
    product: IntArray = np.where(switched, second[full.patient], first[full.patient])
    return product.astype(np.int64)


def build_treatments(
    rng: np.random.Generator,
    *,
    sessions: Sessions,
    full_product: IntArray,
    performed: IntArray,
    cohort: Cohort,
    catalogue: Catalogue,
) -> Treatments:
    """Build a vial lot row and a signed session row for every session."""
    full_at = np.empty(len(sessions), dtype=np.int64)
    full_at[sessions.of_full] = np.arange(len(sessions.of_full), dtype=np.int64)
    product = full_product[full_at[sessions.cycle_session]]
    performed_at = to_datetimes(performed)
    return Treatments(
        product=product,
        performed=performed,
        performed_at=performed_at,
        sessions=_session_rows(
            rng,
            sessions,
            product,
            cohort,
            catalogue,
            performed=performed,
            performed_at=performed_at,
        ),
        lots=_lot_rows(rng, sessions, product, performed, cohort, catalogue),
    )


def _session_rows(
    rng: np.random.Generator,
    sessions: Sessions,
    product: IntArray,
    cohort: Cohort,
    catalogue: Catalogue,
    *,
    performed: IntArray,
    performed_at: list[datetime],
) -> Rows:
    count = len(sessions)
    index = np.arange(count, dtype=np.int64)
    injector = column(cohort.injector[sessions.patient])
    signed_at = to_datetimes(performed + rng.integers(10, 90, count) * MINUTE)
    return Rows(
        table_of(TreatmentSession),
        patient=sessions.patient,
        values={
            "injector_id": injector,
            "kind": ["top_up" if top else "full" for top in sessions.top_up.tolist()],
            "cycle_number": column(sessions.cycle),
            "product_id": column(catalogue.ids[product]),
            "performed_at": performed_at,
            "signed_at": signed_at,
            "signed_by_id": injector,
            "consent_note": _pick_some(rng, CONSENT_NOTES, count, 0.3),
            "notes": _pick_some(rng, SESSION_NOTES, count, 0.12),
            "created_at": to_datetimes(performed - 5 * MINUTE),
            "updated_at": signed_at,
        },
        refs={
            "id": ("session", index),
            "patient_id": ("patient", sessions.patient),
            "cycle_session_id": (
                "session",
                np.where(sessions.top_up, sessions.cycle_session, -1),
            ),
            "vial_lot_id": ("lot", index),
        },
        constants={
            "status": "signed",
            "consent_obtained": True,
            "warnings": [],
            "version": 1,
        },
    )


def _lot_rows(
    rng: np.random.Generator,
    sessions: Sessions,
    product: IntArray,
    performed: IntArray,
    cohort: Cohort,
    catalogue: Catalogue,
) -> Rows:
    """Give each session a freshly reconstituted vial from the lot then in use."""
    count = len(sessions)
    first_day = int(sessions.day.min()) if count else 0
    period = (sessions.day - first_day) // LOT_DAYS
    periods = int(period.max()) + 1 if count else 1
    numbers = _lot_numbers(rng, len(catalogue.codes) * periods).reshape(-1, periods)
    # A lot expires 6 to 24 months after its last day of use.
    expiry = first_day + (np.arange(periods) + 1) * LOT_DAYS
    expiry = expiry + rng.integers(180, 720, (len(catalogue.codes), periods))
    vial, diluent = _draw_dilutions(rng, sessions.patient, product, cohort, catalogue)
    reconstituted = to_datetimes(performed - RECONSTITUTED_BEFORE)
    return Rows(
        table_of(VialLot),
        patient=sessions.patient,
        values={
            "product_id": column(catalogue.ids[product]),
            "brand": [catalogue.brands[index] for index in column(product)],
            "lot_number": column(numbers[product, period]),
            "expiry_date": to_dates(expiry[product, period]),
            "vial_units": column(vial),
            "diluent_ml": column(diluent),
            "reconstituted_at": reconstituted,
            "created_at": reconstituted,
        },
        refs={"id": ("lot", np.arange(count, dtype=np.int64))},
    )


def _lot_numbers(rng: np.random.Generator, count: int) -> NDArray[np.str_]:
    """Draw lot numbers shaped like C1234AB."""
    letters = np.array(list(string.ascii_uppercase))
    first = letters[rng.integers(0, 26, count)]
    digits = rng.integers(0, 10_000, count)
    last = letters[rng.integers(0, 26, (count, 2))]
    return np.array(
        [
            f"{a}{d:04d}{b}{c}"
            for a, d, (b, c) in zip(first, digits.tolist(), last, strict=True)
        ]
    )


def _draw_dilutions(
    rng: np.random.Generator,
    patient: IntArray,
    product: IntArray,
    cohort: Cohort,
    catalogue: Catalogue,
) -> tuple[IntArray, FloatArray]:
    """Pick each patient's usual dilution of each product, favouring 4 U/0.1 mL."""
    habit = rng.random(len(cohort.sex))[patient]
    vial = np.zeros(len(patient), dtype=np.int64)
    diluent = np.zeros(len(patient), dtype=np.float64)
    for index, choices in enumerate(catalogue.dilutions):
        strength = np.array([units / (ml * 10) for units, ml in choices])
        weights = 1 / (1 + np.abs(strength - 4)) ** 2
        edges = np.cumsum(weights) / weights.sum()
        mask = product == index
        chosen = np.minimum(np.searchsorted(edges, habit[mask]), len(choices) - 1)
        vial[mask] = np.array([units for units, _ml in choices])[chosen]
        diluent[mask] = np.array([ml for _units, ml in choices])[chosen]
    return vial, diluent


def _pick_some(
    rng: np.random.Generator, texts: tuple[str, ...], count: int, share: float
) -> list[str | None]:
    """Pick a text for about ``share`` of the rows and None for the rest."""
    pick = rng.integers(0, len(texts), count).tolist()
    present = (rng.random(count) < share).tolist()
    return [texts[i] if has else None for i, has in zip(pick, present, strict=True)]
