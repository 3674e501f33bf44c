"""Opening a treatment session and the chart page at the chair."""

from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import session as cookie
from flask import url_for
from flask_login import current_user
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.dosing import format_units
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import NoDoseReference
from planner.errors import StaleWrite
from planner.models import Role
from planner.services import amendments as amendment_service
from planner.services import drafts
from planner.services import lots as lot_service
from planner.services import sessions as service
from planner.services import vial_switch
from planner.services.consent_alerts import chart_consent_problem
from planner.services.consent_alerts import treatment_consent_now
from planner.services.dose_rules import keypad_chips
from planner.services.patients import get_patient
from planner.services.protocols import save_session_as_template
from planner.services.stock_levels import openable_stock
from planner.services.treatment_time import set_treatment_time
from planner.services.warning_reasons import FIELD_LABELS
from planner.services.warning_reasons import reason_labels
from planner.views.context import clinic_now
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import current_chart_state
from planner.views.context import face_map
from planner.views.context import posted_form
from planner.views.flashing import flash_error
from planner.views.held_session_form import drop_held_form
from planner.views.held_session_form import held_form
from planner.views.held_session_form import hold_form
from planner.views.no_reference import answer_no_reference
from planner.views.query_args import query_choice
from planner.vocabulary import label

bp = Blueprint("sessions", __name__)
answer_no_reference(bp)


def _render_new(
    patient_id: int,
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
    *,
    held: bool = False,
) -> tuple[str, int]:
    db = get_session()
    patient = get_patient(db, patient_id)
    return render_template(
        "sessions/new.html",
        patient=patient,
        products=lot_service.list_products(db),
        lots=lot_service.list_usable_lots(db, now=utc_now(), zone=clinic_zone()),
        stock=openable_stock(db, today=clinic_today()),
        last_product=service.last_product_code(db, patient_id),
        draft=drafts.open_draft(db, patient_id, clinic_zone()),
        today=clinic_today(),
        consent=treatment_consent_now(
            db, [patient_id], now=clinic_now(), zone=clinic_zone()
        )[patient_id],
        data=data,
        errors=errors,
        held=held,
    ), status


@bp.get("/patients/<int:patient_id>/sessions/new")
@roles_required(Role.INJECTOR)
def new(patient_id: int) -> tuple[str, int]:
    # Back from signing consent: what was typed before it (held_session_form).
    held = held_form(patient_id, now=utc_now())
    return _render_new(patient_id, held or {"kind": "full"}, {}, 200, held=bool(held))


# Where the new-session form's consent buttons go once the form is held.
CONSENT_PAGES = {"sign": "consent.sign_form", "page": "consent.index"}


@bp.post("/patients/<int:patient_id>/sessions/new/consent")
@roles_required(Role.INJECTOR)
def hold_for_consent(patient_id: int) -> Response:
    """Keep what was typed on the new-session form, then go to sign consent."""
    to = query_choice(
        "to",
        CONSENT_PAGES,
        default="sign",
        message="That is not a consent page this form goes to.",
        why="sign (the form to sign) or page (the consent page)",
    )
    get_patient(get_session(), patient_id)
    hold_form(patient_id, request.form, now=utc_now())
    back = url_for("sessions.new", patient_id=patient_id)
    if to == "sign":
        return redirect(
            url_for(
                CONSENT_PAGES[to], patient_id=patient_id, kind="treatment", next=back
            )
        )
    return redirect(url_for(CONSENT_PAGES[to], patient_id=patient_id, next=back))


@bp.post("/patients/<int:patient_id>/sessions")
@roles_required(Role.INJECTOR)
def create(patient_id: int) -> Response | tuple[str, int]:
    data = posted_form()
    try:
        record = service.open_session(
            get_session(), current_actor(), patient_id, data, zone=clinic_zone()
        )
    except InvalidInput as exc:
        return _render_new(patient_id, data, exc.fields, 400)
    drop_held_form()
    flash("Session opened. Tap the map to chart each injection.", "success")
    return redirect(url_for("sessions.chart", session_id=record.id))


# The chart's own change of treatment time, remembered for the page it redirects to:
# [session id, version before, version after]. The time moves the version but no
# site, so the chart's undo history saved before it stays safe to offer (undo.js).
TIME_STEP = "chart_time_step"


def _time_step_from(session_id: int, version: int) -> int | None:
    """The version this chart came from by its treatment time alone, if it did."""
    step = cookie.get(TIME_STEP)
    if not (isinstance(step, list) and len(step) == 3 and step[0] == session_id):
        return None
    cookie.pop(TIME_STEP, None)
    before, after = step[1], step[2]
    return before if isinstance(before, int) and after == version else None


def _render_chart(
    session_id: int,
    *,
    amend_data: dict[str, str] | None = None,
    amend_errors: dict[str, str] | None = None,
    time_data: dict[str, str] | None = None,
    time_errors: dict[str, str] | None = None,
    vial_data: dict[str, str] | None = None,
    vial_errors: dict[str, str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    state = current_chart_state(session_id)
    draft = state.session.status == "draft"
    injector = current_user.role == Role.INJECTOR
    # The vials a draft may switch to, offered as the new-session form offers them.
    vials = (
        vial_switch.switch_choices(get_session(), session_id, zone=clinic_zone())
        if draft and injector
        else None
    )
    recorded = {
        f"units_{site.id}": f"{site.units:g}"
        for site in state.sites
        if site.units is not None
    }
    recorded["version"] = str(state.session.version)
    amend_data = {**recorded, **(amend_data or {})}
    amend_errors = amend_errors or {}
    # Each field of the amendment form as its summary and its own error read it.
    amend_labels = {
        **{name: FIELD_LABELS[name] for name in ("reason", "note", "corrections")},
        # The form's own version: "This form is out of date: …".
        "version": "This form",
        **{
            f"units_{site.id}": f"Site {site.number}: {site.muscle_name}, "
            f"{label('side', site.side).lower()}"
            for site in state.sites
        },
        **reason_labels(
            [*amend_errors, *amend_data], {m.code: m.name for m in state.muscles}
        ),
    }
    chips = keypad_chips(get_session(), state)
    return render_template(
        "sessions/chart.html",
        discarded=drafts.discard_note(get_session(), session_id),
        can_discard=draft and injector,
        discard_data={},
        discard_errors={},
        common_doses=[format_units(units) for units in chips.units],
        common_doses_source=chips.source,
        state=state,
        state_json=htmlsafe_json_dumps(state.as_json()),
        svg=Markup(state.svg),  # noqa: S704  # generated by facemap.render, which escapes all text
        patient=get_patient(get_session(), state.patient.id),
        can_chart=draft and injector,
        can_sign=draft and injector,
        # A correction is checked against the product's dose reference: a
        # record in a product with none is shown and printed, never amended.
        can_amend=state.session.status == "signed"
        and injector
        and state.session.product.dose_reference,
        amend_data=amend_data,
        amend_errors=amend_errors,
        amend_labels=amend_labels,
        undo_time_from=_time_step_from(session_id, state.session.version)
        if draft and injector
        else None,
        time_data=time_data or {"performed_at": state.session.treatment_time_input},
        time_errors=time_errors or {},
        vials=vials,
        vial_data=vial_data or {},
        vial_errors=vial_errors or {},
        consent_problem=chart_consent_problem(
            get_session(), session_id, now=clinic_now(), zone=clinic_zone()
        ),
    ), status


@bp.get("/sessions/<int:session_id>")
def chart(session_id: int) -> tuple[str, int]:
    """Show the chart; injectors can edit a draft, everyone can read."""
    return _render_chart(session_id)


@bp.get("/sessions/<int:session_id>/panels")
def panels(session_id: int) -> str:
    """Render the chart's totals, changes and safety checks for the page to swap in."""
    state = current_chart_state(session_id)
    injector = current_user.role == Role.INJECTOR
    draft = state.session.status == "draft"
    return render_template(
        "sessions/_chart_panels.html",
        state=state,
        can_chart=draft and injector,
        can_sign=draft and injector,
        fragment=True,
    )


@bp.post("/sessions/<int:session_id>/time")
@roles_required(Role.INJECTOR)
def set_time(session_id: int) -> Response | tuple[str, int]:
    """Enter the draft's treatment time, on the clinic's clock."""
    data = posted_form()
    try:
        version = set_treatment_time(
            get_session(), current_actor(), session_id, data, zone=clinic_zone()
        )
    except InvalidInput as exc:
        return _render_chart(
            session_id, time_data=data, time_errors=exc.fields, status=400
        )
    except (StaleWrite, Conflict) as exc:
        flash_error(exc)
    else:
        # The version moved by one, for the time alone: the chart keeps its undo.
        cookie[TIME_STEP] = [session_id, version - 1, version]
        flash("Treatment time saved; the checks are taken at it.", "success")
    return redirect(url_for("sessions.chart", session_id=session_id))


@bp.post("/sessions/<int:session_id>/vial")
@roles_required(Role.INJECTOR)
def switch_vial(session_id: int) -> Response | tuple[str, int]:
    """Draw the draft's next sites from another vial: listed, or new."""
    data = posted_form()
    try:
        _, lot = vial_switch.switch_vial(
            get_session(), current_actor(), session_id, data, zone=clinic_zone()
        )
    except InvalidInput as exc:
        return _render_chart(
            session_id, vial_data=data, vial_errors=exc.fields, status=400
        )
    except (StaleWrite, Conflict) as exc:
        flash_error(exc)
    else:
        flash(
            f"Switched to lot {lot.lot_number}: the sites charted from now on are "
            "drawn from it; those charted already keep their vial. Undo starts "
            "again from the switch: what was done before it cannot be undone.",
            "success",
        )
    return redirect(url_for("sessions.chart", session_id=session_id))


@bp.post("/sessions/<int:session_id>/template")
@roles_required(Role.INJECTOR)
def save_as_template(session_id: int) -> Response:
    """Save the chart's sites as a new protocol template under the name given."""
    try:
        template = save_session_as_template(
            get_session(),
            current_actor(),
            face_map=face_map(),
            treatment_session_id=session_id,
            name=request.form.get("template_name", ""),
        )
    except InvalidInput as exc:
        flash_error(exc)
    else:
        flash(f"Saved as the template {template.name}.", "success")
    return redirect(url_for("sessions.chart", session_id=session_id))


@bp.post("/sessions/<int:session_id>/amendments")
@roles_required(Role.INJECTOR)
def amend(session_id: int) -> Response | tuple[str, int]:
    """Correct a signed session from the form under its chart."""
    form = request.form.to_dict()
    try:
        data = amendment_service.amendment_from_form(get_session(), session_id, form)
        amendment_service.amend_session(
            get_session(), current_actor(), session_id, data, zone=clinic_zone()
        )
    except NoDoseReference:
        # Not a field to correct: the blueprint's page says which product, and why.
        raise
    except InvalidInput as exc:
        return _render_chart(
            session_id, amend_data=form, amend_errors=exc.fields, status=400
        )
    except StaleWrite as exc:
        # The record as it now is, with the reason and note kept to redo it.
        kept = {name: form.get(name, "") for name in ("reason", "note")}
        return _render_chart(
            session_id, amend_data=kept, amend_errors=exc.fields, status=409
        )
    flash("Amendment saved; the record now shows it.", "success")
    return redirect(url_for("sessions.chart", session_id=session_id))


def _render_discard(
    session_id: int, data: dict[str, str], errors: dict[str, str], *, confirm: bool
) -> tuple[str, int]:
    draft = drafts.draft_to_discard(get_session(), session_id, clinic_zone())
    return render_template(
        "sessions/discard.html",
        draft=draft,
        patient=get_patient(get_session(), draft.patient_id),
        data=data,
        errors=errors,
        confirm=confirm,
    ), 400 if errors else 200


@bp.get("/sessions/<int:session_id>/discard")
@roles_required(Role.INJECTOR)
def discard_form(session_id: int) -> tuple[str, int]:
    """Ask why the never-signed draft is being discarded (``?then=new``: then
    back to the new-treatment form)."""
    then = query_choice(
        "then",
        ["new"],
        default="",
        message="The page's address names a page to go on to that planner has not.",
        why="the new-treatment form",
    )
    return _render_discard(session_id, {"then": then}, {}, confirm=False)


@bp.post("/sessions/<int:session_id>/discard")
@roles_required(Role.INJECTOR)
def discard(session_id: int) -> Response | tuple[str, int]:
    """Discard a draft in two steps: give the reason, then confirm it."""
    data = posted_form()
    try:
        if data.get("confirmed") != "yes":
            drafts.check_reason(data)
            return _render_discard(session_id, data, {}, confirm=True)
        record = drafts.discard_draft(get_session(), current_actor(), session_id, data)
    except InvalidInput as exc:
        return _render_discard(session_id, data, exc.fields, confirm=False)
    flash("The draft was discarded; it stays on the timeline as discarded.", "success")
    if data.get("then") == "new":
        return redirect(url_for("sessions.new", patient_id=record.patient_id))
    return redirect(url_for("patients.detail", patient_id=record.patient_id))
