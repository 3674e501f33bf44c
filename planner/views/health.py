"""Liveness and database check for load balancers and monitoring."""

from typing import Any

from flask import Blueprint
from flask import Response
from flask import current_app
from flask import jsonify
from flask import request
from flask_login import current_user
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from planner.db import get_engine
from planner.db import get_session
from planner.errors import error_response
from planner.migrate import schema_mismatch
from planner.models import Role
from planner.services.audit import verify_trail

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int] | tuple[Any, int]:
    """Answer 200 when the database answers and fits the code, else 503 and why.

    The schema's migration is compared with the code's (one small query): a
    database left behind by an update, or migrated by a newer planner, is 503.

    ``?deep=1`` also walks the audit trail's hash chain: for admins only, as it
    reads the whole trail.
    """
    deep = request.args.get("deep") == "1"
    if deep and not current_user.is_authenticated:
        return error_response(401, "Log in as an admin for the deep check.")
    if deep and current_user.role != Role.ADMIN:
        return error_response(403, "Only an admin may run the deep check.")
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        mismatch = (
            schema_mismatch(get_engine())
            if current_app.config["CHECK_SCHEMA"]
            else None
        )
    except SQLAlchemyError:
        return jsonify(status="unavailable", database="unreachable"), 503
    if mismatch is not None:
        # Every page would fail on a schema the code does not fit: a load
        # balancer reading this takes the instance out, and says why.
        return jsonify(status="unavailable", database="ok", schema=str(mismatch)), 503
    if not deep:
        return jsonify(status="ok", database="ok"), 200
    report = verify_trail(get_session())
    audit: dict[str, Any] = {"events": report.events, "head_id": report.head_id}
    if report.broken is not None:
        audit.update(
            status="broken",
            broken_at=report.broken.event_id,
            reason=report.broken.reason,
        )
        return jsonify(status="unhealthy", database="ok", audit=audit), 503
    audit.update(status="intact", head_hash=report.head_hash)
    return jsonify(status="ok", database="ok", audit=audit), 200
