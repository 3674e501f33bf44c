"""Whether a patient's consents are in force: the records, read and judged.

The pure rule (``planner.consent.decide_consent``) decides, asked through
``planner.services.consent_validity``; this module reads the records it needs,
for the consent page and the chart's signing check. Nothing here writes.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.consent import ConsentDecision
from planner.consent import ConsentKind
from planner.consent.kinds import KIND_LABELS
from planner.dosing.records import format_day
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models import TreatmentSession
from planner.models import User
from planner.services.consent_forms import current_form
from planner.services.consent_forms import form_as_of
from planner.services.consent_validity import decide_at
from planner.services.consent_validity import valid_months
from planner.services.patients import get_patient
from planner.services.photo_consent import photography_decision


@dataclass(frozen=True)
class KindStatus:
    """One kind of consent for one patient: its current form, the rule's answer.

    Photography's decision is ``photo_consent.photography_decision``'s, the one
    the photos page obeys: it also judges an answer recorded only on the photos
    page, and a withdrawal recorded there.
    """

    kind: ConsentKind
    label: str
    form: ConsentForm
    decision: ConsentDecision
    history: list[ConsentRecord]


def patient_records(
    session: Session, patient_id: int, kind: ConsentKind | None = None
) -> list[ConsentRecord]:
    """Return a patient's consents, newest first (of one kind if given)."""
    query = select(ConsentRecord).where(ConsentRecord.patient_id == patient_id)
    if kind is not None:
        query = query.where(ConsentRecord.kind == kind)
    return list(
        session.exec(
            query.order_by(
                col(ConsentRecord.signed_at).desc(), col(ConsentRecord.id).desc()
            )
        ).all()
    )


def _decide(
    session: Session,
    records: list[ConsentRecord],
    form: ConsentForm,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> ConsentDecision:
    return decide_at(records, form, months=valid_months(session), now=now, zone=zone)


def consent_overview(
    session: Session, patient_id: int, *, now: datetime, zone: ZoneInfo
) -> list[KindStatus]:
    """Return each kind's status for the patient, with its history."""
    get_patient(session, patient_id)
    statuses = []
    for kind in ConsentKind:
        form = current_form(session, kind)
        records = patient_records(session, patient_id, kind)
        decision = (
            photography_decision(session, patient_id, now=now, zone=zone)
            if kind == ConsentKind.PHOTOGRAPHY
            else _decide(session, records, form, now=now, zone=zone)
        )
        statuses.append(KindStatus(kind, KIND_LABELS[kind], form, decision, records))
    session.commit()
    return statuses


def treatment_consent_errors(
    session: Session,
    record: TreatmentSession,
    *,
    treated_at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, str]:
    """Name why the session may not be signed for want of consent (empty if fine).

    Consent is judged at the treatment time ``treated_at`` (see
    :func:`signing_consent_problem`). Only adds and flushes (the shipped form,
    on first use): the signing path owns the unit of work.
    """
    problem = signing_consent_problem(
        session, record, treated_at=treated_at, now=now, zone=zone
    )
    # The chart shows the field's name first: "consent is needed. The…"
    return {} if problem is None else {"consent": f"is needed. {problem}"}


def signing_consent_problem(
    session: Session,
    record: TreatmentSession,
    *,
    treated_at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> str | None:
    """Say why consent would stop the session being signed (None if it would not).

    Consent is judged at the treatment time ``treated_at``, as every other check
    is: a consent signed, renewed or re-signed after the injections does not cover
    them, and one valid then (on the form version current then) still does after
    a later withdrawal, expiry or new form version. When a
    consent given since (by ``now``) would have done, the message says so. The
    chart's consent banner asks here too, so it warns exactly when signing
    would refuse. Only adds and flushes, as :func:`treatment_consent_errors`.
    """
    records = patient_records(session, record.patient_id, ConsentKind.TREATMENT)
    then = form_as_of(session, ConsentKind.TREATMENT, treated_at)
    decision = _decide(session, records, then, now=treated_at, zone=zone)
    if decision.valid:
        return None
    form = current_form(session, ConsentKind.TREATMENT)
    since = _decide(session, records, form, now=now, zone=zone)
    if since.valid and since.evidence is not None:
        return (
            "The consent on file was given on "
            f"{format_day(since.evidence.signed_on)}, after the treatment on "
            f"{format_day(local_day(treated_at, zone))}, so it does not cover it. "
            f"{decision.message}"
        )
    return decision.message


def user_names(session: Session, statuses: list[KindStatus]) -> dict[int, str]:
    """Name the witnesses of the consents listed, by user id."""
    ids = {record.witness_id for status in statuses for record in status.history}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {user.id: user.name for user in users if user.id is not None}
