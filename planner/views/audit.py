"""The audit trail search page, for admins. Read-only: no route changes the trail."""

from datetime import date

from flask import Blueprint
from flask import render_template
from flask import request

from planner.access import roles_required
from planner.clinic_time import day_start
from planner.clinic_time import open_through
from planner.db import get_session
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import Role
from planner.services.audit_search import MAX_PAGE_SIZE
from planner.services.audit_search import search_audit
from planner.services.read_audit import who_read
from planner.validation import ascii_number
from planner.views.context import clinic_zone

bp = Blueprint("audit", __name__, url_prefix="/audit")

MAX_TEXT = 254


def _text(name: str, errors: dict[str, str]) -> str | None:
    value = request.args.get(name, "").replace("\x00", "").strip()
    if len(value) > MAX_TEXT:
        errors[name] = f"Use at most {MAX_TEXT} characters."
        return None
    return value or None


def _int(
    name: str, errors: dict[str, str], *, low: int, high: int | None = None
) -> int | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    value = ascii_number(raw, max_digits=12)
    if value is None:
        errors[name] = "Enter a whole number."
        return None
    if value < low or (high is not None and value > high):
        errors[name] = (
            f"Enter a number from {low} to {high}."
            if high is not None
            else f"Enter a number of at least {low}."
        )
        return None
    return value


def _day(name: str, errors: dict[str, str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = "Enter a date as YYYY-MM-DD."
        return None


def _action(errors: dict[str, str]) -> AuditAction | None:
    raw = request.args.get("action", "").strip()
    if not raw:
        return None
    try:
        return AuditAction(raw)
    except ValueError:
        errors["action"] = "Choose one of the listed actions."
        return None


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Search the audit trail by who, what, which record and when (clinic days)."""
    errors: dict[str, str] = {}
    actor_email = _text("actor_email", errors)
    action = _action(errors)
    entity_type = _text("entity_type", errors)
    patient_id = _int("patient_id", errors, low=1)
    since = _day("since", errors)
    until = _day("until", errors)
    page = _int("page", errors, low=1) or 1
    size = _int("size", errors, low=1, high=MAX_PAGE_SIZE) or 50
    if since and until and until < since:
        errors["until"] = "The end date must be on or after the start date."
    if errors:
        raise InvalidInput("Check the search filters.", fields=errors)
    results = search_audit(
        get_session(),
        actor_email=actor_email,
        action=action,
        entity_type=entity_type,
        patient_id=patient_id,
        since=day_start(since, clinic_zone()) if since else None,
        # The end date is inclusive: everything before the next day starts.
        until=open_through(until, clinic_zone()) if until else None,
        page=page,
        size=size,
    )
    filters = {
        "actor_email": actor_email or "",
        "action": action.value if action else "",
        "entity_type": entity_type or "",
        "patient_id": patient_id or "",
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
    }
    link_args: dict[str, object] = {k: v for k, v in filters.items() if v}
    if size != 50:
        link_args["size"] = size
    return render_template(
        "audit/index.html",
        page=results,
        filters=filters,
        link_args=link_args,
        actions=[a.value for a in AuditAction],
        readers=None if patient_id is None else who_read(get_session(), patient_id),
    )
