"""Patients' consents: signing at the tablet, consent held elsewhere, withdrawal.

Whether a consent is valid is decided by the pure rule
(``planner.consent.decide_consent``), which ``planner.services.consent_status``
asks about the records; this module records what happens, each in one audited
unit of work. Photography consent signed here also writes the photo module's
consent record, so a withdrawal blocks photo capture and hides the photos the
way the photo module does.
"""

from datetime import datetime
from typing import Any

from sqlmodel import Session

from planner.consent import ConsentKind
from planner.consent import ConsentMethod
from planner.consent import StrokeError
from planner.consent import parse_strokes
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models.consent import ConsentElsewhere
from planner.models.consent import ConsentSign
from planner.models.consent import ConsentWithdraw
from planner.models.photos import PhotoConsentRecord
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.consent_forms import current_form
from planner.services.consent_withdrawal import withdraw_record
from planner.services.lookup import get_or_raise
from planner.services.patients import get_patient
from planner.services.photo_consent import consent_state
from planner.validation import parse_input
from planner.vocabulary import PhotoConsent

CHANGED = "is no longer the current version of this form: read the new one"


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
