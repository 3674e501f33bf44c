"""Clinical flags: who may change them, and the notice the next chart shows.

The flags are what the chair's checks read from the patient record: the
contraindications, the affected side and toxin given elsewhere. Staff see them but
only an injector or an admin changes them (issue 13 finding 12), whatever a form
posts. Each change is in the audit trail (what, from and to, when, by whom); the
patient's next chart reads it from there and says so until that chart is signed.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import and_
from sqlalchemy import func
from sqlalchemy import or_
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import dosing
from planner.clinic_time import local_day
from planner.dosing.records import format_day
from planner.models import AuditAction
from planner.models import AuditEvent
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import TreatmentSession
from planner.models import User
from planner.models.patients import CLINICAL_FLAGS
from planner.models.patients import CONTRAINDICATION_LABELS
from planner.models.patients import PatientBase
from planner.services.actor_roles import CLINICAL_EDITORS
from planner.services.actor_roles import require_role
from planner.services.audit import Actor
from planner.vocabulary import label

# Each flag as the chart's notice names it, mid-sentence.
FLAG_NAMES = {
    **{name: text.lower() for name, text in CONTRAINDICATION_LABELS.items()},
    "affected_side": "affected side",
}
OUTSIDE_ENTITY = "outside_treatment"
# A procedure can remove a muscle the chart would inject (issue 22).
PROCEDURE_ENTITY = "procedure"


def changed_flags(patient: Patient, edited: PatientBase) -> list[str]:
    """Name the clinical flags an edit changes."""
    return [
        name
        for name in CLINICAL_FLAGS
        if getattr(patient, name) != getattr(edited, name)
    ]


def guard_flag_changes(
    session: Session, actor: Actor, patient: Patient, edited: PatientBase
) -> None:
    """Refuse an edit that changes a clinical flag unless an injector or admin made it.

    The check is on the values saved, not on the form's inputs: a staff form posted
    with a flag it does not show is refused like any other.
    """
    changed = changed_flags(patient, edited)
    if not changed:
        return
    require_role(
        session,
        actor,
        CLINICAL_EDITORS,
        "Only an injector or an admin can change clinical flags (contraindications, "
        "the affected side, toxin given elsewhere): the chair's safety checks read "
        "them. Nothing was saved.",
        dict.fromkeys(changed, "can be changed only by an injector or an admin"),
    )


@dataclass(frozen=True)
class FlagChange:
    """One saved change of the patient's clinical flags, as the next chart shows it."""

    day: date
    by: str
    changes: tuple[str, ...]

    @property
    def text(self) -> str:
        return (
            f"Clinical flags changed on {format_day(self.day)} by {self.by}: "
            + "; ".join(self.changes)
            + "."
        )


def _value(name: str, value: object) -> str:
    if name == "affected_side":
        return label("affected_side", str(value)).lower()
    return "yes" if value else "no"


def _patient_changes(event: AuditEvent) -> list[str]:
    before, after = event.before or {}, event.after or {}
    return [
        f"{FLAG_NAMES[name]} {_value(name, before.get(name))} → "
        f"{_value(name, after[name])}"
        for name in CLINICAL_FLAGS
        if name in after
    ]


def _outside_change(event: AuditEvent, products: dict[int, Product]) -> str:
    added = event.action == AuditAction.CREATE
    row = (event.after if added else event.before) or {}
    product = products.get(row.get("product_id", 0))
    brand, unit = (product.brand, product.unit_name) if product else ("Toxin", "U")
    given_on = date.fromisoformat(str(row.get("given_on")))
    return (
        f"toxin given elsewhere {'added' if added else 'removed'}: {brand} "
        f"{dosing.format_units(float(row.get('units', 0)))} {unit} on "
        f"{format_day(given_on)} ({row.get('place')}, {row.get('indication')})"
    )


def _procedure_change(event: AuditEvent) -> str:
    added = event.action == AuditAction.CREATE
    row = (event.after if added else event.before) or {}
    muscles = ", ".join(str(m).replace("_", " ") for m in row.get("muscles") or ())
    done_on = date.fromisoformat(str(row.get("performed_on")))
    return (
        f"procedure {'added' if added else 'removed'}: "
        f"{label('procedure_kind', str(row.get('kind')))}, "
        f"{label('affected_side', str(row.get('side'))).lower()}"
        + (f" ({muscles})" if muscles else "")
        + f" on {format_day(done_on)}"
    )


def flag_changes_since_last_chart(
    session: Session, record: TreatmentSession, zone: ZoneInfo
) -> list[FlagChange]:
    """Return the flag changes since the patient's last signed chart, oldest first.

    With no signed chart yet, every change since registration counts. Days are the
    clinic's calendar days.
    """
    last_signed = session.exec(
        select(func.max(TreatmentSession.signed_at)).where(
            TreatmentSession.patient_id == record.patient_id,
            TreatmentSession.status == SessionStatus.SIGNED,
            TreatmentSession.id != record.id,
        )
    ).one()
    query = (
        select(AuditEvent, User.name)
        .outerjoin(User, col(User.id) == col(AuditEvent.actor_id))
        .where(
            AuditEvent.patient_id == record.patient_id,
            or_(
                and_(
                    col(AuditEvent.entity_type) == "patient",
                    col(AuditEvent.action) == AuditAction.UPDATE,
                ),
                and_(
                    col(AuditEvent.entity_type).in_([OUTSIDE_ENTITY, PROCEDURE_ENTITY]),
                    col(AuditEvent.action).in_(
                        [AuditAction.CREATE, AuditAction.DELETE]
                    ),
                ),
            ),
        )
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )
    if last_signed is not None:
        query = query.where(col(AuditEvent.at) > last_signed)
    products = {p.id or 0: p for p in session.exec(select(Product))}
    found: list[FlagChange] = []
    for event, name in session.exec(query).all():
        if event.entity_type == OUTSIDE_ENTITY:
            changes = [_outside_change(event, products)]
        elif event.entity_type == PROCEDURE_ENTITY:
            changes = [_procedure_change(event)]
        else:
            changes = _patient_changes(event)
        if changes:
            found.append(
                FlagChange(
                    day=local_day(event.at, zone),
                    by=name or event.actor_email or "someone unknown",
                    changes=tuple(changes),
                )
            )
    return found


def contraindications_as_of(
    session: Session, patient: Patient, moment: datetime
) -> dosing.Contraindications:
    """Return the patient's contraindication flags as they stood at ``moment``.

    The patient row holds only today's flags; each change is in the audit trail
    with its value before and after, so the changes made since ``moment`` are
    undone, newest first. An amendment is judged this way, as of the moment its
    record was signed: those are the flags its checks ran with. A clinician
    correcting a typo in an old record is then neither stopped by an allergy
    recorded months later nor shown a warning the record never had, and a flag
    set between the treatment and its signing, which the record carries with
    its reason, is still there.
    """
    values = {name: getattr(patient, name) for name in CONTRAINDICATION_LABELS}
    since = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.patient_id == patient.id,
            AuditEvent.entity_type == "patient",
            AuditEvent.action == AuditAction.UPDATE,
            col(AuditEvent.at) > moment,
        )
        .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
    )
    for event in since:
        before, after = event.before or {}, event.after or {}
        for name in values:
            if name in after and name in before:
                values[name] = bool(before[name])
    return dosing.Contraindications(**values)
