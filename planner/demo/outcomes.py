"""Outcome scores, cycle responses and adverse events for the demo cycles.

A Sunnybrook grading is taken before every full treatment and an SAQ at every
attended two-week review. Severity eases a little with each cycle (toxin with
facial retraining) and more at the review, when the toxin is at its peak.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from planner.demo.clock import MINUTE
from planner.demo.clock import IntArray
from planner.demo.clock import to_dates
from planner.demo.clock import to_datetimes
from planner.demo.people import Cohort
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import table_of
from planner.demo.timeline import FullSessions
from planner.demo.timeline import Reviews
from planner.models import AdverseEvent
from planner.models import Assessment
from planner.models import CycleResponse
from planner.scoring import sunnybrook

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

SUNNYBROOK_FORMULA = "sunnybrook-1996"
SAQ_FORMULA = "saq-unsourced-v1"
# The scoring module's own vocabulary: what the demo writes, the forms read back.
EXPRESSIONS = tuple(sunnybrook.EXPRESSIONS)
RESTING_POINTS = sunnybrook.RESTING_POINTS
# Per-expression shifts: brow lift recovers worst; eye closure and smile carry
# the most synkinesis (oral-ocular).
VOLUNTARY_SHIFT = np.array([-0.5, 0.3, -0.2, -0.2, 0.0])
SYNKINESIS_SHIFT = np.array([0.0, 0.3, 0.4, 0.1, 0.2])
SAQ_SHIFT = np.array([0.4, 0.0, 0.2, 0.2, 0.1, 0.0, -0.2, -0.1, 0.1])
ADVERSE_KINDS = (
    "eyelid_droop",
    "lip_weakness",
    "dry_eye",
    "incomplete_eye_closure",
    "smile_asymmetry",
)
ADVERSE_SHARES = (0.35, 0.3, 0.2, 0.07, 0.08)
ADVERSE_TEXT = {
    "eyelid_droop": "Upper lid droop on the treated side.",
    "lip_weakness": "Lower lip weak when drinking.",
    "dry_eye": "Gritty, dry eye; lubricating drops advised.",
    "incomplete_eye_closure": "Small gap on gentle eye closure.",
    "smile_asymmetry": "Smile pulled to the healthy side.",
}


@dataclass(frozen=True)
class CycleTimes:
    """Times (seconds since the epoch) and links for each full session."""

    full: FullSessions
    reviews: Reviews
    performed: IntArray
    review: IntArray
    session: IntArray  # position of each full session among all sessions
    today: int


def draw_severity(
    rng: np.random.Generator, times: CycleTimes, cohort: Cohort
) -> FloatArray:
    """Severity before each full session, easing by 5% a cycle for four cycles."""
    full = times.full
    eased = cohort.severity[full.patient] * (1 - 0.05 * np.minimum(full.cycle - 1, 4))
    noisy: FloatArray = np.clip(eased + rng.normal(0, 0.05, len(eased)), 0, 1)
    return noisy


def build_assessment_rows(
    rng: np.random.Generator, times: CycleTimes, cohort: Cohort, severity: FloatArray
) -> Rows:
    """Grade Sunnybrook before each full session and take an SAQ at each review."""
    full = times.full
    reviewed = np.flatnonzero(times.reviews.attended)
    peak = severity[reviewed] * rng.uniform(0.6, 0.85, len(reviewed))
    sunnybrook = _sunnybrook(rng, severity)
    saq = _saq(rng, peak)
    patient = np.concatenate([full.patient, full.patient[reviewed]])
    at = np.concatenate([times.performed - 10 * MINUTE, times.review[reviewed]])
    order = np.lexsort((at, patient))
    timepoint = np.where(full.cycle == 1, "baseline", "pre_treatment").tolist()
    records = sunnybrook + saq
    stamps = to_datetimes(at[order])
    return Rows(
        table_of(Assessment),
        patient=patient[order],
        values={
            "instrument": _take(
                ["sunnybrook"] * len(sunnybrook) + ["saq"] * len(saq), order
            ),
            "timepoint": _take(timepoint + ["review"] * len(saq), order),
            "assessed_at": stamps,
            "items": _take([items for items, _scores, _total in records], order),
            "scores": _take([scores for _items, scores, _total in records], order),
            "total": _take([total for _items, _scores, total in records], order),
            "formula_version": _take(
                [SUNNYBROOK_FORMULA] * len(sunnybrook) + [SAQ_FORMULA] * len(saq), order
            ),
            "entered_by_id": column(cohort.injector[patient[order]]),
            "created_at": stamps,
        },
        refs={
            "patient_id": ("patient", patient[order]),
            "session_id": (
                "session",
                np.concatenate([times.session, times.session[reviewed]])[order],
            ),
        },
        constants={"self_entered": False},
    )


def _take(values: list[Any], order: IntArray) -> list[Any]:
    return [values[index] for index in order.tolist()]


Record = tuple[dict[str, Any], dict[str, Any], float]


def _sunnybrook(rng: np.random.Generator, severity: FloatArray) -> list[Record]:
    """Grade resting symmetry, voluntary movement and synkinesis from severity."""
    count = len(severity)
    s = severity[:, None]
    voluntary = np.clip(
        np.round(5 - 3 * s + VOLUNTARY_SHIFT + rng.normal(0, 0.6, (count, 5))), 1, 5
    ).astype(np.int64)
    synkinesis = np.clip(
        np.round(3 * s + SYNKINESIS_SHIFT + rng.normal(0, 0.5, (count, 5))), 0, 3
    ).astype(np.int64)
    resting = _resting_answers(rng, severity)
    records: list[Record] = []
    for rest, moves, synk in zip(
        resting, voluntary.tolist(), synkinesis.tolist(), strict=True
    ):
        scores = sunnybrook_scores(rest, moves, synk)
        items = {
            "resting": rest,
            "voluntary": dict(zip(EXPRESSIONS, moves, strict=True)),
            "synkinesis": dict(zip(EXPRESSIONS, synk, strict=True)),
        }
        records.append((items, scores, float(scores["composite"])))
    return records


def sunnybrook_scores(
    resting: dict[str, str], voluntary: list[int], synkinesis: list[int]
) -> dict[str, int]:
    """Score Sunnybrook: composite = voluntary x4 - resting x5 - synkinesis."""
    rest = 5 * sum(RESTING_POINTS[item][answer] for item, answer in resting.items())
    moves = 4 * sum(voluntary)
    synk = sum(synkinesis)
    return {
        "resting": rest,
        "voluntary": moves,
        "synkinesis": synk,
        "composite": moves - rest - synk,
    }


def _resting_answers(
    rng: np.random.Generator, severity: FloatArray
) -> list[dict[str, str]]:
    """Answer the resting items; synkinetic faces tend to a narrow eye, deep fold."""
    count = len(severity)
    u = rng.random((count, 3))
    s = severity
    eye = np.where(
        u[:, 0] < 0.7 * s,
        "narrow",
        np.where(u[:, 0] < 0.7 * s + 0.03, "wide", "normal"),
    )
    cheek = np.select(
        [u[:, 1] < 0.5 * s, u[:, 1] < 0.75 * s, u[:, 1] < 0.8 * s],
        ["more_pronounced", "less_pronounced", "absent"],
        "normal",
    )
    mouth = np.select(
        [u[:, 2] < 0.45 * s, u[:, 2] < 0.7 * s],
        ["corner_pulled_up", "corner_drooped"],
        "normal",
    )
    return [
        {"eye": e, "cheek": c, "mouth": m}
        for e, c, m in zip(eye.tolist(), cheek.tolist(), mouth.tolist(), strict=True)
    ]


def _saq(rng: np.random.Generator, severity: FloatArray) -> list[Record]:
    """Answer the nine SAQ items (1-5); total = sum / 45 x 100."""
    count = len(severity)
    answers = np.clip(
        np.round(
            1 + 4 * severity[:, None] + SAQ_SHIFT + rng.normal(0, 0.7, (count, 9))
        ),
        1,
        5,
    ).astype(np.int64)
    records: list[Record] = []
    for row in answers.tolist():
        total = round(sum(row) / 45 * 100, 1)
        items = {f"q{number}": answer for number, answer in enumerate(row, start=1)}
        records.append((items, {"total": total}, total))
    return records


def draw_adverse(rng: np.random.Generator, times: CycleTimes) -> BoolArray:
    """Mark the full sessions (about 5%) after which an adverse event was reported."""
    known = ~times.full.latest | times.reviews.attended
    flagged: BoolArray = known & (rng.random(len(known)) < 0.05)
    return flagged


def build_response_rows(
    rng: np.random.Generator, times: CycleTimes, cohort: Cohort, adverse: BoolArray
) -> Rows:
    """Record onset, peak, wear-off and rating once a cycle's course is known."""
    full = times.full
    index = np.flatnonzero(~full.latest | times.reviews.attended)
    count = len(index)
    following = full.following[index]
    done = following >= 0
    gap_weeks = (full.day[np.where(done, following, index)] - full.day[index]) / 7
    wear_off = np.clip(
        np.minimum(rng.uniform(9, 18, count), gap_weeks - rng.uniform(0.5, 2, count)),
        9,
        18,
    )
    rating = np.clip(np.round(rng.normal(7.2, 1.4, count) - 2 * adverse[index]), 0, 10)
    recorded = np.where(
        done,
        times.performed[np.where(done, following, index)] - 10 * MINUTE,
        times.review[index],
    )
    return Rows(
        table_of(CycleResponse),
        patient=full.patient[index],
        values={
            "onset_days": column(rng.integers(2, 6, count).astype(np.float64)),
            "peak_days": column(rng.integers(10, 22, count).astype(np.float64)),
            "wear_off_weeks": [
                round(weeks * 2) / 2 if finished else None
                for weeks, finished in zip(
                    wear_off.tolist(), done.tolist(), strict=True
                )
            ],
            "patient_rating": column(rating.astype(np.int64)),
            "recorded_by_id": column(cohort.injector[full.patient[index]]),
            "recorded_at": to_datetimes(recorded),
        },
        refs={"session_id": ("session", times.session[index])},
        constants={"version": 1},
    )


def build_adverse_rows(
    rng: np.random.Generator, times: CycleTimes, cohort: Cohort, adverse: BoolArray
) -> Rows:
    """Describe each adverse event: mostly mild, resolved within six weeks."""
    full = times.full
    index = np.flatnonzero(adverse)
    count = len(index)
    kind = rng.choice(ADVERSE_KINDS, count, p=ADVERSE_SHARES)
    onset = full.day[index] + rng.integers(2, 8, count)
    resolved = onset + rng.integers(7, 43, count)
    attended = times.reviews.attended[index]
    recorded = np.where(
        attended,
        times.review[index],
        times.performed[np.maximum(full.following[index], 0)],
    )
    return Rows(
        table_of(AdverseEvent),
        patient=full.patient[index],
        values={
            "kind": column(kind),
            "description": [ADVERSE_TEXT[name] for name in kind.tolist()],
            "severity": column(np.where(rng.random(count) < 0.85, "mild", "moderate")),
            "onset_date": to_dates(onset),
            "resolved_date": [
                day if past else None
                for day, past in zip(
                    to_dates(resolved), (resolved < times.today).tolist(), strict=True
                )
            ],
            "recorded_by_id": column(cohort.injector[full.patient[index]]),
            "recorded_at": to_datetimes(recorded),
        },
        refs={"session_id": ("session", times.session[index])},
    )
