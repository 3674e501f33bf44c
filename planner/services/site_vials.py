"""Which vials a session drew from: each site names its own.

A session may use several vials of its product (the first ran out, another lot
was opened): each injection site records the vial it was drawn from, and the
session the vial in use now, which a draft may have opened before any site.
Recall, first use, the record and the stock ledger all read the vials here.
"""

from sqlalchemy import ColumnElement
from sqlalchemy import Subquery
from sqlalchemy import union
from sqlmodel import col
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import SessionStatus
from planner.models import TreatmentSession


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
