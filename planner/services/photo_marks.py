"""The clinician's marks on a photo: pupils, brows, lids, mouth corners and scale.

Points arrive as a form of x and y fields in the photo's own pixels (the page's
script fills them from taps; a keyboard user types or nudges them), are checked
against the photo and saved with the photo's version, so two screens marking the
same photo cannot overwrite each other unseen.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import photometry
from planner.errors import InvalidInput
from planner.models import AuditAction
from planner.models import Patient
from planner.models import TreatmentSession
from planner.models.photos import Photo
from planner.models.photos import PhotoImage
from planner.services.audit import Actor
from planner.services.audit import changed_fields
from planner.services.audit import record_event
from planner.services.audit import snapshot
from planner.services.locking import update_if_version
from planner.services.lookup import get_or_raise
from planner.services.patients import get_patient
from planner.services.photo_views import view_labels
from planner.services.photos import get_visible_photo
from planner.validation import ascii_number

MAX_RULER_MM = 1000.0


def _coordinate(form: Mapping[str, str], name: str) -> float | None | str:
    text = (form.get(name) or "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return "must be a number"
    return value if math.isfinite(value) else "must be a number"


def parse_marks(
    form: Mapping[str, str], *, width: int, height: int
) -> tuple[dict[str, list[float]], float | None, dict[str, str]]:
    """Read the marking form: each point's x and y, and the ruler's length.

    :return: the points, the ruler length in mm and a problem per bad field.
    """
    points: dict[str, list[float]] = {}
    problems: dict[str, str] = {}
    for landmark in photometry.LANDMARKS:
        x_name, y_name = f"{landmark.key}_x", f"{landmark.key}_y"
        x, y = _coordinate(form, x_name), _coordinate(form, y_name)
        for name, value in ((x_name, x), (y_name, y)):
            if isinstance(value, str):
                problems[name] = value
        if isinstance(x, float) and isinstance(y, float):
            points[landmark.key] = [x, y]
        elif (x is None) != (y is None) and not problems:
            missing = x_name if x is None else y_name
            problems[missing] = "is needed as well: give both x and y, or neither"
    marked = {key: (x, y) for key, (x, y) in points.items()}
    for key, reason in photometry.check_points(
        marked, width=width, height=height
    ).items():
        problems[f"{key}_x"] = reason
    # A point off the photo is named for that first; then the side it is on.
    for name, reason in photometry.side_problems(marked).items():
        problems.setdefault(name, reason)
    ruler = _coordinate(form, "ruler_mm")
    if isinstance(ruler, str):
        problems["ruler_mm"] = ruler
        ruler = None
    elif ruler is not None and not 0 < ruler <= MAX_RULER_MM:
        problems["ruler_mm"] = f"must be more than 0 and at most {MAX_RULER_MM:g} mm"
    return points, ruler, problems


def save_marks(
    session: Session,
    actor: Actor,
    photo_id: int,
    form: Mapping[str, str],
    *,
    now: datetime,
) -> Photo:
    """Save the points marked on a photo (pupils, brows, lids, corners, scale).

    :raises InvalidInput: naming each bad coordinate.
    :raises StaleWrite: if the marks were saved elsewhere since the page loaded.
    """
    photo = get_visible_photo(session, photo_id)
    points, ruler_mm, problems = parse_marks(
        form, width=photo.width, height=photo.height
    )
    version = (form.get("version") or "").strip()
    if ascii_number(version) is None:
        problems["version"] = "is missing; reload the page"
    if problems:
        raise InvalidInput("Some points need correcting.", fields=problems)
    before = snapshot(photo)
    update_if_version(
        session,
        Photo,
        (Photo.id, photo_id),
        int(version),
        {
            "points": points,
            "ruler_mm": ruler_mm,
            "marked_by_id": actor.user_id,
            "marked_at": now,
        },
        stale_message="These marks were saved from another screen; reload the page.",
    )
    session.refresh(photo)
    old, new = changed_fields(before, snapshot(photo))
    record_event(
        session,
        actor,
        AuditAction.UPDATE,
        "photo",
        photo_id,
        patient_id=photo.patient_id,
        before=old,
        after=new,
    )
    session.commit()
    return photo


@dataclass(frozen=True)
class MarkingPage:
    """What the marking page shows: the photo, its display size and its marks.

    ``values`` are the form's fields (``pupil_right_x``, ...) as text; ``next_id``
    is the next photo of the same visit, in the order the views were taken.
    """

    photo: Photo
    patient: Patient
    cycle_number: int
    view_label: str
    display_width: int
    display_height: int
    values: dict[str, str]
    next_id: int | None


def mark_values(photo: Photo) -> dict[str, str]:
    """Return the saved marks as the form's text fields."""
    values = {}
    for key, (x, y) in photo.points.items():
        values[f"{key}_x"], values[f"{key}_y"] = f"{x:g}", f"{y:g}"
    if photo.ruler_mm is not None:
        values["ruler_mm"] = f"{photo.ruler_mm:g}"
    return values


def marking_page(session: Session, photo_id: int) -> MarkingPage:
    """Gather the marking page of a visible photo.

    :raises NotFound: if there is no such photo.
    :raises Forbidden: if the patient withdrew photography consent.
    """
    photo = get_visible_photo(session, photo_id)
    display = get_or_raise(
        session, PhotoImage, (photo_id, "display"), "The photo's image is missing."
    )
    cycle = get_or_raise(
        session, TreatmentSession, photo.session_id, "The photo's cycle is missing."
    )
    visit = session.exec(
        select(Photo.id)
        .where(Photo.session_id == photo.session_id, Photo.timepoint == photo.timepoint)
        .order_by(col(Photo.id))
    ).all()
    later = [other for other in visit if other is not None and other > photo_id]
    return MarkingPage(
        photo=photo,
        patient=get_patient(session, photo.patient_id),
        cycle_number=cycle.cycle_number,
        view_label=view_labels(session).get(photo.view_code, photo.view_code),
        display_width=display.width,
        display_height=display.height,
        values=mark_values(photo),
        next_id=later[0] if later else None,
    )
