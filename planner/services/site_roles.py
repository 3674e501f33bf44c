"""The roles a signed chart keeps on its sites: the roles its checks were run with.

On a draft each site's role (affected or contralateral) follows the patient's
affected side as it is now (``safety.checked_role``), so a site stored when the
side was different is checked with its new role. Signing writes that role onto
each site in the signing's unit of work, audited as any other change of a site,
so the record never keeps a role other than the one its warnings were checked with.
"""

from datetime import datetime

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.models import InjectionSite
from planner.models import Patient
from planner.models import TreatmentSession
from planner.services import safety
from planner.services.audit import Actor
from planner.services.audited_rows import update_audited
from planner.services.lookup import get_or_raise


def store_checked_roles(
    session: Session, actor: Actor, record: TreatmentSession, *, now: datetime
) -> None:
    """Give each site of the draft being signed the role its checks used.

    Only adds: the signing path owns the unit of work.
    """
    patient = get_or_raise(session, Patient, record.patient_id, "No such patient.")
    sites = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == record.id)
        .order_by(col(InjectionSite.number))
    )
    for site in sites:
        role = safety.checked_role(site, patient, draft=True)
        if role == site.role:
            continue
        update_audited(
            session,
            actor,
            site,
            "injection_site",
            {"role": role, "version": site.version + 1, "updated_at": now},
            patient_id=record.patient_id,
        )
