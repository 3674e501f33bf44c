"""The landing route."""

from flask import Blueprint
from flask import redirect
from flask import url_for
from werkzeug.wrappers import Response

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Response:
    return redirect(url_for("patients.index"))
