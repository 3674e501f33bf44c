"""Each patient's injection plan and the sites charted at every session.

Sites start from the reference points of the current front face map (face_maps/
front-v2.json, a 400 x 520 viewBox seen from the front: the midline is x = 200
and the patient's right side is drawn on the viewer's left). A little jitter
moves them, never so far that the face map would chart another muscle or side.
"""

import functools
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from planner.demo.clock import IntArray
from planner.demo.people import Cohort
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import expand
from planner.demo.tables import table_of
from planner.demo.timeline import Sessions
from planner.facemap import CURRENT_MAP
from planner.facemap import FaceMap
from planner.facemap import Side
from planner.facemap import clearance
from planner.facemap import load_face_map
from planner.models import InjectionSite
from planner.reference import MUSCLE_DOSES

FloatArray = NDArray[np.float64]
StrArray = NDArray[np.str_]

FACE_MAPS_DIR = Path(__file__).resolve().parents[2] / "face_maps"
FACE_MAP = CURRENT_MAP
# Shares of a reference point's clearance that the plan's jitter and then each
# session's wobble may use: together they stay inside the muscle's region.
PLAN_ROOM = 0.6
WOBBLE_ROOM = 0.3


@dataclass(frozen=True)
class MuscleLayout:
    """How often a muscle is in a plan, how many points it gets, and how deep."""

    weight: float
    points: tuple[int, int]
    depth: str


# Weights favour the synkinesis targets of the clinical reference, sections 1.2-1.3.
# Point counts are capped by the reference points the face map gives.
LAYOUT: dict[str, MuscleLayout] = {
    "frontalis": MuscleLayout(0.45, (2, 3), "intramuscular"),
    "corrugator": MuscleLayout(0.2, (1, 2), "deep"),
    "procerus": MuscleLayout(0.12, (1, 1), "intramuscular"),
    "orbicularis_oculi_pretarsal_upper": MuscleLayout(0.15, (1, 2), "superficial"),
    "orbicularis_oculi_pretarsal_lower": MuscleLayout(0.3, (1, 1), "superficial"),
    "orbicularis_oculi_orbital": MuscleLayout(0.95, (2, 3), "superficial"),
    "nasalis": MuscleLayout(0.1, (1, 1), "superficial"),
    "levator_labii_superioris_alaeque_nasi": MuscleLayout(
        0.25, (1, 1), "intramuscular"
    ),
    "levator_labii_superioris": MuscleLayout(0.15, (1, 1), "intramuscular"),
    "zygomaticus_major": MuscleLayout(0.3, (1, 1), "intramuscular"),
    "zygomaticus_minor": MuscleLayout(0.12, (1, 1), "intramuscular"),
    "risorius": MuscleLayout(0.12, (1, 1), "superficial"),
    "buccinator": MuscleLayout(0.45, (1, 2), "intramuscular"),
    "orbicularis_oris_upper": MuscleLayout(0.08, (1, 2), "superficial"),
    "orbicularis_oris_lower": MuscleLayout(0.08, (1, 2), "superficial"),
    "depressor_anguli_oris": MuscleLayout(0.65, (1, 2), "superficial"),
    "depressor_labii_inferioris": MuscleLayout(0.55, (1, 1), "intramuscular"),
    "mentalis": MuscleLayout(0.7, (1, 1), "deep"),
    "platysma": MuscleLayout(0.8, (2, 4), "superficial"),
}
# The muscles a plan may hold, in the reference table's (top-down) order.
MUSCLES = tuple(dose for dose in MUSCLE_DOSES if dose.muscle in LAYOUT)
PLAN_SIZE = (6, 10)
# Share of the way from a muscle's low to its target dose, by cycle: doses rise
# over about three sessions, then hold ([S4]).
RAMP_START = 0.6
RAMP_STEP = 0.2


@dataclass(frozen=True)
class Plan:
    """Per-patient plan entries (muscle, role, side, dose target) and their points.

    ``room`` is how far (viewBox units) each point's site may wobble at a session.
    """

    entry_start: IntArray
    entry_count: IntArray
    muscle: IntArray
    role: StrArray
    side: StrArray
    target: FloatArray
    point_start: IntArray
    point_count: IntArray
    x: FloatArray
    y: FloatArray
    room: FloatArray


@dataclass(frozen=True)
class Anchors:
    """Reference points per plan muscle, on the patient's right (or midline).

    Arrays have shape (muscles, most points); unused slots repeat the last point.
    ``room`` is each point's clearance: how far it may move and still hit its
    own muscle on the face map. ``count`` is the points per muscle, shape (muscles,).
    """

    x: FloatArray
    y: FloatArray
    room: FloatArray
    count: IntArray
    midline_x: float


def draw_plans(rng: np.random.Generator, cohort: Cohort) -> Plan:
    """Choose 6-10 muscles per patient, each with a role, side and dose target."""
    patients = len(cohort.sex)
    weights = np.array([LAYOUT[dose.muscle].weight for dose in MUSCLES])
    keys = np.log(weights) + rng.gumbel(size=(patients, len(MUSCLES)))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    size = rng.integers(PLAN_SIZE[0], PLAN_SIZE[1] + 1, patients)
    patient, muscle = np.nonzero(rank < size[:, None])
    entry_count = np.bincount(patient, minlength=patients).astype(np.int64)
    role = _draw_roles(rng, muscle, cohort.affected_side[patient])
    side = _sides(rng, role, cohort.affected_side[patient])
    # Men generally need more units ([S31]).
    target = rng.beta(2.5, 2.5, len(muscle)) + 0.08 * (cohort.sex[patient] == "male")
    anchors = anchor_table()
    most = np.minimum(
        np.array([LAYOUT[m.muscle].points[1] for m in MUSCLES]), anchors.count
    )
    fewest = np.minimum(np.array([LAYOUT[m.muscle].points[0] for m in MUSCLES]), most)
    fewest, most = fewest[muscle], most[muscle]
    point_count = rng.integers(fewest, most + 1).astype(np.int64)
    entry, slot = expand(np.zeros(len(muscle), dtype=np.int64), point_count)
    room = anchors.room[muscle[entry], slot]
    midline = side[entry] == "midline"
    dx, dy = _jitter(rng, len(entry), 2.5, PLAN_ROOM * room, midline)
    x = anchors.x[muscle[entry], slot] + dx
    x = np.where(side[entry] == "left", 2 * anchors.midline_x - x, x)
    y = anchors.y[muscle[entry], slot] + dy
    return Plan(
        entry_start=(np.cumsum(entry_count) - entry_count).astype(np.int64),
        entry_count=entry_count,
        muscle=muscle.astype(np.int64),
        role=role,
        side=side,
        target=np.clip(target, 0, 1),
        point_start=(np.cumsum(point_count) - point_count).astype(np.int64),
        point_count=point_count,
        x=x,
        y=y,
        room=room,
    )


def _draw_roles(
    rng: np.random.Generator, muscle: IntArray, affected_side: StrArray
) -> StrArray:
    """Use each muscle's usual role, now and then its second usual role."""
    first = np.array([dose.usual_roles[0] for dose in MUSCLES])[muscle]
    second = np.array([dose.usual_roles[-1] for dose in MUSCLES])[muscle]
    role = np.where(rng.random(len(muscle)) < 0.85, first, second)
    # Both sides are palsied: there is no healthy side to balance.
    role = np.where(
        (affected_side == "bilateral") & (role != "midline"), "affected", role
    )
    return role


def _sides(
    rng: np.random.Generator, role: StrArray, affected_side: StrArray
) -> StrArray:
    """Turn roles into anatomical sides from the patient's palsied side."""
    healthy = np.where(affected_side == "left", "right", "left")
    either = np.where(rng.random(len(role)) < 0.5, "left", "right")
    palsied = np.where(affected_side == "bilateral", either, affected_side)
    side = np.where(role == "affected", palsied, healthy)
    side = np.where(role == "midline", "midline", side)
    return side


def anchor_table() -> Anchors:
    """Return the face map's reference points for the plan muscles, with room."""
    return _anchors(load_face_map(FACE_MAPS_DIR, FACE_MAP))


@functools.lru_cache(maxsize=2)
def _anchors(face_map: FaceMap) -> Anchors:
    counts = [len(face_map.muscle(dose.muscle).points) for dose in MUSCLES]
    most = max(counts)
    table = np.zeros((len(MUSCLES), most, 3))
    for index, dose in enumerate(MUSCLES):
        muscle = face_map.muscle(dose.muscle)
        points = np.asarray(muscle.points, dtype=np.float64)
        side: Side = "midline" if muscle.midline else "right"
        rooms = clearance(face_map, muscle.code, side, points)
        for slot in range(most):
            last = min(slot, len(points) - 1)
            table[index, slot] = (*points[last], rooms[last])
    return Anchors(
        x=table[:, :, 0],
        y=table[:, :, 1],
        room=table[:, :, 2],
        count=np.array(counts, dtype=np.int64),
        midline_x=face_map.midline_x,
    )


def _jitter(
    rng: np.random.Generator,
    count: int,
    spread: float,
    limit: FloatArray,
    midline: NDArray[np.bool_],
) -> tuple[FloatArray, FloatArray]:
    """Draw (dx, dy) offsets, each no longer than its limit; none across a midline.

    :param limit: shape (count,), viewBox units.
    :return: two arrays of shape (count,), viewBox units.
    """
    offsets = rng.normal(0, spread, (count, 2))
    offsets[midline, 0] = 0.0
    length = np.hypot(offsets[:, 0], offsets[:, 1])
    scale = np.minimum(1.0, limit / np.maximum(length, 1e-9))
    offsets *= scale[:, None]
    return offsets[:, 0], offsets[:, 1]


def dose_grid(
    ona_units: FloatArray, factor: FloatArray, muscle: IntArray
) -> FloatArray:
    """Scale to the product's units and round to 0.25 U within the muscle's range."""
    low = np.array([dose.low for dose in MUSCLES])[muscle] * factor
    high = np.array([dose.high for dose in MUSCLES])[muscle] * factor
    units = np.round(ona_units * factor * 4) / 4
    clipped: FloatArray = np.clip(units, np.ceil(low * 4) / 4, np.floor(high * 4) / 4)
    return clipped


def build_site_rows(
    rng: np.random.Generator,
    *,
    plan: Plan,
    sessions: Sessions,
    factor: FloatArray,
    performed_at: list[datetime],
) -> Rows:
    """Chart the plan at full sessions and one or two of its muscles at top-ups.

    ``factor`` is the product's units per onabotulinumtoxinA unit, per session.
    """
    full = _full_session_sites(rng, plan, sessions, factor)
    top = _top_up_sites(rng, plan, sessions, factor)
    session, entry, point, units = (
        np.concatenate([a, b]) for a, b in zip(full, top, strict=True)
    )
    order = np.lexsort((point, session))
    session, entry, point, units = (
        session[order],
        entry[order],
        point[order],
        units[order],
    )
    counts = np.bincount(session, minlength=len(sessions)).astype(np.int64)
    _owner, number = expand(np.ones(len(sessions), dtype=np.int64), counts)
    dx, dy = _jitter(
        rng,
        len(session),
        1.5,
        WOBBLE_ROOM * plan.room[point],
        plan.side[entry] == "midline",
    )
    x = plan.x[point] + dx
    y = plan.y[point] + dy
    made_at = [performed_at[index] for index in session.tolist()]
    muscle_names = np.array([dose.muscle for dose in MUSCLES])[plan.muscle[entry]]
    depths = np.array([LAYOUT[dose.muscle].depth for dose in MUSCLES])
    return Rows(
        table_of(InjectionSite),
        patient=sessions.patient[session],
        values={
            "number": column(number),
            "muscle": column(muscle_names),
            "side": column(plan.side[entry]),
            "role": column(plan.role[entry]),
            "x": column(np.round(x, 1)),
            "y": column(np.round(y, 1)),
            "units": column(units),
            "depth": column(depths[plan.muscle[entry]]),
            "created_at": made_at,
            "updated_at": made_at,
        },
        # Each demo session draws from one vial, its own (demo/treatments.py).
        refs={"session_id": ("session", session), "vial_lot_id": ("lot", session)},
        constants={"version": 1},
    )


Sites = tuple[IntArray, IntArray, IntArray, FloatArray]


def _full_session_sites(
    rng: np.random.Generator, plan: Plan, sessions: Sessions, factor: FloatArray
) -> Sites:
    """Give every plan point a dose that rises with the cycle towards its target."""
    full = sessions.of_full
    patient = sessions.patient[full]
    owner, entry = expand(plan.entry_start[patient], plan.entry_count[patient])
    ramp = np.minimum(1, RAMP_START + RAMP_STEP * (sessions.cycle[full[owner]] - 1))
    share = np.clip(plan.target[entry] * ramp + rng.normal(0, 0.06, len(entry)), 0, 1)
    units = _units_at(share, plan.muscle[entry], factor[full[owner]])
    per_entry, point = expand(plan.point_start[entry], plan.point_count[entry])
    return full[owner[per_entry]], entry[per_entry], point, units[per_entry]


def _top_up_sites(
    rng: np.random.Generator, plan: Plan, sessions: Sessions, factor: FloatArray
) -> Sites:
    """Top up one or two planned muscles with a small dose at their first point."""
    top = sessions.of_top_up
    patient = sessions.patient[top]
    count = plan.entry_count[patient]
    first = rng.integers(0, count)
    other = (first + rng.integers(1, count)) % count
    two = rng.random(len(top)) < 0.4
    owner = np.concatenate([np.arange(len(top)), np.flatnonzero(two)])
    local = np.concatenate([first, other[two]])
    entry = plan.entry_start[patient[owner]] + local
    share = rng.uniform(0, 0.25, len(entry))
    units = _units_at(share, plan.muscle[entry], factor[top[owner]])
    return top[owner], entry, plan.point_start[entry], units


def _units_at(share: FloatArray, muscle: IntArray, factor: FloatArray) -> FloatArray:
    low = np.array([dose.low for dose in MUSCLES])[muscle]
    high = np.array([dose.high for dose in MUSCLES])[muscle]
    return dose_grid(low + (high - low) * share, factor, muscle)
