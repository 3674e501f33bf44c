"""The patient's take-home sheet for one session: where, what next, what to watch."""

from dataclasses import dataclass
from dataclasses import field
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.facemap import FaceMap
from planner.facemap import edition_for
from planner.models import InjectionSite
from planner.models import Patient
from planner.models import Product
from planner.models import SessionStatus
from planner.models import Sex
from planner.models import SiteRole
from planner.reports.advice import STRONGER_SIDE
from planner.reports.advice import PlaceTreated
from planner.reports.advice import TailoredAdvice
from planner.reports.advice import advice_for
from planner.reports.advice import good_to_know
from planner.reports.advice import places_treated
from planner.reports.appointments import PatientVisit
from planner.reports.appointments import arranged_by
from planner.reports.appointments import patient_visits
from planner.reports.diary_qr import DiaryQr
from planner.reports.maps import MapSite
from planner.reports.maps import printed_map
from planner.reports.moving import MovingYourFace
from planner.reports.moving import moving_your_face
from planner.reports.red_flags import RedFlag
from planner.reports.red_flags import Urgency
from planner.reports.red_flags import red_flags_for
from planner.reports.render import PdfVariant
from planner.reports.sourced import CLINIC_ADVICE
from planner.reports.sourced import AdviceLine
from planner.reports.wearing_off import wears_off
from planner.services.sessions import get_session_record
from planner.services.therapy import active_therapy

# Tagged for screen readers (PDF/UA-1), with its title and language.
PDF_VARIANT: PdfVariant = "pdf/ua-1"
# The map's printed width, and its numbers' smallest size: 10 pt beside 12 pt
# text. templates/reports/handout.html lays the page out around this width.
MAP_WIDTH_MM = 104.0
NUMBER_PT = 10.0


@dataclass(frozen=True)
class PatientHandout:
    """What the patient takes home after a session."""

    session_id: int
    patient_id: int
    patient_name: str
    mrn: str
    treated_on: datetime
    signed: bool
    # The day of this printing when it is later than the treatment: a reprint.
    reprinted_on: date | None
    product: str
    inn: str
    # How long the effect lasts: the label's for Botox, else the clinic's estimate.
    wears_off: AdviceLine
    map: Markup
    site_count: int
    places: list[PlaceTreated]
    advice: list[TailoredAdvice]
    red_flags: dict[Urgency, tuple[RedFlag, ...]]
    # Why the stronger side was treated, when it was.
    stronger_side: AdviceLine | None
    notes: list[AdviceLine]
    visits: list[PatientVisit]
    # The cycle's diary link, printed on a page of its own; None when the
    # session has no open link (a draft, a top-up) or it was not asked for.
    diary: DiaryQr | None = None
    # The cycle has an open diary link that this print cannot show (issued
    # before links could be printed again): the handout says to ask for it.
    diary_elsewhere: bool = False
    # Therapy's home plan, or a suggestion to ask about it (issue 22).
    moving: MovingYourFace = field(
        default_factory=lambda: moving_your_face(in_therapy=False)
    )

    @property
    def map_width_mm(self) -> float:
        return MAP_WIDTH_MM

    @property
    def clinic_advice(self) -> str:
        """The label printed before each line of the clinic's own advice."""
        return CLINIC_ADVICE

    def advice_lines(self) -> list[AdviceLine]:
        """Return every line of advice this handout prints, sourced or the clinic's."""
        flags = [
            line
            for rules in self.red_flags.values()
            for flag in rules
            for line in flag.lines
        ]
        tailored = [line for advice in self.advice for line in advice.points]
        stronger = [self.stronger_side] if self.stronger_side else []
        after = [self.wears_off, *self.moving.lines]
        return flags + stronger + after + self.notes + tailored


def patient_handout(
    session: Session,
    session_id: int,
    *,
    face_map: FaceMap,
    zone: ZoneInfo,
    now: datetime,
) -> PatientHandout:
    """Gather the handout for one session: places treated, advice, follow-up."""
    record = get_session_record(session, session_id)
    patient = session.get(Patient, record.patient_id)
    product = session.get(Product, record.product_id)
    assert patient is not None
    assert patient.id is not None
    assert product is not None
    rows = session.exec(
        select(InjectionSite)
        .where(InjectionSite.session_id == session_id)
        .order_by(col(InjectionSite.number))
    ).all()
    treated_on = record.performed_at.astimezone(zone)
    today = local_day(now, zone)
    advice = advice_for((s.muscle, s.side.value) for s in rows)
    picture = printed_map(
        # The session's own map version, as the chart is drawn.
        edition_for(face_map, record.map_version),
        # Dots are all one size on the handout (largest=0), so a draft's site
        # still waiting for its dose prints like the rest.
        (MapSite(s.number, s.x, s.y, s.units or 0.0) for s in rows),
        width_mm=MAP_WIDTH_MM,
        min_pt=NUMBER_PT,
        alt=(
            f"Drawing of your face, as if someone is facing you, with {len(rows)} "
            "numbered dots where you had injections. The list beside it says "
            "where each number is."
        ),
        largest=0.0,
        id_prefix="handout-",
    )
    return PatientHandout(
        session_id=session_id,
        patient_id=patient.id,
        patient_name=patient.full_name,
        mrn=patient.mrn,
        treated_on=treated_on,
        signed=record.status == SessionStatus.SIGNED,
        reprinted_on=today if today > treated_on.date() else None,
        product=product.brand,
        inn=product.inn,
        wears_off=wears_off(product.code),
        map=picture,
        site_count=len(rows),
        places=places_treated((s.number, s.muscle, s.side.value) for s in rows),
        advice=advice,
        red_flags=red_flags_for({a.key for a in advice}),
        stronger_side=STRONGER_SIDE
        if any(s.role == SiteRole.CONTRALATERAL for s in rows)
        else None,
        notes=good_to_know(
            may_breastfeed=patient.breastfeeding or patient.sex != Sex.MALE
        ),
        visits=patient_visits(
            arranged_by(session, record, zone=zone), now=now, zone=zone
        ),
        moving=moving_your_face(
            in_therapy=active_therapy(session, patient.id, treated_on.date())
            is not None
        ),
    )
