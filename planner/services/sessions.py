"""Treatment sessions: opening one at the chair and signing it.

Amending a signed one is ``planner.services.amendments``.

``get_session_record`` lives with the drafts (which this module imports) and is
re-exported here, where the chart, the reports and the views look it up.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from pydantic import ConfigDict
from pydantic import Field
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import update
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.clinic_time import local_day
from planner.db_types import utc_now
from planner.dosing.records import format_day
from planner.errors import Conflict
from planner.errors import InvalidInput
from planner.errors import SignedSession
from planner.errors import StaleWrite
from planner.models import AuditAction
from planner.models import InjectionSite
from planner.models import Product
from planner.models import SessionKind
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.services import lots as lot_service
from planner.services import safety
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.audited_rows import add_audited
from planner.services.consent_status import treatment_consent_errors
from planner.services.cycle_rules import cycle_times
from planner.services.diary_links import issue_diary_link
from planner.services.drafts import get_session_record as get_session_record
from planner.services.drafts import live
from planner.services.drafts import refuse_second_draft
from planner.services.followup import propose_follow_up
from planner.services.lookup import get_or_raise
from planner.services.patients import get_patient
from planner.services.session_vials import choose_vial
from planner.services.site_roles import store_checked_roles
from planner.services.unset_doses import missing_doses
from planner.services.unset_doses import undosed_numbers
from planner.services.warning_reasons import kept_warnings
from planner.services.warning_reasons import named
from planner.services.warning_reasons import reason_errors
from planner.validation import parse_input

MAX_VERSION = 2**31 - 2


class SessionOpen(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: SessionKind = SessionKind.FULL
    product: str = Field(min_length=1, max_length=32)
    lot_choice: str = Field(default="", max_length=20)
    consent_obtained: bool = False
    consent_note: str | None = Field(default=None, max_length=1000)


def last_product_code(session: Session, patient_id: int) -> str | None:
    """Return the product of the patient's latest session, to offer it first."""
    return session.exec(
        select(Product.code)
        .join(TreatmentSession, col(TreatmentSession.product_id) == col(Product.id))
        .where(TreatmentSession.patient_id == patient_id, live())
        .order_by(col(TreatmentSession.performed_at).desc())
        .limit(1)
    ).first()


def _cycle_for(
    session: Session,
    patient_id: int,
    kind: SessionKind,
    *,
    zone: ZoneInfo,
    now: datetime,
) -> tuple[int, int | None]:
    """Return the cycle number and, for a top-up, the full session it belongs to.

    A top-up joins only a cycle whose re-treatment window has not opened (the
    clinic's opening day, or the minimum interval of the full treatment's
    product if later, whatever the top-up's product): after that, today's
    injections are a new full treatment. Nor does it join a full
    treatment still unsigned: the top-up's limits count its cycle's signed units,
    and a draft's are not yet given (reference §2.4: count every session).
    """
    latest_full = session.exec(
        select(TreatmentSession)
        .where(
            TreatmentSession.patient_id == patient_id,
            TreatmentSession.kind == SessionKind.FULL,
            live(),  # a discarded draft's cycle number is free again
        )
        .order_by(col(TreatmentSession.cycle_number).desc())
        .limit(1)
    ).first()
    if kind == SessionKind.FULL:
        return (latest_full.cycle_number + 1 if latest_full else 1), None
    if latest_full is None:
        raise InvalidInput(
            "A top-up belongs to a cycle; this patient has no full treatment yet.",
            fields={"kind": "a top-up needs an earlier full treatment"},
        )
    # The cycle is its full treatment's, whatever product the top-up is given in.
    full_product = get_or_raise(
        session, Product, latest_full.product_id, "No such product."
    )
    times = cycle_times(session, full_product)
    problem = dosing.top_up_problem(
        local_day(latest_full.performed_at, zone), local_day(now, zone), times
    )
    if problem is not None:
        # The desk's form shows the field, not the message: it says why too.
        opened = (
            "a top-up cannot join the cycle: its re-treatment window opened on "
            f"day {times.window_opens_day}.{dosing.window_opening(times)}"
        )
        raise InvalidInput(problem, fields={"kind": opened})
    if latest_full.status == SessionStatus.DRAFT:
        began = format_day(local_day(latest_full.performed_at, zone))
        raise InvalidInput(
            f"This cycle's full treatment, started on {began}, is not signed yet: "
            "sign it, or discard it, before opening a top-up, so that the "
            "top-up's dose limits count the units given in the cycle.",
            fields={
                "kind": f"the cycle's full treatment of {began} is an unsigned "
                "draft: sign or discard it first"
            },
        )
    return latest_full.cycle_number, latest_full.id


def open_session(
    session: Session,
    actor: Actor,
    patient_id: int,
    data: dict[str, Any],
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
) -> TreatmentSession:
    """Open a draft session with its product and vial, chosen once for the chart."""
    patient = get_patient(session, patient_id)
    now = now or utc_now()
    refuse_second_draft(session, patient_id, zone, now)
    opening = parse_input(SessionOpen, data, "Some fields need correcting.")
    product = lot_service.get_product(session, opening.product)
    # The cycle first: a top-up refused here must not leave its new vial pending
    # for the request's next commit to store.
    cycle_number, cycle_session_id = _cycle_for(
        session, patient_id, opening.kind, zone=zone, now=now
    )
    try:
        lot = choose_vial(
            session, actor, product, opening.lot_choice, data, zone=zone, now=now
        )
    except Exception:
        session.rollback()  # a vial half-added is not kept either
        raise
    assert patient.id is not None
    assert product.id is not None
    assert actor.user_id
    record = TreatmentSession(
        patient_id=patient.id,
        injector_id=actor.user_id,
        kind=opening.kind,
        cycle_session_id=cycle_session_id,
        cycle_number=cycle_number,
        product_id=product.id,
        vial_lot_id=lot.id,
        performed_at=now,
        consent_obtained=opening.consent_obtained,
        consent_note=opening.consent_note or None,
    )
    add_audited(session, actor, record, "treatment_session", patient_id=patient.id)
    session.commit()
    return record


_SESSIONS = TreatmentSession.__table__  # type: ignore[attr-defined]  # set by SQLModel
# Built once: a tap runs it every time, and building it cost more than running it.
_CLAIM = (
    update(_SESSIONS)
    .where(
        _SESSIONS.c.id == bindparam("sid"),
        _SESSIONS.c.version == bindparam("expected"),
        _SESSIONS.c.status == SessionStatus.DRAFT,
    )
    .values(version=bindparam("next"), updated_at=bindparam("now"))
    .returning(_SESSIONS.c.patient_id)
)


def refuse_closed(record: TreatmentSession) -> None:
    """Raise why a session that is no longer a draft cannot be changed."""
    if record.status == SessionStatus.SIGNED:
        raise SignedSession(
            "This session is signed and can no longer be edited; "
            "corrections are made by amendment."
        )
    if record.status == SessionStatus.DISCARDED:
        raise Conflict("This draft was discarded and can no longer be edited.")


def claim_version(
    session: Session, session_id: int, expected: int, *, now: datetime
) -> tuple[int, int]:
    """Move a draft session to its next version; return it and the patient's id.

    Or say why the session cannot be edited.

    The check and the bump are one UPDATE, so of two tablets editing at once
    exactly one wins and the other gets a StaleWrite (409). On SQLite it also
    takes the write lock first, so the rest of the change cannot interleave.
    """
    if not 1 <= expected <= MAX_VERSION:
        raise InvalidInput(
            "The chart version is not valid.", fields={"version": "is out of range"}
        )
    result = session.connection().execute(
        _CLAIM,
        {"sid": session_id, "expected": expected, "next": expected + 1, "now": now},
    )
    patient_id = result.scalar_one_or_none()
    if patient_id is not None:
        return expected + 1, patient_id
    session.rollback()
    refuse_closed(get_session_record(session, session_id))
    raise StaleWrite(
        "Another device changed this chart since you loaded it; "
        "showing the latest version."
    )


class SignRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1, le=MAX_VERSION)
    consent_obtained: bool
    reasons: dict[str, str] = Field(default_factory=dict, max_length=200)
    # A hard stop (a recorded toxin allergy) is lifted only by the signing
    # injector's override, by name, with its reason in ``reasons``.
    overrides: list[str] = Field(default_factory=list, max_length=20)


def sign_session(
    session: Session,
    actor: Actor,
    session_id: int,
    data: Any,
    *,
    zone: ZoneInfo,
    now: datetime | None = None,
    diary_key: bytes | None = None,
) -> TreatmentSession:
    """Sign a draft: the warnings shown and the reasons given are kept on the record.

    The checks are run here, as of the treatment time, so no path signs on a stale
    or partial list: each warning needs a reason and each hard stop the injector's
    named override. Signing a full treatment also proposes its review and
    re-treatment window, and issues the cycle's diary link (printable again
    with ``diary_key``, the app's diary key).

    The chart's version is claimed before any check: a page that has not seen
    the latest chart is refused as stale (StaleWrite), not for a warning it has
    never shown; a refusal after the claim rolls it back, version unchanged.
    """
    request = parse_input(SignRequest, data, "The signature request is not valid.")
    now = now or utc_now()
    record = get_session_record(session, session_id)
    # Signed in another tab: say so, not what signing it would need.
    refuse_closed(record)
    # Then the version: a page that has not seen the chart's latest sites is
    # shown them (409 with the state), never refused for a warning it has no
    # box for. The claim also holds the chart (SQLite's write lock, the
    # session's row lock on PostgreSQL) while the checks read it.
    claim_version(session, session_id, request.version, now=now)
    try:
        return _sign_claimed(
            session, actor, record, request, zone=zone, now=now, diary_key=diary_key
        )
    except Exception:
        session.rollback()  # a refusal leaves the version as the page has it
        raise


def _sign_claimed(
    session: Session,
    actor: Actor,
    record: TreatmentSession,
    request: SignRequest,
    *,
    zone: ZoneInfo,
    now: datetime,
    diary_key: bytes | None,
) -> TreatmentSession:
    """Check and sign a draft whose version this request has claimed."""
    session_id = record.id
    assert session_id is not None
    session.refresh(record)
    # A chart started today is given now; an earlier day's keeps its time.
    treated_at = safety.treatment_time(record, now, zone)
    warnings = safety.as_records(
        safety.check_chart(session, record, zone=zone, now=now)
    )
    errors: dict[str, str] = {}
    if not request.consent_obtained:
        errors["consent_obtained"] = "must be confirmed before signing"
    errors.update(
        treatment_consent_errors(
            session, record, treated_at=treated_at, now=now, zone=zone
        )
    )
    reasons = {key: text.strip() for key, text in request.reasons.items()}
    overrides = set(request.overrides)
    errors.update(reason_errors(warnings, reasons, overrides))
    site_count = session.exec(
        select(func.count()).where(InjectionSite.session_id == session_id)
    ).one()
    if site_count == 0:
        errors["sites"] = "chart at least one injection site before signing"
    unset = undosed_numbers(session, session_id)
    if unset:
        errors["doses"] = missing_doses(unset)
    if errors:
        raise InvalidInput("The session cannot be signed yet.", fields=errors)
    store_checked_roles(session, actor, record, now=now)
    record.status = SessionStatus.SIGNED
    record.signed_at = now
    record.signed_by_id = actor.user_id
    record.consent_obtained = True
    record.performed_at = treated_at
    record.warnings = kept_warnings(warnings, reasons, overrides, named(session, actor))
    session.add(record)
    record_event(
        session,
        actor,
        AuditAction.SIGN,
        "treatment_session",
        record.id,
        patient_id=record.patient_id,
        after={
            "version": record.version,
            "performed_at": record.performed_at.isoformat(),
            "warnings": record.warnings,
            "sites": site_count,
        },
    )
    propose_follow_up(session, actor, record, zone=zone, now=now)
    issue_diary_link(session, actor, record, now=now, zone=zone, key=diary_key)
    session.commit()
    return record
