"""Whether a patient's photography consent is in force: one answer for every page.

Photography consent is recorded in two places: the photos page records the
patient's answer (clinical record only, or teaching too, or withdrawn), and the
consent page holds signed photography consent forms (or consent held elsewhere,
with its reason). ``photography_decision`` judges them on the clinic's day, and
the consent page, the photos page and photo capture all ask it, so they never
disagree:

- a signed form, when there is one, is judged by the consent rule (re-consent
  age, form version, withdrawal), as treatment consent is;
- an answer recorded only on the photos page ages the same way, from its
  recorded clinic day for the clinic's re-consent age;
- a withdrawal, on either page, stands; it alone hides the photos (expiry does
  not). The photos page's answer keeps its scope (teaching or not).

Only adds and flushes (the shipped form, on first use): callers own the unit of
work.
"""

from dataclasses import dataclass
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.consent import ConsentDecision
from planner.consent import ConsentKind
from planner.consent import decide_photos_page_answer
from planner.dosing.records import format_day
from planner.errors import InvalidInput
from planner.models.photos import PhotoConsentRecord
from planner.services.consent_forms import current_form
from planner.services.consent_validity import decide_at
from planner.services.consent_validity import valid_months
from planner.services.consent_withdrawal import signed_photography
from planner.vocabulary import PhotoConsent
from planner.vocabulary import label


@dataclass(frozen=True)
class ConsentState:
    """The photography consent in force for a patient (None: never recorded).

    ``signed_withdrawn``: the patient's newest signed photography consent form
    is withdrawn, so only a new signature, or consent held elsewhere recorded
    with its reason on the consent page, lets photos be taken again.

    ``closed_because``: the photos page's answer allows photos, but the consent
    is not in force today (``photography_decision``: a signed form older than
    the clinic's re-consent age or on a replaced version, or, with no signed
    form, an answer recorded longer ago than that age), in words saying what is
    needed. Only ``consent_in_force`` judges the dates.
    """

    consent: PhotoConsent | None
    recorded_at: datetime | None = None
    note: str | None = None
    signed_withdrawn: bool = False
    closed_because: str | None = None

    @property
    def allows_capture(self) -> bool:
        return self.closed_because is None and self.consent in (
            PhotoConsent.CLINICAL,
            PhotoConsent.TEACHING,
        )

    @property
    def hidden(self) -> bool:
        return self.consent == PhotoConsent.WITHDRAWN


class ConsentLapsed(InvalidInput):
    """Photography consent was given, but it is not in force today."""


def consent_state(session: Session, patient_id: int) -> ConsentState:
    """Return the patient's photography consent as recorded (not judged by date).

    The photo module's latest record, unless the newest signed photography
    consent form is withdrawn: that withdrawal stands (photos hidden) until a
    new signature, whatever the photo module recorded since. Whether a photo
    may be taken today is ``consent_in_force``'s answer.
    """
    latest = session.exec(
        select(PhotoConsentRecord)
        .where(PhotoConsentRecord.patient_id == patient_id)
        .order_by(col(PhotoConsentRecord.id).desc())
        .limit(1)
    ).first()
    signed = signed_photography(session, patient_id)
    withdrawn = bool(signed) and signed[0].withdrawn_at is not None
    if withdrawn and (latest is None or latest.consent != PhotoConsent.WITHDRAWN):
        return ConsentState(
            PhotoConsent.WITHDRAWN,
            signed[0].withdrawn_at,
            f"Photography consent form withdrawn: {signed[0].withdrawal_reason}",
            signed_withdrawn=True,
        )
    if latest is None:
        return ConsentState(None)
    return ConsentState(latest.consent, latest.recorded_at, latest.note, withdrawn)


def photography_decision(
    session: Session, patient_id: int, *, now: datetime, zone: ZoneInfo
) -> ConsentDecision:
    """Decide whether the patient's photography consent is in force at ``now``.

    The consent page shows this answer and photo capture obeys it.
    """
    return _decide(
        session, patient_id, consent_state(session, patient_id), now=now, zone=zone
    )[0]


def consent_in_force(
    session: Session, patient_id: int, *, now: datetime, zone: ZoneInfo
) -> ConsentState:
    """Return the photography consent in force on the clinic's day of ``now``.

    The recorded consent (``consent_state``), closed for capture when
    ``photography_decision`` finds it not in force then. A lapsed signed form
    may also be renewed by consent held elsewhere, recorded with its reason on
    the consent page. An expired consent hides no photo: only a withdrawal does.
    """
    state = consent_state(session, patient_id)
    if not state.allows_capture:
        return state
    decision, by_form = _decide(session, patient_id, state, now=now, zone=zone)
    if decision.valid:
        return state
    if not by_form:
        return replace(state, closed_because=decision.message)
    return replace(
        state,
        closed_because=f"{decision.message} Or record on the consent page that "
        "consent is held elsewhere, and why.",
    )


def _decide(
    session: Session,
    patient_id: int,
    state: ConsentState,
    *,
    now: datetime,
    zone: ZoneInfo,
) -> tuple[ConsentDecision, bool]:
    """Return the decision, and whether a signed form (not the photos page) made it."""
    signed = signed_photography(session, patient_id)
    form = current_form(session, ConsentKind.PHOTOGRAPHY)
    by_form = decide_at(signed, form, months=valid_months(session), now=now, zone=zone)
    withdrawn = _withdrawn_on_photos(state, zone)
    if signed and not (by_form.valid and withdrawn):
        return by_form, True
    if withdrawn is not None:
        return ConsentDecision(False, withdrawn), False
    if state.consent is None or state.recorded_at is None:
        return by_form, False  # nothing recorded anywhere: "not signed yet"
    return decide_photos_page_answer(
        local_day(state.recorded_at, zone),
        answer=label("photo_consent", state.consent),
        today=local_day(now, zone),
        valid_months=valid_months(session),
    ), False


def _withdrawn_on_photos(state: ConsentState, zone: ZoneInfo) -> str | None:
    """Say when the photos page recorded a withdrawal (None if it did not)."""
    if not state.hidden or state.signed_withdrawn or state.recorded_at is None:
        return None
    day = format_day(local_day(state.recorded_at, zone))
    return f"Withdrawn on the photos page on {day}" + (
        f": {state.note}" if state.note else "."
    )
