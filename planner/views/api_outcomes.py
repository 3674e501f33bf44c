"""Outcomes through the JSON API: record scores, read the cycle comparison."""

import math
from datetime import date
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from spectree import Response as SpecResponse

from planner import scoring
from planner.access import current_actor
from planner.access import roles_required
from planner.comparison import ScoreCourse
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import Role
from planner.services import outcomes as service
from planner.services.cycle_records import OtherTopUp
from planner.services.cycle_responses import comparison_courses
from planner.services.cycles import cycles_overview
from planner.services.score_subscales import course_instrument
from planner.services.score_words import change_in
from planner.services.score_words import score_text
from planner.views.api import ERRORS
from planner.views.api import ErrorBody
from planner.views.api import require_json_object
from planner.views.api import spec
from planner.views.context import clinic_zone
from planner.views.context import face_map

bp = Blueprint("outcomes_api", __name__, url_prefix="/api/v1")


class AssessmentIn(BaseModel):
    """One completed instrument: its code, when in the cycle, and the raw answers."""

    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(max_length=32)
    timepoint: str | None = Field(default=None, max_length=32)
    items: dict[str, Any]
    self_entered: bool = False


class AssessmentOut(BaseModel):
    id: int
    instrument: str
    total: float | None
    scores: dict[str, Any]
    formula_version: str
    cycle_session_id: int | None


class CycleEventOut(BaseModel):
    """An adverse event in its cycle; ``diary_entry_id`` names the patient's diary
    side effect it was recorded from, reported on ``reported_in_diary_on``."""

    cycle: int
    kind: str
    severity: str
    onset: date | None
    resolved: date | None
    description: str | None
    other_top_up: dict[str, Any] | None
    diary_entry_id: int | None
    reported_in_diary_on: date | None


class CyclesOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    cycles: list[dict[str, Any]]
    scores: list[dict[str, Any]]
    matrices: list[dict[str, Any]]
    events: list[CycleEventOut]


def _number(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _other_top_up(top_up: OtherTopUp) -> dict[str, Any]:
    """A top-up in another product than its cycle's, in that product's units."""
    return {
        "given_on": top_up.given_on.isoformat(),
        "product": top_up.product_code,
        "units": top_up.units,
        "unit": top_up.unit_name,
    }


def _course_json(course: ScoreCourse) -> dict[str, Any]:
    """One instrument's scores per cycle; a descriptive grade (House-Brackmann)
    as its grades and better/same/worse, with no numeric response (§4.4, §7).

    Each FDI subscale is a line of its own, named by its ``title`` (§4.5).
    """
    definition = course_instrument(course.instrument)
    if not definition.descriptive:
        score: Any = _number
    else:

        def score(value: float) -> str | None:
            return score_text(definition, value) if math.isfinite(value) else None

    points = []
    for i, cycle in enumerate(course.cycles):
        point = {
            "cycle": cycle,
            "pre_treatment": score(float(course.before.values[i])),
            "review": score(float(course.review.values[i])),
            "wear_off": score(float(course.wear_off.values[i])),
            "review_after_top_up": score(float(course.after_top_up.values[i])),
        }
        response = float(course.response[i])
        if definition.descriptive:
            point["change"] = change_in(definition, response).verdict or None
        else:
            point["response"] = _number(response)
        points.append(point)
    return {
        "instrument": course.instrument,
        "title": definition.title,
        "descriptive": definition.descriptive,
        "higher_is_better": definition.higher_is_better,
        "baseline": score(course.baseline),
        "baseline_cycle": course.baseline_cycle,
        "points": points,
    }


def _flag(body: dict[str, Any], name: str) -> bool:
    """A JSON true or false; ``"false"`` is refused, never read as true."""
    value = body.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(
            "A field must be true or false.", fields={name: "must be true or false"}
        )
    return value


def _text(value: Any) -> str | None:
    """Pass a time point on as text; leave a missing one for the service to suggest."""
    return None if value is None else str(value)


@bp.post("/patients/<int:patient_id>/assessments")
@roles_required(Role.INJECTOR)
@spec.validate(
    json=AssessmentIn,
    resp=SpecResponse(HTTP_201=AssessmentOut, HTTP_403=ErrorBody, **ERRORS),
    tags=["outcomes"],
    skip_validation=True,
)
def record_assessment(patient_id: int) -> tuple[Response, int]:
    """Score and store an instrument; answers that fail are named in ``fields``."""
    body = require_json_object(request)
    saved = service.record_assessment(
        get_session(),
        current_actor(),
        patient_id,
        str(body.get("instrument", "")),
        body.get("items"),
        timepoint=_text(body.get("timepoint")),
        zone=clinic_zone(),
        self_entered=_flag(body, "self_entered"),
    )
    return jsonify(
        id=saved.id,
        instrument=saved.instrument.value,
        total=saved.total,
        scores=saved.scores,
        formula_version=saved.formula_version,
        cycle_session_id=saved.session_id,
    ), 201


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: dict[str, Any]


class PreviewOut(BaseModel):
    complete: bool
    total: float | None = None
    scores: dict[str, Any] = {}
    missing: list[str] = []


@bp.post("/scoring/<instrument>/preview")
@spec.validate(
    json=PreviewIn,
    resp=SpecResponse(HTTP_200=PreviewOut, **ERRORS),
    tags=["outcomes"],
    skip_validation=True,
)
def preview_score(instrument: str) -> Response:
    """Score answers without saving them, for the form's live score."""
    try:
        definition = scoring.get_instrument(instrument)
    except scoring.ScoringError:
        raise InvalidInput(
            "Unknown instrument.", fields={"instrument": "is not a known instrument"}
        ) from None
    items = require_json_object(request).get("items")
    if not isinstance(items, dict):
        raise InvalidInput(
            "Answers are missing.", fields={"items": "must be an object"}
        )
    answered = {key: value for key, value in items.items() if value not in ("", None)}
    try:
        result = definition.score(definition.validate(answered))
    except scoring.ScoringError as exc:
        # Unanswered items are expected while the form is being filled in.
        missing = [k for k, v in exc.fields.items() if v == "is required"]
        if len(missing) == len(exc.fields):
            return jsonify(complete=False, missing=missing)
        raise InvalidInput(
            "Some answers need correcting.", fields=dict(exc.fields)
        ) from None
    return jsonify(complete=True, total=result.total, scores=dict(result.scores))


@bp.get("/patients/<int:patient_id>/cycles")
@spec.validate(resp=SpecResponse(HTTP_200=CyclesOut, **ERRORS), tags=["outcomes"])
def cycles(patient_id: int) -> Response:
    """Return the cycle comparison as data: cycles, doses, scores by time point.

    Each cycle's ``response`` per instrument is its review score (the one
    taken before any top-up) minus its own pre-treatment score; a review
    taken after a top-up is ``review_after_top_up``, never part of the
    response. A descriptive grade (``descriptive``: House-Brackmann) gives
    its grades ("IV") and a ``change`` of better, same or worse, and no
    numeric ``response``. Units are in each cycle's own product, named by
    ``unit``; a top-up in another product is in ``other_top_ups`` (and an
    event after it names it), in its own units, never added to the cycle's.
    Each matrix names its columns' ``products`` and ``unit_names``.
    The Facial Disability Index has two subscales and no total: ``fdi`` is its
    physical function and ``fdi_social`` its social and well-being function,
    each a line of ``scores`` of its own; every line names itself in ``title``.
    An event recorded from a side effect the patient reported in the diary
    names the entry (``diary_entry_id``) and the day it was reported.
    """
    overview = cycles_overview(
        get_session(), patient_id, face_map=face_map(), zone=clinic_zone()
    )
    records = overview.records
    assert records is not None
    product_of = {cycle.cycle: cycle.product_code for cycle in records.cycles}
    return jsonify(
        cycles=[
            {
                "cycle": card.number,
                "treated_on": card.treated_on.isoformat(),
                "product": card.product_code,
                "unit": card.unit_name,
                "units": card.units,
                "top_up_units": card.top_up_units,
                # In their own product's units, never added to ``units``.
                "other_top_ups": [
                    _other_top_up(top_up)
                    for top_up in records.other_top_ups.get(card.number, [])
                ],
                "changes": card.changes,
                "response": card.response,
            }
            for card in overview.cards
        ],
        matrices=[
            {
                "side": matrix.side,
                "cycles": list(matrix.cycles),
                # Each column's product and unit: units of two products never
                # share an axis.
                "products": [product_of[n] for n in matrix.cycles],
                "unit_names": [
                    records.unit_names[product_of[n]] for n in matrix.cycles
                ],
                "rows": [
                    {
                        "muscle": row.muscle,
                        "units": [cell.units for cell in row.cells],
                        "top_up_units": [cell.top_up for cell in row.cells],
                    }
                    for row in matrix.rows
                ],
            }
            for matrix in overview.matrices
        ],
        scores=[
            _course_json(course)
            for course in comparison_courses(records, subscales=True)
        ],
        events=[
            {
                "cycle": event.cycle,
                "kind": event.kind,
                "severity": event.severity,
                "onset": event.row.onset_date and event.row.onset_date.isoformat(),
                "resolved": event.row.resolved_date
                and event.row.resolved_date.isoformat(),
                "description": event.row.description,
                "other_top_up": None
                if event.other_top_up is None
                else _other_top_up(event.other_top_up),
                "diary_entry_id": event.row.diary_entry_id,
                "reported_in_diary_on": event.reported_on
                and event.reported_on.isoformat(),
            }
            for event in overview.events
        ],
    )
