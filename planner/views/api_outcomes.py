"""Outcomes through the JSON API: record scores, read the cycle comparison."""

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
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import Role
from planner.scoring import ScoreValue
from planner.services import outcomes as service
from planner.services.cycle_responses import comparison_courses
from planner.services.cycles import cycles_overview
from planner.views.api import ERRORS
from planner.views.api import ErrorBody
from planner.views.api import require_json_object
from planner.views.api import spec
from planner.views.context import clinic_zone
from planner.views.context import face_map
from planner.views.cycles_json import CycleEventOut
from planner.views.cycles_json import CycleOut
from planner.views.cycles_json import GradeLineOut
from planner.views.cycles_json import MatrixOut
from planner.views.cycles_json import ScoreLineOut
from planner.views.cycles_json import cycle_out
from planner.views.cycles_json import event_out
from planner.views.cycles_json import line_out
from planner.views.cycles_json import matrix_out

bp = Blueprint("outcomes_api", __name__, url_prefix="/api/v1")


class AssessmentIn(BaseModel):
    """One completed instrument: its code, when in the cycle, and the raw answers."""

    model_config = ConfigDict(extra="forbid")

    instrument: str = Field(max_length=32)
    timepoint: str | None = Field(default=None, max_length=32)
    items: dict[str, Any]
    self_entered: bool = False


class AssessmentOut(BaseModel):
    """A stored score: its headline ``total`` and every subscore by name.

    ``scores`` varies by instrument (Sunnybrook's five integers, eFACE's and
    the SAQ's means, the FDI's subscales and item counts, House-Brackmann's
    grade, numeral and label), each a number, a word or null.
    """

    model_config = ConfigDict(extra="forbid")

    id: int
    instrument: str
    total: float | None
    scores: dict[str, ScoreValue]
    formula_version: str
    cycle_session_id: int | None


class CyclesOut(BaseModel):
    """A patient's cycles compared; every unit in its named product's units."""

    model_config = ConfigDict(extra="forbid")

    cycles: list[CycleOut]
    scores: list[ScoreLineOut | GradeLineOut]
    matrices: list[MatrixOut]
    events: list[CycleEventOut]


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
    assert saved.id is not None
    answer = AssessmentOut(
        id=saved.id,
        instrument=saved.instrument.value,
        total=saved.total,
        scores=saved.scores,
        formula_version=saved.formula_version,
        cycle_session_id=saved.session_id,
    )
    return jsonify(answer.model_dump(mode="json")), 201


class PreviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: dict[str, Any]


class PreviewOut(BaseModel):
    complete: bool
    total: float | None = None
    scores: dict[str, ScoreValue] = {}
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
    answer = CyclesOut(
        cycles=[cycle_out(card, records) for card in overview.cards],
        matrices=[matrix_out(matrix, records) for matrix in overview.matrices],
        scores=[
            line_out(course) for course in comparison_courses(records, subscales=True)
        ],
        events=[event_out(event) for event in overview.events],
    )
    return jsonify(answer.model_dump(mode="json"))
