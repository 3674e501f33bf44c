"""Photographs: consent, capture, the stored images, the clinician's marks.

Consent comes first: no photo is taken without a recorded photography consent
(separate from treatment consent) that is in force today, and once a patient
withdraws it their photos are hidden from every page and every image request;
only an admin's archive (``planner.services.photo_export``) still reads them.

Every image served is an audited VIEW, in the same transaction as nothing else:
who looked at which photo of whom, and at what size.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import clinic_time
from planner import photometry
from planner.clinic_time import local_day
from planner.dosing.records import format_day
from planner.errors import Conflict
from planner.errors import Forbidden
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models import AuditAction
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.models.photos import PHOTO_TIMEPOINTS
from planner.models.photos import SIZES
from planner.models.photos import Photo
from planner.models.photos import PhotoConsentCreate
from planner.models.photos import PhotoConsentRecord
from planner.models.photos import PhotoImage
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.audited_rows import add_audited
from planner.services.consent_withdrawal import signed_photography
from planner.services.consent_withdrawal import withdraw_record
from planner.services.drafts import live
from planner.services.lookup import get_or_raise
from planner.services.patients import get_patient
from planner.services.photo_consent import ConsentLapsed
from planner.services.photo_consent import consent_in_force
from planner.services.photo_consent import consent_state
from planner.services.photo_views import list_views
from planner.validation import parse_input
from planner.vocabulary import PhotoConsent

HIDDEN = "This patient withdrew photography consent: their photos are hidden."


NEEDS_SIGNATURE = (
    "needs a new signature: the patient withdrew the signed photography consent "
    "form. The patient signs it again, or record on the consent page that consent "
    "is held elsewhere, and why"
)
NEEDS_REASON = (
    "is needed: it is recorded as the reason on the signed photography consent "
    "form too (at least 3 characters)"
)


def record_consent(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: dict[str, Any],
    *,
    now: datetime,
) -> PhotoConsentRecord:
    """Record the patient's photography consent, or its withdrawal.

    A withdrawal also withdraws the patient's signed photography consent forms,
    with the note as the reason (then required). Consent after a withdrawn
    signed form is refused: it takes a new signature, or consent held elsewhere
    with its reason, on the consent page.

    :raises InvalidInput: naming each bad field.
    """
    get_patient(session, patient_id)
    given = parse_input(PhotoConsentCreate, data)
    assert actor.user_id is not None, "consent is recorded by a logged-in clinician"
    signed = signed_photography(session, patient_id)
    if given.consent == PhotoConsent.WITHDRAWN:
        standing = [form for form in signed if form.withdrawn_at is None]
        if standing and len(given.note or "") < 3:
            raise InvalidInput(
                "The withdrawal was not recorded.", fields={"note": NEEDS_REASON}
            )
        for form in standing:
            withdraw_record(session, actor, form, given.note or "", now)
    elif signed and signed[0].withdrawn_at is not None:
        raise InvalidInput(
            "The consent was not recorded.", fields={"consent": NEEDS_SIGNATURE}
        )
    record = PhotoConsentRecord.model_validate(
        given,
        update={
            "patient_id": patient_id,
            "recorded_by_id": actor.user_id,
            "recorded_at": now,
        },
    )
    add_audited(session, actor, record, "photo_consent", patient_id=patient_id)
    session.commit()
    return record


def require_visible(session: Session, patient_id: int) -> None:
    """Refuse to show a patient's photos once they withdrew consent."""
    if consent_state(session, patient_id).hidden:
        raise Forbidden(HIDDEN)


def cycle_session(session: Session, session_id: int) -> TreatmentSession:
    """Return the full treatment whose cycle this session belongs to.

    :raises NotFound: if there is no such session.
    :raises Conflict: if the session, or its cycle, is a discarded draft: a photo
        filed there would be kept but shown nowhere.
    """
    named = get_or_raise(
        session,
        TreatmentSession,
        session_id,
        f"There is no treatment session {session_id}.",
    )
    cycle = named
    if named.kind == SessionKind.TOP_UP and named.cycle_session_id is not None:
        cycle = get_or_raise(
            session,
            TreatmentSession,
            named.cycle_session_id,
            "The top-up's cycle is missing.",
        )
    if SessionStatus.DISCARDED in (named.status, cycle.status):
        raise Conflict(
            "This draft was discarded: take photos with a treatment that stands."
        )
    return cycle


def patient_cycles(session: Session, patient_id: int) -> list[TreatmentSession]:
    """Return the full treatments that opened the patient's cycles, oldest first."""
    return list(
        session.exec(
            select(TreatmentSession)
            .where(
                TreatmentSession.patient_id == patient_id,
                TreatmentSession.kind == SessionKind.FULL,
                live(),
            )
            .order_by(col(TreatmentSession.cycle_number))
        )
    )


def _next_cycle(session: Session, cycle: TreatmentSession) -> TreatmentSession | None:
    return session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == cycle.patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            col(TreatmentSession.cycle_number) > cycle.cycle_number,
            live(),
        )
        .order_by(col(TreatmentSession.cycle_number))
        .limit(1)
    ).first()


def timepoint_problems(
    session: Session,
    cycle: TreatmentSession,
    timepoint: str,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, str]:
    """Name ``timepoint`` if a photo taken ``now`` contradicts the cycle's dates.

    Days are the clinic's (``clinic_time.photo_day_problem``).
    """
    later = _next_cycle(session, cycle)
    day = local_day(now, zone)
    treated_on = local_day(cycle.performed_at, zone)
    next_on = None if later is None else local_day(later.performed_at, zone)
    problem = clinic_time.photo_day_problem(
        timepoint, day, treated_on=treated_on, next_treated_on=next_on
    )
    taken = f"the photo is dated {format_day(day)}"
    treated = f"cycle {cycle.cycle_number}'s treatment on {format_day(treated_on)}"
    if problem == clinic_time.AFTER_TREATMENT:
        why = (
            f"is before the injections, but {taken}, after {treated}: "
            "take it at the review, or with the cycle it comes before"
        )
    elif problem == clinic_time.BEFORE_TREATMENT:
        why = f"is at the review, but {taken}, before {treated}"
    elif problem == clinic_time.AFTER_NEXT_TREATMENT and later and next_on:
        why = (
            f"is at cycle {cycle.cycle_number}'s review, but {taken}, after "
            f"cycle {later.cycle_number}'s treatment on {format_day(next_on)}: "
            f"take it with cycle {later.cycle_number}"
        )
    else:
        return {}
    return {"timepoint": why}


def _capture_problems(
    session: Session,
    cycle: TreatmentSession,
    view_code: str,
    timepoint: str,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, str]:
    problems: dict[str, str] = {}
    consent = consent_in_force(session, cycle.patient_id, now=now, zone=zone)
    if consent.closed_because is not None:
        # Nothing else matters until the patient signs again.
        raise ConsentLapsed(
            "The photo was not saved.",
            fields={"consent": f"is not in force: {consent.closed_because}"},
        )
    if not consent.allows_capture:
        problems["consent"] = (
            "is not recorded: record the patient's photography consent first"
        )
    if view_code not in {view.code for view in list_views(session)}:
        problems["view"] = "must be one of the clinic's standard views"
    if timepoint not in {tp.value for tp in PHOTO_TIMEPOINTS}:
        problems["timepoint"] = "must be pre-treatment, review or other"
    else:
        problems |= timepoint_problems(session, cycle, timepoint, now=now, zone=zone)
    return problems


def add_photo(
    session: Session,
    actor: Actor,
    session_id: int,
    *,
    view_code: str,
    timepoint: str,
    data: bytes,
    now: datetime,
    zone: ZoneInfo,
) -> Photo:
    """Store a photo of one view for the session's cycle: original, display, thumb.

    :raises ConsentLapsed: if the signed photography consent form is not
        valid on the clinic's day of ``now`` (``consent``).
    :raises InvalidInput: without photo consent, for an unknown view or
        timepoint, for a timepoint its date contradicts (``timepoint``), or for
        an upload that is not a usable photo (``photo``).
    """
    cycle = cycle_session(session, session_id)
    problems = _capture_problems(
        session, cycle, view_code, timepoint, now=now, zone=zone
    )
    if problems:
        raise InvalidInput("The photo was not saved.", fields=problems)
    try:
        processed = photometry.process_photo(data)
    except photometry.PhotoRejected as refused:
        raise InvalidInput(
            "The photo was not saved.", fields={"photo": refused.reason}
        ) from None
    assert actor.user_id is not None, "photos are taken by a logged-in clinician"
    assert cycle.id is not None
    photo = Photo(
        patient_id=cycle.patient_id,
        session_id=cycle.id,
        view_code=view_code,
        timepoint=Timepoint(timepoint),
        taken_at=now,
        taken_by_id=actor.user_id,
        width=processed.original.width,
        height=processed.original.height,
    )
    session.add(photo)
    session.flush()
    assert photo.id is not None
    renditions = (processed.original, processed.display, processed.thumbnail)
    for size, rendition in zip(SIZES, renditions, strict=True):
        session.add(
            PhotoImage(
                photo_id=photo.id,
                size=size,
                content_type=photometry.CONTENT_TYPE,
                width=rendition.width,
                height=rendition.height,
                data=rendition.data,
            )
        )
    record_event(
        session,
        actor,
        AuditAction.CREATE,
        "photo",
        photo.id,
        patient_id=photo.patient_id,
        after=snapshot(photo)
        | {"bytes": {s: len(r.data) for s, r in zip(SIZES, renditions, strict=True)}},
    )
    session.commit()
    return photo


def get_visible_photo(session: Session, photo_id: int) -> Photo:
    """Return a photo that may be shown.

    :raises NotFound: if there is no such photo.
    :raises Forbidden: if the patient withdrew photography consent.
    """
    photo = get_or_raise(session, Photo, photo_id, f"There is no photo {photo_id}.")
    require_visible(session, photo.patient_id)
    return photo


def read_image(session: Session, actor: Actor, photo_id: int, size: str) -> PhotoImage:
    """Return one stored JPEG of a visible photo, noting the view in the trail.

    :raises NotFound: for an unknown photo or size.
    :raises Forbidden: if the patient withdrew photography consent.
    """
    if size not in SIZES:
        raise NotFound(f"There is no {size!r} size of a photo.")
    photo = get_visible_photo(session, photo_id)
    image = get_or_raise(
        session, PhotoImage, (photo_id, size), "The photo's image is missing."
    )
    record_event(
        session,
        actor,
        AuditAction.VIEW,
        "photo",
        photo_id,
        patient_id=photo.patient_id,
        after={"size": size},
    )
    session.commit()
    return image
