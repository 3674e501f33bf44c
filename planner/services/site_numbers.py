"""A deleted site put back by an undo keeps its own number, while it is free.

The chair numbers a new site one past the highest; a site deleted and put back
would otherwise return under a new number, and the record and the handout would
skip its old one (review rW, W8). The undo sends the number the site had: it is
kept only when no site of the chart holds it and the audit trail shows a site of
this chart deleted under it, so a number is never given to a site that did not
have it, nor twice.
"""

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import InjectionSite

# A site number as the chart's API takes it; far above any chart's sites.
MAX_SITE_NUMBER = 999


def _deleted_under(
    session: Session, session_id: int, patient_id: int, number: int
) -> bool:
    """Whether the audit trail shows a site of this chart deleted under ``number``."""
    deleted = session.exec(
        select(AuditEvent.before).where(
            AuditEvent.entity_type == "injection_site",
            AuditEvent.action == AuditAction.DELETE,
            AuditEvent.patient_id == patient_id,
        )
    )
    return any(
        before
        and before.get("session_id") == session_id
        and before.get("number") == number
        for before in deleted
    )


def restored_number(
    session: Session, session_id: int, patient_id: int, number: int
) -> int:
    """Return ``number`` for a site put back, when it is free and was a deleted
    site's of this chart. Call it once the chart's version is claimed: nobody
    else can then take the number.

    :raises InvalidInput: naming ``number``; the claim is rolled back.
    """
    holder = session.exec(
        select(col(InjectionSite.id)).where(
            InjectionSite.session_id == session_id, InjectionSite.number == number
        )
    ).first()
    if holder is not None:
        reason = (
            f"is taken by another site of this chart (site {number}): leave it out "
            "for the next number"
        )
    elif not _deleted_under(session, session_id, patient_id, number):
        reason = (
            "is not the number of a site deleted from this chart: a site put back "
            "keeps its own number; leave it out for the next number"
        )
    else:
        return number
    session.rollback()
    raise InvalidInput("That site number cannot be given.", fields={"number": reason})
