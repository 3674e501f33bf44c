"""The JSON API under /api/v1, described by the OpenAPI document at /api/openapi.json.

Browser code authenticates with the session cookie and sends the CSRF token in
the ``X-CSRFToken`` header on every state-changing call.
"""

from typing import Any

from flask import Blueprint
from flask import Flask
from flask import Request
from flask import Response
from flask import jsonify
from flask import request
from flask_login import current_user
from pydantic import BaseModel
from pydantic import Field
from spectree import Response as SpecResponse
from spectree import SpecTree

from planner.access import current_actor
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import PatientCreate
from planner.models import PatientRead
from planner.models import PatientUpdate
from planner.services import patients as patient_service
from planner.validation import field_errors
from planner.views.context import clinic_today

bp = Blueprint("api", __name__, url_prefix="/api/v1")


class ErrorBody(BaseModel):
    error: str
    fields: dict[str, str] = {}


def _json_kind(value: Any) -> str:
    """Name a parsed JSON value's type as JSON calls it."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "an array" if isinstance(value, list) else "a string"


def require_json_object(req: Request) -> dict[str, Any]:
    """Return the request's JSON object, or say why the body is not one."""
    body = req.get_json(silent=True)
    if body is None:
        raise InvalidInput(
            "The request body must be a JSON object.",
            fields={"body": "is missing or is not valid JSON"},
        )
    if not isinstance(body, dict):
        raise InvalidInput(
            "The request body must be a JSON object.",
            fields={"body": f"must be an object, not {_json_kind(body)}"},
        )
    return body


def raise_validation(
    req: Request, _resp: Response | None, req_validation_error: Any, *_rest: Any
) -> None:
    """Answer spectree's validation failures in planner's own error shape."""
    if req_validation_error is None:
        return
    if req.method in ("POST", "PUT", "PATCH"):
        require_json_object(req)
    raise InvalidInput(
        "Some fields need correcting.", fields=field_errors(req_validation_error)
    )


# Strict mode documents exactly the routes this instance validates. spectree
# leaves out every route under its own ``path``, so that path is not "api"; the
# document is served from /api/openapi.json by ``openapi_document`` instead.
spec = SpecTree(
    "flask",
    title="planner API",
    version="1",
    mode="strict",
    path="apidoc",
    page_templates={},
    validation_error_status=400,
    before=raise_validation,
)
docs_bp = Blueprint("api_docs", __name__)

ERRORS = {"HTTP_400": ErrorBody, "HTTP_401": ErrorBody, "HTTP_404": ErrorBody}


class PatientQuery(BaseModel):
    q: str = Field(default="", max_length=100)
    page: int = Field(default=1, ge=1, le=100_000)
    size: int = Field(default=25, ge=1, le=100)


class PatientList(BaseModel):
    items: list[PatientRead]
    page: int
    pages: int
    total: int


class Me(BaseModel):
    id: int
    email: str
    name: str
    role: str


def _read(patient: Any) -> dict[str, Any]:
    return PatientRead.model_validate(patient).model_dump(mode="json")


@bp.get("/me")
@spec.validate(resp=SpecResponse(HTTP_200=Me, **ERRORS), tags=["users"])
def me() -> Response:
    """Return the logged-in user."""
    return jsonify(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        role=current_user.role.value,
    )


@bp.get("/patients")
@spec.validate(
    query=PatientQuery,
    resp=SpecResponse(HTTP_200=PatientList, **ERRORS),
    tags=["patients"],
)
def list_patients() -> Response:
    """Search patients by name, MRN or date of birth, a page at a time."""
    query: PatientQuery = request.context.query  # type: ignore[attr-defined]  # set by spectree
    found = patient_service.search_patients(
        get_session(), query.q, page=query.page, size=query.size
    )
    return jsonify(
        items=[_read(p) for p in found.items],
        page=found.number,
        pages=found.pages,
        total=found.total,
    )


@bp.post("/patients")
@spec.validate(
    json=PatientCreate,
    resp=SpecResponse(HTTP_201=PatientRead, **ERRORS),
    tags=["patients"],
)
def create_patient() -> tuple[Response, int]:
    """Register a patient."""
    patient = patient_service.create_patient(
        get_session(), current_actor(), request.get_json(), today=clinic_today()
    )
    return jsonify(_read(patient)), 201


@bp.get("/patients/<int:patient_id>")
@spec.validate(resp=SpecResponse(HTTP_200=PatientRead, **ERRORS), tags=["patients"])
def get_patient(patient_id: int) -> Response:
    """Return one patient."""
    return jsonify(_read(patient_service.get_patient(get_session(), patient_id)))


@bp.put("/patients/<int:patient_id>")
@spec.validate(
    json=PatientUpdate,
    # 403: only an injector or an admin changes a clinical flag (issue 13).
    resp=SpecResponse(
        HTTP_200=PatientRead, HTTP_403=ErrorBody, HTTP_409=ErrorBody, **ERRORS
    ),
    tags=["patients"],
)
def update_patient(patient_id: int) -> Response:
    """Replace a patient's details; ``version`` must be the one last read (else 409).

    A change to a clinical flag from anyone but an injector or an admin is 403.
    """
    patient = patient_service.update_patient(
        get_session(),
        current_actor(),
        patient_id,
        request.get_json(),
        today=clinic_today(),
    )
    return jsonify(_read(patient))


@docs_bp.get("/api/openapi.json")
def openapi_document() -> Response:
    """Serve the OpenAPI 3 document generated from the validated routes."""
    return jsonify(spec.spec)


def init_app(app: Flask) -> None:
    """Register the API and its OpenAPI document."""
    # Imported here: api_chart decorates its routes with this module's ``spec``.
    from planner.views import api_chart
    from planner.views import api_outcomes

    app.register_blueprint(bp)
    app.register_blueprint(api_chart.bp)
    app.register_blueprint(api_outcomes.bp)
    app.register_blueprint(docs_bp)
