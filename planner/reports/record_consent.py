"""The consent a printed treatment record names: the form, its version, how given.

The record names the patient's treatment consent that was in force when the
session was signed (the latest given at or before that moment, as the signing
rule reads it), or, for a draft, the one on file now. A withdrawal, even one
after the treatment, is printed too. The record claims no more than the form
says: it names the products the form's own words name, and no others.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.consent.kinds import METHOD_LABELS
from planner.consent.kinds import ConsentKind
from planner.consent.kinds import ConsentMethod
from planner.consent.scope import products_named
from planner.models import ConsentForm
from planner.models import ConsentRecord
from planner.models import Product
from planner.models import TreatmentSession
from planner.models import User


@dataclass(frozen=True)
class RecordConsent:
    """The treatment consent as the printed record shows it."""

    # The form's kind, as named on the consent page: treatment, photography, research.
    kind: str
    title: str
    version: int
    # "Signed on the tablet", "Typed name as signature" or "Recorded with a reason".
    method: str
    # The reason consent is held elsewhere; None when the patient signed here.
    reason: str | None
    printed_name: str | None
    given_at: datetime
    witness: str
    withdrawn_at: datetime | None
    withdrawal_reason: str | None
    # The catalogue's products (brands) the form's title or text names; empty for
    # the shipped form, which speaks only of botulinum toxin.
    names_products: tuple[str, ...] = ()


def record_consent(
    session: Session, record: TreatmentSession, *, zone: ZoneInfo, now: datetime
) -> RecordConsent | None:
    """Return the treatment consent the session was signed under, if any is on file."""
    at = record.signed_at or now
    consent = session.exec(
        select(ConsentRecord)
        .where(
            ConsentRecord.patient_id == record.patient_id,
            ConsentRecord.kind == ConsentKind.TREATMENT,
            col(ConsentRecord.signed_at) <= at,
        )
        .order_by(col(ConsentRecord.signed_at).desc(), col(ConsentRecord.id).desc())
    ).first()
    if consent is None:
        return None
    form = session.get(ConsentForm, consent.form_id)
    witness = session.get(User, consent.witness_id)
    recorded = consent.method == ConsentMethod.RECORDED
    catalogue = session.exec(select(Product).order_by(col(Product.id))).all()
    text = "" if form is None else f"{form.title}\n{form.body}"
    return RecordConsent(
        kind=consent.kind.value,
        title="" if form is None else form.title,
        version=consent.form_version,
        method=METHOD_LABELS[consent.method],
        reason=consent.reason if recorded else None,
        printed_name=consent.printed_name,
        given_at=consent.signed_at.astimezone(zone),
        witness="" if witness is None else witness.name,
        withdrawn_at=None
        if consent.withdrawn_at is None
        else consent.withdrawn_at.astimezone(zone),
        withdrawal_reason=consent.withdrawal_reason,
        names_products=products_named(text, ((p.brand, p.inn) for p in catalogue)),
    )
