"""A patient's photos by cycle, timepoint and view, and the capture page's steps.

A visit is one cycle at one timepoint. Its views are taken one after another; a
retake is a newer photo of the same view, and the newest is the one shown.
"""

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import photometry
from planner.clinic_time import local_day
from planner.errors import InvalidInput
from planner.models import Patient
from planner.models import Product
from planner.models import Timepoint
from planner.models import TreatmentSession
from planner.models.photos import PHOTO_TIMEPOINTS
from planner.models.photos import Photo
from planner.services.patients import get_patient
from planner.services.photo_consent import ConsentState
from planner.services.photo_consent import consent_in_force
from planner.services.photo_views import ViewSetting
from planner.services.photo_views import list_views
from planner.services.photos import cycle_session
from planner.services.photos import patient_cycles
from planner.services.photos import require_visible
from planner.services.photos import timepoint_problems


def default_timepoint(cycle: TreatmentSession, *, zone: ZoneInfo, now: datetime) -> str:
    """Before the injections on the day of treatment; at the review after it."""
    if local_day(cycle.performed_at, zone) >= local_day(now, zone):
        return Timepoint.PRE_TREATMENT.value
    return Timepoint.REVIEW.value


@dataclass(frozen=True)
class Take:
    """The newest photo of one view at one visit, and how many were taken."""

    photo_id: int
    view_code: str
    timepoint: str
    taken_at: datetime
    pupils_marked: bool
    takes: int


@dataclass(frozen=True)
class CycleAlbum:
    """A cycle's photos: by timepoint, then by view code.

    ``can_take`` lists the timepoints a photo may be taken at today: its
    treatment's dates rule out the others (``photos.timepoint_problems``).
    """

    session_id: int
    number: int
    # The brand the cycle's treatment was given in (units never compare across).
    product: str
    treated_on: date
    visits: dict[str, dict[str, Take]]
    can_take: tuple[str, ...]


def _takes(photos: list[Photo]) -> dict[int, dict[str, dict[str, Take]]]:
    """Group photos by cycle session, timepoint and view: newest take, count."""
    found: dict[int, dict[str, dict[str, Take]]] = {}
    for photo in photos:  # oldest first, so a later take replaces an earlier
        assert photo.id is not None
        visit = found.setdefault(photo.session_id, {}).setdefault(
            photo.timepoint.value, {}
        )
        earlier = visit.get(photo.view_code)
        visit[photo.view_code] = Take(
            photo.id,
            photo.view_code,
            photo.timepoint.value,
            photo.taken_at,
            all(key in photo.points for key in photometry.PUPILS),
            1 + (earlier.takes if earlier else 0),
        )
    return found


def patient_album(
    session: Session, patient_id: int, *, zone: ZoneInfo, now: datetime
) -> list[CycleAlbum]:
    """Return every cycle of the patient, newest first, with its photos.

    :raises Forbidden: if the patient withdrew photography consent.
    """
    require_visible(session, patient_id)
    cycles = patient_cycles(session, patient_id)[::-1]
    photos = session.exec(
        select(Photo).where(Photo.patient_id == patient_id).order_by(col(Photo.id))
    ).all()
    takes = _takes(list(photos))
    brands = {
        product.id: product.brand for product in session.exec(select(Product)).all()
    }
    albums = []
    for cycle in cycles:
        assert cycle.id is not None
        albums.append(
            CycleAlbum(
                cycle.id,
                cycle.cycle_number,
                brands[cycle.product_id],
                local_day(cycle.performed_at, zone),
                takes.get(cycle.id, {}),
                tuple(
                    tp.value
                    for tp in PHOTO_TIMEPOINTS
                    if not timepoint_problems(
                        session, cycle, tp.value, now=now, zone=zone
                    )
                ),
            )
        )
    return albums


def visit_takes(
    session: Session, cycle: TreatmentSession, timepoint: str
) -> dict[str, Take]:
    """Return the newest take of each view at one visit (cycle and timepoint)."""
    photos = session.exec(
        select(Photo)
        .where(Photo.session_id == cycle.id, Photo.timepoint == timepoint)
        .order_by(col(Photo.id))
    ).all()
    assert cycle.id is not None
    return _takes(list(photos)).get(cycle.id, {}).get(timepoint, {})


@dataclass(frozen=True)
class CaptureStep:
    """One step of the capture page: the visit, its views and the one to take.

    ``current`` is None once every view has a photo; ``next_code`` is the view
    to go on to after this one (the next without a photo), if any.
    """

    patient: Patient
    cycle: TreatmentSession
    timepoint: str
    views: list[ViewSetting]
    takes: dict[str, Take]
    current: ViewSetting | None
    next_code: str | None
    consent: ConsentState


def _next_missing(
    views: list[ViewSetting], takes: dict[str, Take], after: str | None
) -> str | None:
    """Return the first view after ``after`` with no photo, wrapping round."""
    codes = [view.code for view in views]
    start = codes.index(after) + 1 if after in codes else 0
    for code in codes[start:] + codes[:start]:
        if code not in takes and code != after:
            return code
    return None


def capture_step(
    session: Session,
    session_id: int,
    *,
    view_code: str | None,
    timepoint: str | None,
    zone: ZoneInfo,
    now: datetime,
) -> CaptureStep:
    """Return the capture page's step for a view (or the first still to take).

    :raises InvalidInput: for an unknown view or timepoint, or a timepoint the
        cycle's dates rule out today.
    :raises Forbidden: if the patient withdrew photography consent.
    """
    cycle = cycle_session(session, session_id)
    require_visible(session, cycle.patient_id)
    timepoint = timepoint or default_timepoint(cycle, zone=zone, now=now)
    views = list_views(session)
    problems = {}
    if timepoint not in {tp.value for tp in PHOTO_TIMEPOINTS}:
        problems["timepoint"] = "must be pre-treatment, review or other"
    else:
        problems |= timepoint_problems(session, cycle, timepoint, now=now, zone=zone)
    if view_code and view_code not in {view.code for view in views}:
        problems["view"] = "must be one of the clinic's standard views"
    if problems:
        raise InvalidInput("Choose a view and a timepoint.", fields=problems)
    takes = visit_takes(session, cycle, timepoint)
    code = view_code or _next_missing(views, takes, None)
    current = next((view for view in views if view.code == code), None)
    return CaptureStep(
        patient=get_patient(session, cycle.patient_id),
        cycle=cycle,
        timepoint=timepoint,
        views=views,
        takes=takes,
        current=current,
        next_code=_next_missing(views, takes, code),
        consent=consent_in_force(session, cycle.patient_id, now=now, zone=zone),
    )
