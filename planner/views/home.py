"""The landing route: each role's first page."""

from flask import Blueprint
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from planner.db import get_session
from planner.models import Role
from planner.services.consent_alerts import treatment_consent_now
from planner.services.today import todays_clinic
from planner.views.context import clinic_now
from planner.views.context import clinic_today
from planner.views.context import clinic_zone

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response | str:
    """Injectors (and admins) land on today's clinic; staff on their worklist."""
    if current_user.role == Role.STAFF:
        return redirect(url_for("schedule.worklist"))
    mine = request.args.get("mine") == "1"
    clinic = todays_clinic(
        get_session(),
        today=clinic_today(),
        zone=clinic_zone(),
        clinician_id=current_user.id if mine else None,
    )
    # Only rows where consent matters carry the badge (TodayRow.consent_matters).
    patients = {
        row.patient_id
        for row in clinic.bookings + clinic.reviews_due
        if row.consent_matters
    }
    return render_template(
        "home/today.html",
        clinic=clinic,
        # Each patient's treatment consent as signing would judge it now.
        consent=treatment_consent_now(
            get_session(), patients, now=clinic_now(), zone=clinic_zone()
        ),
        mine=mine,
        can_chart=current_user.role == Role.INJECTOR,
    )
