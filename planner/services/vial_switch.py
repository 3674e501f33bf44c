"""Switch a draft chart to another vial of its product, at the chair.

The first vial ran out, or another lot was opened: the sites charted from now on
are drawn from the new vial, and those charted before keep theirs. The new vial is
chosen as the first was (``session_vials.choose_vial``): from the list or typed,
refused alike when closed, past its expiry or of another product, whose units
are never mixed with the chart's. Its reconstitution and in-use time and what it
has left are the chart's checks, as for the first vial.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlmodel import Session

from planner.clinic_time import clinic_today
from planner.db_types import utc_now
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import Product
from planner.models import VialLot
from planner.services import lots as lot_service
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.charted_products import require_chartable
from planner.services.drafts import get_session_record
from planner.services.lookup import get_or_raise
from planner.services.session_vials import choose_vial
from planner.services.sessions import MAX_VERSION
from planner.services.sessions import claim_version
from planner.services.stock_levels import StockOption
from planner.services.stock_levels import openable_stock
from planner.validation import parse_input


# Properties to receive to switch the vial in use; a new vial's details come too.
class VialSwitch(BaseModel):
    model_config = ConfigDict(extra="ignore")

    version: int = Field(ge=1, le=MAX_VERSION)
    lot_choice: str = Field(default="", max_length=20)


@dataclass(frozen=True)
class VialChoices:
    """What the chart's "Switch vial" form offers, as the new-session form takes
    them: the chart's product, its usable vials but the one in use (by product
    code), and its lots in stock with unopened vials."""

    products: list[Product]
    lots: dict[str, list[VialLot]]
    stock: list[StockOption]


def switch_choices(
    session: Session, session_id: int, *, zone: ZoneInfo, now: datetime | None = None
) -> VialChoices:
    """Return the vials a draft chart may switch to, and its product's stock."""
    now = now or utc_now()
    record = get_session_record(session, session_id)
    product = get_or_raise(session, Product, record.product_id, "No such product.")
    usable = lot_service.list_usable_lots(session, now=now, zone=zone)
    return VialChoices(
        products=[product],
        lots={
            product.code: [
                lot
                for lot in usable.get(product.code, [])
                if lot.id != record.vial_lot_id
            ]
        },
        stock=[
            option
            for option in openable_stock(session, today=clinic_today(zone, now))
            if option.product_code == product.code
        ],
    )


def switch_vial(
    session: Session,
    actor: Actor,
    session_id: int,
    data: dict[str, Any],
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> tuple[int, VialLot]:
    """Draw the chart's next sites from another vial; return the version and vial.

    :raises InvalidInput: naming ``lot_choice`` (or a new vial's field) for a
        vial that is closed, expired, of another product or already in use.
    :raises Conflict: for a signed or discarded session. :raises StaleWrite: for
        a stale version.
    """
    request = parse_input(VialSwitch, data, "The vial could not be switched.")
    now = now or utc_now()
    record = get_session_record(session, session_id)
    product = get_or_raise(session, Product, record.product_id, "No such product.")
    require_chartable(product)
    before = record.vial_lot_id
    lot = choose_vial(
        session, actor, product, request.lot_choice, data, zone=zone, now=now
    )
    if lot.id == before:
        session.rollback()
        raise InvalidInput(
            "That vial is the one in use.",
            fields={
                "lot_choice": "is the vial in use already; choose another vial, "
                "or a new vial and its details"
            },
        )
    version, patient_id = claim_version(session, session_id, request.version, now=now)
    session.refresh(record)
    record.vial_lot_id = lot.id
    session.add(record)
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "treatment_session",
        session_id,
        patient_id=patient_id,
        before={"vial_lot_id": before},
        after={"vial_lot_id": lot.id, "lot_number": lot.lot_number},
    )
    session.commit()
    return version, lot
