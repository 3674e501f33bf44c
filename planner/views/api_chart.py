"""The chart's JSON API: every tap is saved at once, with an optimistic lock.

Mutations answer with a small delta (the new version and the site) so a tap
costs little; the page then asks for the whole state (warnings, totals, map).
A stale version gets 409 with the current state, so the device can resync.

The mutations are documented through spectree but validated by the services
themselves (``skip_validation``): validating twice, and re-validating our own
response, doubled the cost of a tap.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import Response
from flask import jsonify
from flask import request
from pydantic import BaseModel
from pydantic import ConfigDict
from spectree import Response as SpecResponse

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import chart as chart_service
from planner.services import chart_prefill
from planner.services import sessions as session_service
from planner.services.chart import SiteRow
from planner.services.chart_requests import SiteCreate
from planner.services.chart_requests import SiteUpdate
from planner.services.chart_requests import VersionOnly
from planner.services.chart_state import default_units
from planner.services.chart_state_models import ChartState
from planner.services.warning_reasons import refusal_labels
from planner.views.api import ERRORS
from planner.views.api import ErrorBody
from planner.views.api import raise_validation
from planner.views.api import require_json_object
from planner.views.api import spec
from planner.views.context import clinic_zone
from planner.views.context import current_chart_state as _state
from planner.views.context import diary_key
from planner.views.context import face_map
from planner.views.diary import email_diary
from planner.vocabulary import Side
from planner.vocabulary import SiteRole

bp = Blueprint("chart_api", __name__, url_prefix="/api/v1")


class SiteDelta(BaseModel):
    """The site a tap changed, as the chart keeps it (its draw comes with the state)."""

    model_config = ConfigDict(extra="forbid")

    id: int
    number: int
    muscle: str
    side: Side
    role: SiteRole
    x: float
    y: float
    # null until the clinician enters the dose; ``unset_reason`` says why.
    units: float | None
    unset_reason: str | None
    version: int


class SiteChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    site: SiteDelta | None = None
    deleted: int | None = None


class PrefillChange(BaseModel):
    """Copy last cycle or a template: the chart's new version, and the sites left
    out because a procedure excised or denervated their muscle (one sentence each)."""

    model_config = ConfigDict(extra="forbid")

    version: int
    left_out: list[str]


class PreviewSite(BaseModel):
    """A site a copy or template would add; ``units`` null: to enter (and why)."""

    model_config = ConfigDict(extra="forbid")

    muscle: str
    muscle_name: str
    side: Side
    units: float | None
    unset_reason: str | None


class PrefillPreviewBody(BaseModel):
    """What a copy or template would do: sites added, sites left out (one sentence
    each), and how many of today's sites "replace" would remove. Nothing is written."""

    model_config = ConfigDict(extra="forbid")

    sites: list[PreviewSite]
    left_out: list[str]
    today: int


class StaleBody(ErrorBody):
    """A refused write: ``state`` is the chart as it now is when the version was
    stale (a draft's edit, or a signed record's amendment); an edit refused because
    the session is signed carries no state (there is nothing to redo)."""

    state: ChartState | None = None


MUTATION = SpecResponse(
    HTTP_200=SiteChange, HTTP_409=StaleBody, HTTP_403=ErrorBody, **ERRORS
)
# Charting a site creates it.
SITE_ADDED = SpecResponse(
    HTTP_201=SiteChange, HTTP_409=StaleBody, HTTP_403=ErrorBody, **ERRORS
)
PREFILLED = SpecResponse(
    HTTP_200=PrefillChange, HTTP_409=StaleBody, HTTP_403=ErrorBody, **ERRORS
)


class ChartRefusal(ErrorBody):
    """A signature or an amendment refused: ``fields`` maps each field to its
    reason, and ``labels`` names each of them in words, by the same field, to
    read before its reason ("reasons.<key>": "Reason for site 4, Zygomaticus
    major (left)"; "sites": "Injection sites"; "consent_obtained": "Consent
    obtained for this treatment"), for a client that shows no box for it. A
    field neither request has (one the client added) has no label."""

    labels: dict[str, str] = {}


# Signing and amending answer with the whole chart; an amendment is created.
# A stale version is refused (409, with the chart as it is) before any check.
SIGNED = SpecResponse(
    HTTP_200=ChartState,
    HTTP_409=StaleBody,
    HTTP_403=ErrorBody,
    **{**ERRORS, "HTTP_400": ChartRefusal},
)
AMENDED = SpecResponse(
    HTTP_201=ChartState,
    HTTP_409=StaleBody,
    HTTP_403=ErrorBody,
    **{**ERRORS, "HTTP_400": ChartRefusal},
)


def _site(site: SiteRow) -> dict[str, object]:
    return SiteDelta.model_validate(site, from_attributes=True).model_dump(mode="json")


def _named_refusal(change: Callable[[], Any]) -> Any:
    """Run a signature or an amendment; name each field it is refused for in words.

    The page may show no box for a refused field (a warning raised since it last
    drew the chart, or consent): the refusal names each in the server's words.
    """
    try:
        return change()
    except InvalidInput as exc:
        names = {muscle.code: muscle.name for muscle in face_map().muscles}
        exc.labels = refusal_labels(exc.fields, names)
        raise


def _named_validation(*hook: Any) -> None:
    """Answer spectree's refusal of a signature or an amendment, named in words."""
    _named_refusal(lambda: raise_validation(*hook))


def _guarded(session_id: int, change: Callable[[], Any]) -> Any:
    """Run a change; a stale version answers 409 with the chart as it now is."""
    try:
        return change()
    except StaleWrite as exc:
        body = {"error": exc.message, "state": _state(session_id).as_json()}
        return jsonify(body), 409


def _whole_chart_change(
    session_id: int,
    operation: chart_prefill.WholeChartChange,
) -> Any:
    """Run a change to the whole chart: answer its new version and what it left out."""

    def change() -> Response:
        data = require_json_object(request)
        done = operation(
            get_session(), current_actor(), session_id, data, zone=clinic_zone()
        )
        return jsonify(version=done.version, left_out=list(done.left_out))

    return _guarded(session_id, change)


def _chart_mutation(
    body: type[BaseModel], resp: SpecResponse = MUTATION, *, validate: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let only injectors call the view; document ``body`` and ``resp`` for it.

    Unless ``validate`` is set, the service validates the body itself and
    spectree only documents it.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        documented = spec.validate(
            json=body,
            resp=resp,
            tags=["chart"],
            skip_validation=not validate,
            before=_named_validation if validate else None,
        )(view)
        return roles_required(Role.INJECTOR)(documented)

    return decorate


@bp.get("/sessions/<int:session_id>")
@spec.validate(resp=SpecResponse(HTTP_200=ChartState, **ERRORS), tags=["chart"])
def get_chart(session_id: int) -> ChartState:
    """Return the chart: sites with volumes, totals, warnings, last cycle and map."""
    # The typed state itself: spectree writes it out without validating it again.
    return _state(session_id)


@bp.post("/sessions/<int:session_id>/sites")
@_chart_mutation(SiteCreate, SITE_ADDED)
def add_site(session_id: int) -> Any:
    """Chart a site at a tapped point, or at a muscle's reference point."""

    def change() -> tuple[Response, int]:
        db = get_session()
        version, site = chart_service.add_site(
            db,
            current_actor(),
            session_id,
            require_json_object(request),
            face_map=face_map(),
            default_units=default_units(db),
            zone=clinic_zone(),
        )
        return jsonify(version=version, site=_site(site)), 201

    return _guarded(session_id, change)


@bp.patch("/sessions/<int:session_id>/sites/<int:site_id>")
@_chart_mutation(SiteUpdate)
def update_site(session_id: int, site_id: int) -> Any:
    """Change a site's dose, or move it (its muscle and side are detected again)."""

    def change() -> Response:
        version, site = chart_service.update_site(
            get_session(),
            current_actor(),
            session_id,
            site_id,
            require_json_object(request),
            face_map=face_map(),
            zone=clinic_zone(),
        )
        return jsonify(version=version, site=_site(site))

    return _guarded(session_id, change)


@bp.delete("/sessions/<int:session_id>/sites/<int:site_id>")
@_chart_mutation(VersionOnly)
def delete_site(session_id: int, site_id: int) -> Any:
    """Remove a site from a draft chart."""

    def change() -> Response:
        version = chart_service.delete_site(
            get_session(),
            current_actor(),
            session_id,
            site_id,
            require_json_object(request),
        )
        return jsonify(version=version, deleted=site_id)

    return _guarded(session_id, change)


@bp.post("/sessions/<int:session_id>/copy-last")
@_chart_mutation(chart_prefill.CopyChoice, PREFILLED)
def copy_last(session_id: int) -> Any:
    """Add every site of the previous cycle to today's chart."""
    return _whole_chart_change(session_id, chart_prefill.copy_last_cycle)


@bp.post("/sessions/<int:session_id>/apply-template")
@_chart_mutation(chart_prefill.TemplateChoice, PREFILLED)
def apply_template(session_id: int) -> Any:
    """Add a clinic protocol template's sites, placed for the patient's palsied side."""
    return _whole_chart_change(session_id, chart_prefill.apply_template)


PREVIEWED = SpecResponse(HTTP_200=PrefillPreviewBody, HTTP_403=ErrorBody, **ERRORS)


def _preview_body(preview: chart_prefill.PrefillPreview) -> Response:
    names = {muscle.code: muscle.name for muscle in face_map().muscles}
    body = PrefillPreviewBody(
        sites=[
            PreviewSite(
                muscle=site.muscle,
                muscle_name=names.get(site.muscle, site.muscle),
                side=site.side,
                units=site.units,
                unset_reason=site.unset_reason,
            )
            for site in preview.sites
        ],
        left_out=list(preview.left_out),
        today=preview.today,
    )
    return jsonify(body.model_dump(mode="json"))


@bp.get("/sessions/<int:session_id>/copy-last")
@roles_required(Role.INJECTOR)
@spec.validate(resp=PREVIEWED, tags=["chart"], skip_validation=True)
def preview_copy_last(session_id: int) -> Response:
    """Preview copying the last cycle: the sites it would add and leave out."""
    return _preview_body(
        chart_prefill.preview_copy_last(get_session(), session_id, zone=clinic_zone())
    )


@bp.get("/sessions/<int:session_id>/apply-template")
@roles_required(Role.INJECTOR)
@spec.validate(
    query=chart_prefill.TemplatePreviewQuery,
    resp=PREVIEWED,
    tags=["chart"],
    skip_validation=True,
)
def preview_template(session_id: int) -> Response:
    """Preview applying a template (``?template_id=``): what it adds and leaves out."""
    preview = chart_prefill.preview_template(
        get_session(), session_id, request.args.to_dict(), zone=clinic_zone()
    )
    return _preview_body(preview)


@bp.post("/sessions/<int:session_id>/sign")
@_chart_mutation(session_service.SignRequest, SIGNED, validate=True)
def sign(session_id: int) -> Any:
    """Sign the session; it becomes read-only and is corrected only by amendment."""

    def change() -> Response:
        _named_refusal(
            lambda: session_service.sign_session(
                get_session(),
                current_actor(),
                session_id,
                require_json_object(request),
                zone=clinic_zone(),
                diary_key=diary_key(),
            )
        )
        # Emailed after the signing is committed: a mail failure never undoes it.
        email_diary(session_id)
        return jsonify(_state(session_id).as_json())

    return _guarded(session_id, change)


@bp.post("/sessions/<int:session_id>/amendments")
@_chart_mutation(amendment_service.AmendRequest, AMENDED, validate=True)
def amend(session_id: int) -> Any:
    """Correct a signed session with a reason, against the record's ``version``.

    The record shows the amendment; one made against an earlier version gets 409
    with the chart as it now is.
    """

    def change() -> tuple[Response, int]:
        _named_refusal(
            lambda: amendment_service.amend_session(
                get_session(),
                current_actor(),
                session_id,
                require_json_object(request),
                zone=clinic_zone(),
            )
        )
        return jsonify(_state(session_id).as_json()), 201

    return _guarded(session_id, change)
