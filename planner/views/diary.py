"""The patient's diary between visits: public pages keyed by the link's token.

Only the diary's own pages (``PUBLIC_DIARY``) are exempt from the login gate;
CSRF stays on for their forms. Every refusal (unknown, expired, ended, revoked
or malformed token) is the same page with the same status. The clinic's two
actions (revoke a link, mark an item dealt with) need a login as usual.
"""

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from planner import scoring
from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import DiaryEntry
from planner.models import Role
from planner.services import diary_entries as entries
from planner.services.diary_adverse import prefill_from_diary
from planner.services.diary_clinic import describe
from planner.services.diary_clinic import handle_entry
from planner.services.diary_errors import in_patient_words
from planner.services.diary_forms import CALL_SOURCE
from planner.services.diary_forms import EMERGENCY_SOURCE
from planner.services.diary_forms import SAQ_WHEN_WORDS
from planner.services.diary_forms import SIDE_EFFECT_WORDS
from planner.services.diary_forms import URGENT
from planner.services.diary_forms import WEEKLY_WORDS
from planner.services.diary_links import DiaryThrottled
from planner.services.diary_links import OpenDiary
from planner.services.diary_links import open_diary
from planner.services.diary_links import record_diary_read
from planner.services.diary_links import revoke_diary_link
from planner.services.diary_mail import email_diary_link
from planner.services.diary_reprint import give_new_link
from planner.views.context import clinic_words
from planner.views.context import clinic_zone
from planner.views.context import diary_key
from planner.views.context import mailer
from planner.views.context import posted_form
from planner.views.outcomes import render_response
from planner.views.query_args import query_day

bp = Blueprint("diary", __name__)

Page = tuple[str, int] | Response
Recorder = Callable[..., DiaryEntry]

# The pages a patient reaches with the link alone (planner.access exempts them).
STEPS: dict[str, tuple[str, Recorder]] = {
    "onset": ("diary/onset.html", entries.record_onset),
    "side-effect": ("diary/side_effect.html", entries.record_side_effect),
    "weekly": ("diary/weekly.html", entries.record_weekly),
    "questionnaire": ("diary/saq.html", entries.record_saq),
    "wear-off": ("diary/wear_off.html", entries.record_wear_off),
}


def _refused(throttled: bool = False) -> tuple[str, int]:
    if throttled:
        return render_template("diary/refused.html", throttled=True), 429
    return render_template("diary/refused.html", throttled=False), 404


def _open(token: str) -> OpenDiary | tuple[str, int]:
    """Open the token's diary, or render the refusal page (the same for every why)."""
    try:
        diary = open_diary(
            get_session(),
            token,
            client=request.remote_addr,
            now=utc_now(),
            zone=clinic_zone(),
        )
    except DiaryThrottled:
        return _refused(throttled=True)
    return _refused() if diary is None else diary


def _render(
    template: str, diary: OpenDiary, token: str, status: int = 200, **context: Any
) -> tuple[str, int]:
    record_diary_read(
        get_session(),
        diary,
        template.removeprefix("diary/").removesuffix(".html"),
        client=request.remote_addr,
        now=utc_now(),
    )
    return render_template(
        template,
        diary=diary,
        token=token,
        side_effects=SIDE_EFFECT_WORDS,
        urgent_effects=URGENT,
        weekly=WEEKLY_WORDS,
        saq=scoring.get_instrument("saq"),
        saq_when=SAQ_WHEN_WORDS,
        emergency_source=EMERGENCY_SOURCE,
        call_source=CALL_SOURCE,
        **context,
    ), status


def _step_context(step: str, diary: OpenDiary) -> dict[str, Any]:
    """What a step's page needs besides the diary: the SAQ's answers for today."""
    if step != "questionnaire":
        return {}
    return {"timing": entries.saq_timing_of(get_session(), diary)}


@bp.get("/diary/<token>")
def home(token: str) -> Page:
    """Show the cycle's diary: what to record, and what the patient has recorded."""
    diary = _open(token)
    if not isinstance(diary, OpenDiary):
        return diary
    recorded = entries.diary_entries(get_session(), diary)
    saved = next(
        (e for e in recorded if str(e.id) == request.args.get("saved", "")), None
    )
    return _render(
        "diary/home.html",
        diary,
        token,
        recorded=[(entry, describe(entry)) for entry in recorded],
        saved=saved,
        saved_words=describe(saved) if saved else "",
    )


@bp.route("/diary/<token>/<step>", methods=["GET", "POST"])
def step(token: str, step: str) -> Page:
    """Show one question page, or store its answers and go back to the diary."""
    if step not in STEPS:
        return _refused()
    diary = _open(token)
    if not isinstance(diary, OpenDiary):
        return diary
    template, recorder = STEPS[step]
    page = _step_context(step, diary)
    if request.method == "GET":
        return _render(template, diary, token, data={}, errors={}, **page)
    data = posted_form()
    if step == "side-effect":
        data["effects"] = request.form.getlist("effects")
    extra = {"zone": clinic_zone()} if step == "wear-off" else {}
    try:
        entry = recorder(
            get_session(),
            diary,
            data,
            client=request.remote_addr,
            now=utc_now(),
            **extra,
        )
    except InvalidInput as exc:
        get_session().rollback()
        errors = in_patient_words(step, exc.fields)
        return _render(template, diary, token, 400, data=data, errors=errors, **page)
    return redirect(url_for("diary.home", token=token, saved=entry.id))


@bp.post("/patients/<int:patient_id>/diary-links/<int:link_id>/revoke")
@roles_required(Role.INJECTOR, Role.ADMIN)
def revoke(patient_id: int, link_id: int) -> Response:
    """Stop a diary link for good; the patient sees the refusal page."""
    revoke_diary_link(
        get_session(), current_actor(), patient_id, link_id, now=utc_now()
    )
    flash("The diary link is revoked: it no longer opens.", "success")
    return redirect(url_for("patients.detail", patient_id=patient_id, _anchor="diary"))


def email_diary(session_id: int) -> bool | None:
    """Email the cycle's diary link when SMTP is set up and the patient has an address.

    None: nothing to send; else whether the mail server took it.
    """
    return email_diary_link(
        get_session(),
        current_actor(),
        mailer(),
        session_id,
        key=diary_key(),
        address_of=lambda token: url_for("diary.home", token=token, _external=True),
        clinic=clinic_words(),
        now=utc_now(),
        zone=clinic_zone(),
    )


EMAILED = {
    None: "",
    True: " It is emailed to the patient too.",
    False: " The email to the patient could not be sent: give them the handout.",
}


@bp.post("/patients/<int:patient_id>/diary-links/<int:link_id>/new")
@roles_required(Role.INJECTOR, Role.ADMIN)
def give_new(patient_id: int, link_id: int) -> Response:
    """Give the patient a new diary link (a lost handout); the old one stops."""
    printed = give_new_link(
        get_session(),
        current_actor(),
        patient_id,
        link_id,
        key=diary_key(),
        now=utc_now(),
        zone=clinic_zone(),
    )
    emailed = EMAILED[email_diary(printed.session_id)]
    flash(
        "A new diary link is given: the old one no longer opens. Print the "
        f"handout to give the patient its QR code.{emailed}",
        "success",
    )
    return redirect(url_for("patients.detail", patient_id=patient_id, _anchor="diary"))


@bp.post("/diary-entries/<int:entry_id>/handled")
def handled(entry_id: int) -> Response:
    """Mark a diary item as dealt with (called, booked): it leaves the worklist."""
    handle_entry(get_session(), current_actor(), entry_id, now=utc_now())
    flash("Marked as dealt with.", "success")
    return redirect(url_for("schedule.worklist", _anchor="diary-items"))


@bp.get("/diary-entries/<int:entry_id>/adverse-event")
@roles_required(Role.INJECTOR)
def adverse_event_form(entry_id: int) -> tuple[str, int]:
    """Open the cycle's adverse-event form filled from a diary side effect.

    ``?onset=`` is the day the clinician found it began, when the patient's
    is wrong: the form opens on the session that day files it against.
    """
    prefill = prefill_from_diary(
        get_session(), entry_id, zone=clinic_zone(), onset=query_day("onset")
    )
    return render_response(prefill.session_id, {}, {}, 200, event_data=prefill.data)
