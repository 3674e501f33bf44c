"""Treatment consent before treatment: the badge, the form's warning, the chart banner.

Signing refuses a chart whose patient has no valid treatment consent at the
treatment time (``consent_status.treatment_consent_errors``). These readers ask
the same rule (``planner.consent.decide_consent``, through
``consent_validity`` and ``consent_status``) earlier, so the gap is seen before
the injections rather than at "Sign session": on Today's clinic, the patient
page, the new-session form and the chart. A chart started today is treated now,
so "now" on the clinic's day is what signing would judge. Nothing here refuses
anything; only the signature does.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent import ConsentDecision
from planner.consent import ConsentKind
from planner.models import ConsentRecord
from planner.models import SessionStatus
from planner.services import safety
from planner.services.consent_forms import current_form
from planner.services.consent_status import signing_consent_problem
from planner.services.consent_validity import decide_at
from planner.services.consent_validity import valid_months
from planner.services.drafts import get_session_record


def treatment_consent_now(
    session: Session, patient_ids: Iterable[int], *, now: datetime, zone: ZoneInfo
) -> dict[int, ConsentDecision]:
    """Return each patient's treatment consent as signing would judge it ``now``.

    One query for every patient (Today's clinic lists many). Commits: the
    shipped form is stored the first time it is needed, as the consent page does.
    """
    ids = set(patient_ids)
    if not ids:
        return {}
    form = current_form(session, ConsentKind.TREATMENT)
    months = valid_months(session)
    records: dict[int, list[ConsentRecord]] = defaultdict(list)
    for record in session.exec(
        select(ConsentRecord).where(
            col(ConsentRecord.patient_id).in_(ids),
            ConsentRecord.kind == ConsentKind.TREATMENT,
        )
    ).all():
        records[record.patient_id].append(record)
    decisions = {
        patient_id: decide_at(
            records[patient_id], form, months=months, now=now, zone=zone
        )
        for patient_id in ids
    }
    session.commit()
    return decisions


def chart_consent_problem(
    session: Session, session_id: int, *, now: datetime, zone: ZoneInfo
) -> str | None:
    """Say why consent would stop this draft being signed now (None: it would not).

    The signing check itself, at the treatment time signing would record. A
    signed or discarded chart has nothing left to sign: None. Commits only the
    shipped form on first use, as :func:`treatment_consent_now`.
    """
    record = get_session_record(session, session_id)
    if record.status != SessionStatus.DRAFT:
        return None
    problem = signing_consent_problem(
        session,
        record,
        treated_at=safety.treatment_time(record, now, zone),
        now=now,
        zone=zone,
    )
    session.commit()
    return problem
