"""Patients' consents: signing at the tablet, consent held elsewhere, withdrawal.

Whether a consent is valid is decided by the pure rule
(``planner.consent.decide_consent``); this module reads the records, asks it,
and records what happens, each in one audited unit of work. Photography consent
signed here also writes the photo module's consent record, so a withdrawal
blocks photo capture and hides the photos the way the photo module does.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Row
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.consent import ConsentDecision
from planner.consent import ConsentEvidence
from planner.consent import ConsentKind
from planner.consent import ConsentMethod
from planner.consent import StrokeError
from planner.consent import decide_consent
from planner.consent import parse_strokes
from planner.consent.kinds import KIND_LABELS
from planner.dosing.records import format_day
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models import TreatmentSession
from planner.models import User
from planner.models.consent import ConsentElsewhere
from planner.models.consent import ConsentSign
from planner.models.consent import ConsentWithdraw
from planner.models.photos import PhotoConsentRecord
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.consent_forms import current_form
from planner.services.consent_forms import form_as_of
from planner.services.consent_withdrawal import withdraw_record
from planner.services.lookup import get_or_raise
from planner.services.patients import get_patient
from planner.services.photos import consent_state
from planner.services.settings import get_setting_value
from planner.validation import parse_input
from planner.vocabulary import PhotoConsent

VALID_MONTHS_KEY = "consent_valid_months"
DEFAULT_VALID_MONTHS = 12
CHANGED = "is no longer the current version of this form: read the new one"


@dataclass(frozen=True)
class KindStatus:
    """One kind of consent for one patient: its current form, the rule's answer.

    ``withdrawn_on_photos``: photography consent the rule finds valid but the
    photos page records withdrawn (recorded there before a withdrawal on that
    page also withdrew the signed form), in words; the page shows it withdrawn.
    """

    kind: ConsentKind
    label: str
    form: ConsentForm
    decision: ConsentDecision
    history: list[ConsentRecord]
    withdrawn_on_photos: str | None = None


def valid_months(session: Session) -> int:
    """Return the clinic's re-consent age in months (a clinic setting)."""
    value = get_setting_value(session, VALID_MONTHS_KEY, DEFAULT_VALID_MONTHS)
    return max(1, int(value))


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


def _evidence(record: ConsentRecord | Row[Any], zone: ZoneInfo) -> ConsentEvidence:
    return ConsentEvidence(
        form_version=record.form_version,
        signed_on=local_day(record.signed_at, zone),
        method=record.method,
        withdrawn_on=(
            None
            if record.withdrawn_at is None
            else local_day(record.withdrawn_at, zone)
        ),
        reason=record.reason,
        record_id=record.id,
    )


def decide_at(
    records: Sequence[ConsentRecord | Row[Any]],
    form: ConsentForm,
    *,
    months: int,
    now: datetime,
    zone: ZoneInfo,
) -> ConsentDecision:
    """Ask the rule about one patient's records of ``form``'s kind, at ``now``."""
    return decide_consent(
        [_evidence(record, zone) for record in records if record.signed_at <= now],
        current_version=form.version,
        today=local_day(now, zone),
        valid_months=months,
        form_name=f"{form.kind.value} consent form",
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
        decision = _decide(session, records, form, now=now, zone=zone)
        statuses.append(
            KindStatus(
                kind,
                KIND_LABELS[kind],
                form,
                decision,
                records,
                _withdrawn_on_photos(session, patient_id, zone)
                if kind == ConsentKind.PHOTOGRAPHY and decision.valid
                else None,
            )
        )
    session.commit()
    return statuses


def _withdrawn_on_photos(
    session: Session, patient_id: int, zone: ZoneInfo
) -> str | None:
    state = consent_state(session, patient_id)
    if not state.hidden or state.recorded_at is None:
        return None
    day = format_day(local_day(state.recorded_at, zone))
    return f"Withdrawn on the photos page on {day}" + (
        f": {state.note}" if state.note else "."
    )


def treatment_consent_errors(
    session: Session,
    record: TreatmentSession,
    *,
    treated_at: datetime,
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, str]:
    """Name why the session may not be signed for want of consent (empty if fine).

    Consent is judged at the treatment time ``treated_at``, as every other check
    is: a consent signed, renewed or re-signed after the injections does not cover
    them, and one valid then (on the form version current then) still does after
    a later withdrawal, expiry or new form version. When a
    consent given since (by ``now``) would have done, the message says so.

    Only adds and flushes (the shipped form, on first use): the signing path
    owns the unit of work.
    """
    records = patient_records(session, record.patient_id, ConsentKind.TREATMENT)
    then = form_as_of(session, ConsentKind.TREATMENT, treated_at)
    decision = _decide(session, records, then, now=treated_at, zone=zone)
    if decision.valid:
        return {}
    form = current_form(session, ConsentKind.TREATMENT)
    since = _decide(session, records, form, now=now, zone=zone)
    if since.valid and since.evidence is not None:
        # The chart shows the field's name first: "consent is needed. The…"
        return {
            "consent": "is needed. The consent on file was given on "
            f"{format_day(since.evidence.signed_on)}, after the treatment on "
            f"{format_day(local_day(treated_at, zone))}, so it does not cover it. "
            f"{decision.message}"
        }
    return {"consent": f"is needed. {decision.message}"}


def user_names(session: Session, statuses: list[KindStatus]) -> dict[int, str]:
    """Name the witnesses of the consents listed, by user id."""
    ids = {record.witness_id for status in statuses for record in status.history}
    if not ids:
        return {}
    users = session.exec(select(User).where(col(User.id).in_(ids))).all()
    return {user.id: user.name for user in users if user.id is not None}


def get_consent(session: Session, record_id: int) -> ConsentRecord:
    return get_or_raise(
        session, ConsentRecord, record_id, f"There is no consent {record_id}."
    )


def _current_or_refuse(
    session: Session, kind: ConsentKind, form_id: int
) -> ConsentForm:
    form = current_form(session, kind)
    if form.id != form_id:
        session.rollback()
        raise InvalidInput(
            "The form changed while it was being read.", fields={"form_id": CHANGED}
        )
    assert form.id is not None
    return form


def _audit(
    session: Session, actor: Actor, action: AuditAction, record: ConsentRecord
) -> None:
    record_event(
        session,
        actor,
        action,
        "consent_record",
        record.id,
        patient_id=record.patient_id,
        after={
            "kind": record.kind.value,
            "form_version": record.form_version,
            "method": record.method.value,
            "printed_name": record.printed_name,
            "reason": record.reason,
            "signed_at": record.signed_at.isoformat(),
            "witness_id": record.witness_id,
            "strokes": len(record.strokes or []),
            "withdrawn_at": (
                None if record.withdrawn_at is None else record.withdrawn_at.isoformat()
            ),
            "withdrawal_reason": record.withdrawal_reason,
        },
    )


def _photo_consent(
    session: Session,
    actor: Actor,
    patient_id: int,
    consent: PhotoConsent,
    note: str,
    now: datetime,
) -> None:
    """Write the photo module's own consent record, which capture checks."""
    assert actor.user_id is not None
    photo = PhotoConsentRecord(
        consent=consent,
        note=note[:500],
        patient_id=patient_id,
        recorded_by_id=actor.user_id,
        recorded_at=now,
    )
    session.add(photo)
    session.flush()
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "photo_consent",
        photo.id,
        patient_id=patient_id,
        after={"consent": consent.value, "note": photo.note},
    )


def _store(
    session: Session,
    actor: Actor,
    form: ConsentForm,
    patient_id: int,
    *,
    method: ConsentMethod,
    now: datetime,
    printed_name: str | None = None,
    strokes: list[Any] | None = None,
    reason: str | None = None,
) -> ConsentRecord:
    """Store a consent to the current ``form``, witnessed by ``actor``, and commit."""
    assert form.id is not None
    assert actor.user_id is not None, "a logged-in clinician witnesses the signature"
    record = ConsentRecord(
        patient_id=patient_id,
        form_id=form.id,
        kind=form.kind,
        form_version=form.version,
        method=method,
        printed_name=printed_name,
        strokes=strokes,
        reason=reason,
        signed_at=now,
        witness_id=actor.user_id,
    )
    session.add(record)
    session.flush()
    _audit(session, actor, AuditAction.SIGN, record)
    if (
        record.kind == ConsentKind.PHOTOGRAPHY
        and not consent_state(session, record.patient_id).allows_capture
    ):
        _photo_consent(
            session,
            actor,
            record.patient_id,
            PhotoConsent.CLINICAL,
            f"Photography consent form version {record.form_version} signed.",
            now,
        )
    session.commit()
    return record


def sign_consent(
    session: Session,
    actor: Actor,
    patient_id: int,
    kind: ConsentKind,
    data: dict[str, Any],
    *,
    now: datetime,
) -> ConsentRecord:
    """Record the patient's signature on the current form, witnessed by ``actor``.

    :raises InvalidInput: naming each bad field (strokes, name, the typed box,
        a form that changed while it was read).
    """
    get_patient(session, patient_id)
    given: ConsentSign = parse_input(
        ConsentSign, data, "The consent is not signed yet."
    )
    form = _current_or_refuse(session, kind, given.form_id)
    strokes: list[Any] | None = None
    if given.method == ConsentMethod.DRAWN:
        try:
            strokes = [
                [list(point) for point in stroke]
                for stroke in parse_strokes(given.strokes)
            ]
        except StrokeError as exc:
            raise InvalidInput(
                "The signature could not be read.", fields={"strokes": str(exc)}
            ) from None
    elif given.method == ConsentMethod.TYPED:
        if not given.typed_confirm:
            raise InvalidInput(
                "Confirm the typed signature.",
                fields={"typed_confirm": "must be ticked to sign with your typed name"},
            )
    else:
        raise InvalidInput(
            "Choose how to sign.", fields={"method": "must be drawn or typed"}
        )
    return _store(
        session,
        actor,
        form,
        patient_id,
        method=given.method,
        now=now,
        printed_name=given.printed_name,
        strokes=strokes,
    )


def record_elsewhere(
    session: Session,
    actor: Actor,
    patient_id: int,
    kind: ConsentKind,
    data: dict[str, Any],
    *,
    now: datetime,
) -> ConsentRecord:
    """Record that consent to the current form is held elsewhere, and why."""
    get_patient(session, patient_id)
    given: ConsentElsewhere = parse_input(ConsentElsewhere, data)
    form = _current_or_refuse(session, kind, given.form_id)
    return _store(
        session,
        actor,
        form,
        patient_id,
        method=ConsentMethod.RECORDED,
        now=now,
        reason=given.reason,
    )


def withdraw_consent(
    session: Session,
    actor: Actor,
    record_id: int,
    data: dict[str, Any],
    *,
    now: datetime,
) -> ConsentRecord:
    """Record that the patient withdrew this consent: when, who recorded it, why.

    Withdrawn photography consent also withdraws the photo module's consent,
    which stops capture and hides the photos.

    :raises Conflict: if it was withdrawn already.
    """
    given: ConsentWithdraw = parse_input(ConsentWithdraw, data)
    record = get_consent(session, record_id)
    if record.withdrawn_at is not None:
        raise Conflict("This consent was withdrawn already.")
    withdraw_record(session, actor, record, given.reason, now)
    if record.kind == ConsentKind.PHOTOGRAPHY:
        _photo_consent(
            session,
            actor,
            record.patient_id,
            PhotoConsent.WITHDRAWN,
            f"Photography consent withdrawn: {given.reason}",
            now,
        )
    session.commit()
    return record
