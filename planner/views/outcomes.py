"""Outcomes: clinician-graded scores, patient self-entry, responses, the cycles page."""

from datetime import timedelta
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner import scoring
from planner.access import PUBLIC_ENDPOINTS
from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import StaleWrite
from planner.models import Role
from planner.models import Timepoint
from planner.plots import format_value
from planner.scoring import InstrumentDefinition
from planner.services import adverse_events
from planner.services import outcomes as service
from planner.services.cycle_plots import draw_cycles
from planner.services.cycles import cycles_overview
from planner.services.diary_adverse import diary_offers
from planner.services.diary_adverse import prefill_or_none
from planner.services.diary_adverse import reported_days
from planner.services.diary_clinic import diary_by_cycle
from planner.services.login_sessions import kiosk_state
from planner.services.login_sessions import save_kiosk
from planner.services.patients import get_patient
from planner.services.sessions import get_session_record
from planner.services.users import LoginAttempt
from planner.services.users import unlock_kiosk
from planner.views.auth import throttle_rules
from planner.views.context import chosen_cycles
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import face_map
from planner.views.context import posted_form
from planner.views.query_args import chosen_muscle
from planner.views.query_args import query_choice
from planner.vocabulary import LABELS
from planner.vocabulary import PATIENT_ANSWERED

bp = Blueprint("outcomes", __name__)

# While a patient holds the tablet, these are the only pages it will show.
SELF_ENTRY_ENDPOINTS = frozenset(
    {
        "outcomes.self_entry",
        "outcomes.self_entry_answer",
        "outcomes.self_entry_exit",
        "static",
        "auth.login",
    }
)
KIOSK_ERRORS = {
    "choose": "Please choose one answer.",
    "password": "That password is not right.",
    "wait": "Too many wrong passwords: please wait a minute, then try again.",
}


@bp.before_app_request
def lock_to_self_entry() -> Response | None:
    """Keep the tablet on the questionnaire until the clinician unlocks it."""
    if request.endpoint in SELF_ENTRY_ENDPOINTS | PUBLIC_ENDPOINTS:
        return None  # the kiosk's own pages, or ones that show no record
    if "_user_id" not in session:
        return None  # nobody logged in to hold the tablet
    if getattr(current_user, "kiosk", False):
        return redirect(url_for("outcomes.self_entry"))
    return None


# Baseline is kept for scores recorded so; a new one is the first pre-treatment.
TIMEPOINT_CHOICES = {
    Timepoint.PRE_TREATMENT.value: "Before treatment (the first is the baseline)",
    Timepoint.REVIEW.value: "2-week review",
    Timepoint.WEAR_OFF.value: "When the effect wore off",
    Timepoint.OTHER.value: "Other",
}


def _suggested(patient_id: int) -> str:
    return service.suggest_timepoint(
        get_session(), patient_id, day=clinic_today(), zone=clinic_zone()
    )


def _render_form(
    patient_id: int,
    instrument: str,
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
) -> tuple[str, int]:
    try:
        definition = scoring.get_instrument(instrument)
    except scoring.ScoringError:
        definition = scoring.get_instrument("sunnybrook")
    return render_template(
        "outcomes/assessment_form.html",
        patient=get_patient(get_session(), patient_id),
        definition=definition,
        instruments=scoring.INSTRUMENTS,
        timepoints=TIMEPOINT_CHOICES,
        data=data,
        errors=errors,
    ), status


@bp.get("/patients/<int:patient_id>/assessments/new")
@roles_required(Role.INJECTOR)
def new_assessment(patient_id: int) -> tuple[str, int]:
    """Show a clinician-graded form: ``?instrument=``, Sunnybrook if none."""
    # Never another instrument's form under a link that asked for this one.
    instrument = query_choice(
        "instrument",
        scoring.INSTRUMENTS,
        default="sunnybrook",
        message="The page's address names an instrument this form does not have.",
    )
    data = {"timepoint": _suggested(patient_id)}
    return _render_form(patient_id, instrument, data, {}, 200)


@bp.post("/patients/<int:patient_id>/assessments")
@roles_required(Role.INJECTOR)
def create_assessment(patient_id: int) -> Response | tuple[str, int]:
    """Score and save a clinician-graded instrument from its form."""
    form = posted_form()
    instrument = form.pop("instrument", "")
    timepoint = form.pop("timepoint", "")
    try:
        saved = service.record_assessment(
            get_session(),
            current_actor(),
            patient_id,
            instrument,
            form,
            timepoint=timepoint,
            zone=clinic_zone(),
        )
    except InvalidInput as exc:
        return _render_form(
            patient_id, instrument, {**form, "timepoint": timepoint}, exc.fields, 400
        )
    score = "no headline score" if saved.total is None else format_value(saved.total)
    title = scoring.get_instrument(saved.instrument.value).title
    flash(f"{title} saved: {score}.", "success")
    return redirect(url_for("outcomes.cycles", patient_id=patient_id))


@bp.get("/patients/<int:patient_id>/self-entry/new")
@roles_required(Role.INJECTOR)
def new_self_entry(patient_id: int) -> str:
    """Before handing the tablet over: which questionnaire, and when in the cycle."""
    # A mistyped link must not hand the patient another questionnaire.
    instrument = query_choice(
        "instrument",
        PATIENT_ANSWERED,
        default="saq",
        message="The page's address names a questionnaire patients do not answer.",
        why="the questionnaires patients answer themselves",
    )
    return render_template(
        "outcomes/self_entry_start.html",
        patient=get_patient(get_session(), patient_id),
        instruments={
            code: scoring.get_instrument(code).title for code in PATIENT_ANSWERED
        },
        instrument=instrument,
        timepoints=TIMEPOINT_CHOICES,
        timepoint=_suggested(patient_id),
    )


@bp.post("/patients/<int:patient_id>/self-entry")
@roles_required(Role.INJECTOR)
def start_self_entry(patient_id: int) -> Response:
    """Hand the tablet to the patient: only the questionnaire shows until unlocked."""
    instrument = request.form.get("instrument", "saq")
    if instrument not in PATIENT_ANSWERED:
        flash("Patients answer the SAQ or the FDI themselves.", "error")
        return redirect(url_for("patients.detail", patient_id=patient_id))
    timepoint = request.form.get("timepoint") or _suggested(patient_id)
    if timepoint not in TIMEPOINT_CHOICES and timepoint != Timepoint.BASELINE:
        flash("Choose when in the cycle the patient answers.", "error")
        return redirect(url_for("outcomes.new_self_entry", patient_id=patient_id))
    try:
        # Before the tablet is handed over, not after the last answer.
        service.check_timepoint(
            get_session(), patient_id, timepoint, zone=clinic_zone()
        )
    except InvalidInput as exc:
        flash(f"Choose another time point: {exc.fields['timepoint']}.", "error")
        return redirect(url_for("outcomes.new_self_entry", patient_id=patient_id))
    patient = get_patient(get_session(), patient_id)
    # Kept with the login session on the server: the answers are health data.
    _save_kiosk(
        {
            "patient_id": patient.id,
            "instrument": instrument,
            "timepoint": timepoint,
            "answers": {},
            "step": 0,
            "done": False,
        }
    )
    return redirect(url_for("outcomes.self_entry"))


def _kiosk() -> dict[str, Any] | None:
    if not current_user.is_authenticated:
        return None
    return kiosk_state(get_session(), current_user.session_id)


def _save_kiosk(state: dict[str, Any] | None) -> None:
    save_kiosk(get_session(), current_user.session_id, state)


def _kiosk_step() -> tuple[dict[str, Any], InstrumentDefinition, int] | None:
    """Return the kiosk's state, its questionnaire and the question it is on."""
    state = _kiosk()
    if state is None:
        return None
    definition = scoring.get_instrument(state["instrument"])
    return state, definition, min(int(state["step"]), len(definition.items) - 1)


@bp.get("/self-entry")
def self_entry() -> Response | str:
    """Show the patient one question at a time, in large type."""
    found = _kiosk_step()
    if found is None:
        return redirect(url_for("patients.index"))
    state, definition, step = found
    items = definition.items
    if state["done"]:
        patient = get_patient(get_session(), state["patient_id"])
        state = {**state, "name": patient.given_name}
    return render_template(
        "outcomes/self_entry.html",
        state=state,
        definition=definition,
        item=items[step],
        step=step,
        count=len(items),
        answer=state["answers"].get(items[step].key),
        # Only the server's own messages reach the patient's screen.
        error=KIOSK_ERRORS.get(request.args.get("error", "")),
    )


@bp.post("/self-entry")
def self_entry_answer() -> Response:
    """Keep the patient's answer and move on; after the last, save the questionnaire."""
    found = _kiosk_step()
    if found is None:
        return redirect(url_for("patients.index"))
    state, definition, step = found
    if state.get("done"):
        # A second tap on the last answer, or the browser resending it: the
        # answers are saved, so the patient sees the thank-you screen again.
        return redirect(url_for("outcomes.self_entry"))
    items = definition.items
    if request.form.get("move") == "back":
        state["step"] = max(0, step - 1)
        _save_kiosk(state)
        return redirect(url_for("outcomes.self_entry"))
    answer = request.form.get("answer", "")
    # Choice values may be numbers; a posted answer is always text.
    allowed = {str(choice.value) for choice in items[step].choices}
    if answer not in allowed:
        return redirect(url_for("outcomes.self_entry", error="choose"))
    state["answers"][items[step].key] = answer
    if step + 1 < len(items):
        state["step"] = step + 1
        _save_kiosk(state)
        return redirect(url_for("outcomes.self_entry"))
    service.record_assessment(
        get_session(),
        current_actor(),
        state["patient_id"],
        state["instrument"],
        state["answers"],
        timepoint=state["timepoint"],
        zone=clinic_zone(),
        self_entered=True,
    )
    state["done"] = True
    state["answers"] = {}
    _save_kiosk(state)
    return redirect(url_for("outcomes.self_entry"))


@bp.post("/self-entry/exit")
def self_entry_exit() -> Response:
    """Unlock the tablet: only the clinician's own password ends self-entry."""
    state = _kiosk()
    if state is None:
        return redirect(url_for("patients.index"))
    check = unlock_kiosk(
        get_session(),
        LoginAttempt(
            email=current_user.email,
            password=request.form.get("password", "")[:256],
            client=request.remote_addr,
            user_agent=request.user_agent.string,
            now=utc_now(),
        ),
        throttle_rules(),
    )
    if not check.unlocked:
        error = "wait" if check.wait > timedelta(0) else "password"
        return redirect(url_for("outcomes.self_entry", error=error))
    _save_kiosk(None)
    if state.get("done"):
        flash("The patient's answers are saved.", "success")
        return redirect(url_for("outcomes.cycles", patient_id=state["patient_id"]))
    flash("Self-entry stopped; the unfinished answers were not saved.", "info")
    return redirect(url_for("patients.detail", patient_id=state["patient_id"]))


def render_response(
    session_id: int,
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
    *,
    event_data: dict[str, Any] | None = None,
) -> tuple[str, int]:
    """Render the response page, its adverse-event form filled with ``event_data``."""
    db = get_session()
    record = get_session_record(db, session_id)
    existing = service.response_for(db, session_id)
    values = data or ({} if existing is None else existing.model_dump(mode="json"))
    events = adverse_events.events_for(db, session_id)
    event_data = event_data or {}
    return render_template(
        "outcomes/response.html",
        record=record,
        patient=get_patient(db, record.patient_id),
        data=values,
        errors=errors,
        events=events,
        reported=reported_days(db, events, zone=clinic_zone()),
        diary_offers=diary_offers(db, record, zone=clinic_zone()),
        event_data=event_data,
        from_diary=prefill_or_none(
            db,
            event_data.get("diary_entry_id"),
            zone=clinic_zone(),
            onset=str(event_data.get("onset_date") or ""),
        ),
        kinds=LABELS["adverse_event"],
        severities=LABELS["severity"],
    ), status


@bp.get("/sessions/<int:session_id>/response")
def response_form(session_id: int) -> tuple[str, int]:
    return render_response(session_id, {}, {}, 200)


@bp.post("/sessions/<int:session_id>/response")
@roles_required(Role.INJECTOR)
def save_response(session_id: int) -> Response | tuple[str, int]:
    """Record how the cycle worked: onset, peak, wear-off, the patient's rating."""
    data = request.form.to_dict()
    try:
        service.record_response(
            get_session(), current_actor(), session_id, data, zone=clinic_zone()
        )
    except (InvalidInput, StaleWrite) as exc:
        return render_response(
            session_id,
            data,
            exc.fields or {"version": exc.message},
            409 if isinstance(exc, StaleWrite) else 400,
        )
    flash("Response saved.", "success")
    return redirect(url_for("outcomes.response_form", session_id=session_id))


@bp.post("/sessions/<int:session_id>/adverse-events")
@roles_required(Role.INJECTOR)
def add_adverse_event(session_id: int) -> Response | tuple[str, int]:
    data = request.form.to_dict()
    try:
        adverse_events.add_adverse_event(
            get_session(),
            current_actor(),
            session_id,
            data,
            today=clinic_today(),
            zone=clinic_zone(),
        )
    except InvalidInput as exc:
        errors = {f"event_{k}": v for k, v in exc.fields.items()}
        return render_response(session_id, {}, errors, 400, event_data=data)
    flash(
        "Adverse event recorded from the patient's diary."
        if data.get("diary_entry_id")
        else "Adverse event recorded.",
        "success",
    )
    return redirect(url_for("outcomes.response_form", session_id=session_id))


@bp.get("/patients/<int:patient_id>/cycles")
def cycles(patient_id: int) -> str:
    """Compare the patient's cycles: ledger, maps, doses, scores, one muscle."""
    chosen = chosen_cycles(request.args)
    muscle = request.args.get("muscle", "")
    overview = cycles_overview(
        get_session(),
        patient_id,
        face_map=face_map(),
        zone=clinic_zone(),
        only=chosen or None,
        muscle=chosen_muscle(muscle),
    )
    return render_template(
        "outcomes/cycles.html",
        overview=draw_cycles(overview, face_map()),
        patient=get_patient(get_session(), patient_id),
        chosen=sorted(chosen),
        muscle=muscle,
        diary=diary_by_cycle(get_session(), patient_id, zone=clinic_zone()),
    )
