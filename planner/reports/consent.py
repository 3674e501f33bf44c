"""A signed consent, as a page and as the patient's PDF copy.

The copy carries the exact text of the version signed, the signature drawn
back from its strokes as SVG, the printed name, the time on the clinic's clock,
the witnessing clinician and, if it came to that, the withdrawal.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime

from markupsafe import Markup
from sqlmodel import Session

from planner.consent import Block
from planner.consent import form_blocks
from planner.consent import render_signature_svg
from planner.consent.kinds import KIND_LABELS
from planner.consent.kinds import METHOD_LABELS
from planner.models import ConsentRecord
from planner.models import User
from planner.reports.render import PdfVariant
from planner.services.consent import get_consent
from planner.services.consent_forms import get_form
from planner.services.patients import get_patient

# Tagged for screen readers, with the document's language (PDF/UA).
PDF_VARIANT: PdfVariant = "pdf/ua-1"


@dataclass(frozen=True)
class ConsentCopy:
    """Everything a consent's page and PDF show."""

    record: ConsentRecord
    kind_label: str
    title: str
    version: int
    blocks: list[Block]
    method_label: str
    witness_name: str
    withdrawn_by_name: str | None
    signature_svg: Markup | None
    patient_id: int
    patient_name: str
    mrn: str
    date_of_birth: date

    @property
    def signed_at(self) -> datetime:
        return self.record.signed_at


def _name(session: Session, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = session.get(User, user_id)
    return None if user is None else user.name


def consent_copy(session: Session, record_id: int) -> ConsentCopy:
    """Gather a consent, its form version and the people named on it."""
    record = get_consent(session, record_id)
    form = get_form(session, record.form_id)
    patient = get_patient(session, record.patient_id)
    svg = None
    if record.strokes:
        strokes = [[(float(x), float(y)) for x, y in line] for line in record.strokes]
        label = f"Signature of {record.printed_name or patient.full_name}"
        # Numbers only (checked by parse_strokes when signed); the label is escaped.
        svg = Markup(render_signature_svg(strokes, label=label))  # noqa: S704
    return ConsentCopy(
        record=record,
        kind_label=KIND_LABELS[record.kind],
        title=form.title,
        version=form.version,
        blocks=form_blocks(form.body),
        method_label=METHOD_LABELS[record.method],
        witness_name=_name(session, record.witness_id) or "unknown",
        withdrawn_by_name=_name(session, record.withdrawn_by_id),
        signature_svg=svg,
        patient_id=record.patient_id,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        date_of_birth=patient.date_of_birth,
    )
