"""Vial stock: what is on hand, deliveries, waste, the monthly report and recalls.

Staff receive deliveries; injectors record waste and close vials; everyone may
read the stock and the report; a recall names patients, so it needs an injector
or an admin, and every look-up is audited.
"""

from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from flask import Blueprint
from flask import current_app
from flask import flash
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from werkzeug.wrappers import Response

from planner.access import current_actor
from planner.access import roles_required
from planner.db import get_session
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.errors import PlannerError
from planner.models import Role
from planner.models import StockWaste
from planner.models import WasteReason
from planner.services import recall as recall_service
from planner.services import stock as service
from planner.services import stock_ledger as ledger
from planner.services import stock_levels
from planner.services import stock_report
from planner.services.lots import list_products
from planner.views.context import clinic_today
from planner.views.context import clinic_zone
from planner.views.context import face_map
from planner.views.context import posted_form
from planner.views.flashing import flash_error
from planner.views.query_args import query_month

bp = Blueprint("stock", __name__, url_prefix="/stock")

RECALLERS = (Role.INJECTOR, Role.ADMIN)


@bp.get("/")
def index() -> str:
    """Show each product's lots on hand, with alerts, and the open vials."""
    db = get_session()
    return render_template(
        "stock/index.html",
        overview=stock_levels.stock_overview(
            db, today=clinic_today(), show_all=request.args.get("all") == "1"
        ),
        vials=ledger.open_vials(db, now=utc_now()),
        reasons=list(WasteReason),
        show_all=request.args.get("all") == "1",
    )


def _render_receive(
    data: dict[str, Any], errors: dict[str, str], status: int
) -> tuple[str, int]:
    return render_template(
        "stock/receive.html",
        products=list_products(get_session()),
        data=data,
        errors=errors,
    ), status


@bp.get("/receive")
@roles_required(Role.STAFF)
def receive_form() -> tuple[str, int]:
    return _render_receive({"received_on": clinic_today().isoformat()}, {}, 200)


@bp.post("/receipts")
@roles_required(Role.STAFF)
def receive() -> Response | tuple[str, int]:
    """Record a delivery of unopened vials."""
    data = posted_form()
    try:
        receipt = service.receive_stock(
            get_session(), current_actor(), data, today=clinic_today()
        )
    except InvalidInput as exc:
        return _render_receive(data, exc.fields, 400)
    flash(f"{receipt.vials} vial(s) received into stock.", "success")
    return redirect(url_for("stock.index"))


def _record_waste(
    action: Callable[..., StockWaste | None],
    record_id: int,
    anchor: str,
    said: Callable[[StockWaste | None], str],
) -> Response:
    """Run a waste service on the posted form; flash what it did, or why not."""
    try:
        waste = action(
            get_session(), current_actor(), record_id, posted_form(), now=utc_now()
        )
    except PlannerError as exc:
        flash_error(exc)
    else:
        flash(said(waste), "success")
    return redirect(url_for("stock.index", _anchor=anchor))


@bp.post("/vials/<int:vial_id>/waste")
@roles_required(Role.INJECTOR)
def record_waste(vial_id: int) -> Response:
    """Record units lost from an open vial."""
    return _record_waste(
        partial(service.record_vial_waste, zone=clinic_zone()),
        vial_id,
        f"vial-{vial_id}",
        lambda waste: f"{waste.units if waste else 0:g} units recorded as waste.",
    )


@bp.post("/vials/<int:vial_id>/close")
@roles_required(Role.INJECTOR)
def close_vial(vial_id: int) -> Response:
    """Close an open vial, recording what is left in it as waste."""
    return _record_waste(
        partial(service.close_vial, zone=clinic_zone()),
        vial_id,
        "open-vials",
        lambda waste: (
            "Vial closed: "
            + (
                f"{waste.units:g} units left in it recorded as waste."
                if waste
                else "empty."
            )
        ),
    )


@bp.post("/lots/<int:lot_id>/discard")
@roles_required(Role.INJECTOR)
def discard(lot_id: int) -> Response:
    """Record whole unopened vials of a lot as waste."""
    return _record_waste(
        service.discard_unopened,
        lot_id,
        f"lot-{lot_id}",
        lambda waste: (
            f"{waste.vials if waste else 0} unopened vial(s) recorded as waste."
        ),
    )


def _month() -> date:
    """Read ``?month=YYYY-MM`` (this month when absent); a bad one is a 400."""
    return query_month("month") or clinic_today()


@bp.get("/report")
def report() -> str:
    """Show each product's monthly usage and wastage for the year to a month."""
    month = _month()
    return render_template(
        "stock/report.html",
        report=stock_report.monthly_report(
            get_session(), last=month, zone=clinic_zone()
        ),
        month=month,
    )


@bp.get("/report.csv")
def report_csv() -> Response:
    """Download the monthly report as CSV."""
    month = _month()
    found = stock_report.monthly_report(get_session(), last=month, zone=clinic_zone())
    response = Response(stock_report.report_csv(found), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="stock-usage-to-{month:%Y-%m}.csv"'
    )
    return response


def _recall(purpose: recall_service.Purpose) -> recall_service.Recall:
    return recall_service.find_recall(
        get_session(),
        current_actor(),
        request.args.to_dict(),
        purpose=purpose,
        muscle_names={muscle.code: muscle.name for muscle in face_map().muscles},
        zone=clinic_zone(),
    )


def _recall_page(
    found: recall_service.Recall | None, errors: dict[str, str], status: int
) -> tuple[str, int]:
    return render_template(
        "stock/recall.html",
        recall=found,
        errors=errors,
        products=recall_service.recall_products(get_session()),
    ), status


@bp.get("/recall")
@roles_required(*RECALLERS)
def recall() -> tuple[str, int]:
    """Look up a product's lot: every patient given it; each look-up is audited."""
    if not request.args:
        return _recall_page(None, {}, 200)
    try:
        found = _recall("page")
    except InvalidInput as exc:
        return _recall_page(None, exc.fields, 400)
    return _recall_page(found, {}, 200)


@bp.get("/recall.csv")
@roles_required(*RECALLERS)
def recall_csv() -> Response:
    """Download a product's lot's recall list as CSV (audited as an export)."""
    if not request.args:
        return redirect(url_for("stock.recall"))
    found = _recall("csv")
    name = "".join(c if c.isalnum() else "-" for c in f"{found.product}-{found.lot}")
    response = Response(recall_service.recall_csv(found), mimetype="text/csv")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="recall-{name}-{clinic_today().isoformat()}.csv"'
    )
    return response


@bp.get("/recall/letters")
@roles_required(*RECALLERS)
def recall_letters() -> Response | str:
    """Show a printable letter for each patient given a lot (audited as a print)."""
    if not request.args:
        return redirect(url_for("stock.recall"))
    found = _recall("letters")
    return render_template(
        "stock/letters.html",
        recall=found,
        letters=recall_service.recall_letters(found),
        today=clinic_today(),
        clinic_phone=current_app.config["CLINIC_PHONE"],
    )
