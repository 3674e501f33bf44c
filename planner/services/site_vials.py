"""Which vials a session drew from: each site names its own.

A session may use several vials of its product (the first ran out, another lot
was opened): each injection site records the vial it was drawn from, and the
session the vial in use now, which a draft may have opened before any site.
Recall, first use, the record and the stock ledger all read the vials here, and
an undo putting a site back keeps its vial only if it is one of them.
"""

from sqlalchemy import ColumnElement
from sqlalchemy import Subquery
from sqlalchemy import union
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import VialLot
from planner.services.drafts import get_session_record


def session_vials(*, given: bool = False) -> Subquery:
    """Return each (``session_id``, ``vial_lot_id``) pair: a vial a session used.

    A vial counts once per session, whether sites came from it, it is the vial in
    use, or both; sessions and sites with no vial are left out. With ``given``
    (recall, the export: the batch given [S58]), a signed session's vials are
    those its sites came from: a vial switched to and never drawn from gave it
    nothing. A draft's vial in use still counts, as about to be used.
    """
    in_use: list[ColumnElement[bool]] = [col(TreatmentSession.vial_lot_id).is_not(None)]
    if given:
        in_use.append(col(TreatmentSession.status) == SessionStatus.DRAFT)
    return union(
        select(
            col(InjectionSite.session_id).label("session_id"),
            col(InjectionSite.vial_lot_id).label("vial_lot_id"),
        ).where(col(InjectionSite.vial_lot_id).is_not(None)),
        select(
            col(TreatmentSession.id).label("session_id"),
            col(TreatmentSession.vial_lot_id).label("vial_lot_id"),
        ).where(*in_use),
    ).subquery()


def chart_vial_ids(session: Session, record: TreatmentSession) -> set[int]:
    """Return the ids of the vials a chart used: its vial in use, those its sites
    were drawn from, and those it was switched from (each switch's audit event
    keeps the vial it left), so a vial whose last site was deleted still counts."""
    assert record.id is not None
    used = {record.vial_lot_id}
    used.update(
        session.exec(
            select(col(InjectionSite.vial_lot_id)).where(
                col(InjectionSite.session_id) == record.id
            )
        )
    )
    switches = session.exec(
        select(AuditEvent.before).where(
            AuditEvent.entity_type == "treatment_session",
            AuditEvent.entity_id == record.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
    )
    for before in switches:
        if before and isinstance(before.get("vial_lot_id"), int):
            used.add(before["vial_lot_id"])
    return {vial for vial in used if vial is not None}


def own_vial(session: Session, session_id: int, vial_lot_id: int) -> int:
    """Return ``vial_lot_id`` when it is one of the chart's own vials of its product.

    A site put back by an undo keeps the vial it was drawn from, which after a
    switch is not the vial in use: the first vial's lot keeps the site it gave
    (reference section 5 [S58]). Any other vial is refused, naming
    ``vial_lot_id``; a vial of another product always, its units never mixed.

    :raises InvalidInput: naming ``vial_lot_id``.
    """
    record = get_session_record(session, session_id)
    lot = session.get(VialLot, vial_lot_id)
    if lot is not None and lot.product_id != record.product_id:
        product = session.get(Product, record.product_id)
        brand = product.brand if product is not None else "product"
        raise InvalidInput(
            "That vial is of another product.",
            fields={
                "vial_lot_id": f"is a vial of another product, not of this chart's "
                f"{brand}: a chart never draws from two products"
            },
        )
    if lot is None or vial_lot_id not in chart_vial_ids(session, record):
        raise InvalidInput(
            "That vial is not one of this chart's.",
            fields={
                "vial_lot_id": "is not a vial this chart drew from: a site put back "
                "keeps one of this chart's vials, or leave it out for the vial in use"
            },
        )
    return vial_lot_id
