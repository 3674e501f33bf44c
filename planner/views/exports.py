"""The research export, for admins: the page that explains it and the CSV files.

Every download is pseudonymised and noted in the audit trail as EXPORT.
"""

from flask import Blueprint
from flask import current_app
from flask import render_template
from flask import request
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.interop.research_csv import FILES
from planner.interop.research_csv import FORMAT_RULES
from planner.models import Role
from planner.services.research_export import export_csv
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import face_map

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.get("/")
@roles_required(Role.ADMIN)
def index() -> str:
    """Explain each file and the pseudonymisation, with the data dictionary."""
    return render_template("exports/index.html", files=FILES, rules=FORMAT_RULES)


@bp.get("/<name>.csv")
@roles_required(Role.ADMIN)
def download(name: str) -> Response:
    """Stream one research file as a CSV download named by file and date."""
    if request.args:
        # Say so rather than ignore it: e.g. ?identified=1 would otherwise look as
        # if it had worked. The export is always pseudonymised.
        raise InvalidInput(
            "This export takes no options; it is always pseudonymised.",
            fields={
                key[:40]: "is not an option of this export" for key in request.args
            },
        )
    chunks = export_csv(
        get_session(),
        current_actor(),
        name,
        secret_key=current_app.config["SECRET_KEY"],
        face_map=face_map(),
        zone=clinic_zone(),
        now=utc_now(),
    )
    today = clinic_today()
    # Streamed: the service reads the rows page by page as the client takes them.
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="planner-{name}-{today.isoformat()}.csv"'
    )
    return response
