"""The compare page: one view across chosen cycles, aligned by the marked pupils.

The images are not redrawn here: each panel carries the similarity transform
(as an SVG ``matrix``) that puts its display-size JPEG into the common frame,
levelled and scaled to one pupil distance, and the browser draws it. Panels whose
pupils are not marked yet are shown fitted to the frame and say so.

Measurements are in mm (``planner.services.photo_measures``). Each panel says
what its millimetres rest on (a ruler, or the iris figure), and the page says so
when the panels differ: a few per cent between the two kinds is the scale, not
the face.
Each panel and each cycle choice names the product and dose its photo follows
(``planner.services.photo_products``), and the page says so when those differ.
"""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner import photometry
from planner.clinic_time import local_day
from planner.errors import InvalidInput
from planner.errors import NotFound
from planner.models.photos import PHOTO_TIMEPOINTS
from planner.models.photos import Photo
from planner.models.photos import PhotoImage
from planner.photometry import Frame
from planner.photometry import Similarity
from planner.services.patients import get_patient
from planner.services.photo_measures import PhotoMeasures
from planner.services.photo_measures import visit_measures
from planner.services.photo_products import Follows
from planner.services.photo_products import cycle_doses
from planner.services.photo_products import photo_follows
from planner.services.photo_views import ViewSetting
from planner.services.photo_views import find_view
from planner.services.photo_views import list_views
from planner.services.photos import patient_cycles
from planner.services.photos import require_visible
from planner.vocabulary import AffectedSide

FRAME = Frame()
MAX_PANELS = 6


@dataclass(frozen=True)
class MeasureRow:
    """One measurement of a panel: right, left, and affected against healthy (mm)."""

    label: str
    right: float | None
    left: float | None
    difference: float | None
    ratio: float | None


@dataclass(frozen=True)
class Panel:
    """One cycle's photo of the view, placed in the frame.

    ``follows`` words the product and dose the photo follows; ``product_changed``
    says that differs from the product the panel before it follows.
    """

    photo_id: int
    cycle_number: int
    treated_on: date
    follows: str
    product_changed: bool
    taken_on: date
    display_width: int
    display_height: int
    transform: str
    aligned: bool
    scale: photometry.Scale | None
    measures: tuple[MeasureRow, ...]
    # The one scale the movement's two photos share; None without a movement.
    movement_scale: photometry.Scale | None


@dataclass(frozen=True)
class CycleChoice:
    number: int
    treated_on: date
    follows: str
    has_photo: bool
    chosen: bool


@dataclass(frozen=True)
class PhotoComparison:
    view: ViewSetting
    views: list[ViewSetting]
    timepoint: str
    frame: Frame
    affected_side: AffectedSide
    cycles: list[CycleChoice]
    panels: list[Panel]
    # Chosen cycles that have no photo of this view at this timepoint.
    missing: list[int]
    # Each scale kind and its panels' cycle numbers, when the panels' differ.
    mixed_scales: tuple[tuple[photometry.ScaleKind, tuple[int, ...]], ...]
    # The products the shown photos follow, when more than one: "Botox
    # (cycle 1), Dysport (cycle 2)".
    products_shown: str | None = None


def _pupils(photo: Photo) -> tuple[photometry.Point, photometry.Point] | None:
    right, left = (photo.points.get(key) for key in photometry.PUPILS)
    if right is None or left is None:
        return None
    return (right[0], right[1]), (left[0], left[1])


def _placement(photo: Photo, width: int, height: int) -> tuple[Similarity, bool]:
    """Return the transform from display pixels into the frame, and if aligned."""
    to_original = photometry.scaled(photo.width / width)
    pupils = _pupils(photo)
    if pupils is not None:
        try:
            return to_original.then(photometry.align_pupils(*pupils, FRAME)), True
        except photometry.AlignmentError:
            pass  # marks saved before they were checked: show it unaligned
    fit = min(FRAME.width / width, FRAME.height / height)
    return Similarity(
        fit, 0.0, (FRAME.width - width * fit) / 2, (FRAME.height - height * fit) / 2
    ), False


def _rows(
    photo: Photo, visit: list[Photo], affected: AffectedSide
) -> tuple[PhotoMeasures, tuple[MeasureRow, ...]]:
    found = visit_measures(photo, visit)
    rows = []
    for key, pair in found.values:
        compared = pair.compared(affected)
        rows.append(
            MeasureRow(
                photometry.MEASURE_LABELS[key],
                pair.right,
                pair.left,
                compared.difference,
                compared.ratio,
            )
        )
    return found, tuple(rows)


def _mixed_scales(
    panels: list[Panel],
) -> tuple[tuple[photometry.ScaleKind, tuple[int, ...]], ...]:
    kinds: dict[photometry.ScaleKind, list[int]] = {}
    for panel in panels:
        if panel.scale is not None:
            kinds.setdefault(panel.scale.kind, []).append(panel.cycle_number)
    if len(kinds) < 2:
        return ()
    return tuple((kind, tuple(cycles)) for kind, cycles in kinds.items())


def _check_choice(session: Session, view_code: str, timepoint: str) -> ViewSetting:
    problems: dict[str, str] = {}
    view = None
    try:
        view = find_view(session, view_code)
    except NotFound:
        problems["view"] = "must be one of the clinic's standard views"
    if timepoint not in {tp.value for tp in PHOTO_TIMEPOINTS}:
        problems["timepoint"] = "must be pre-treatment, review or other"
    if problems or view is None:
        raise InvalidInput("Choose a view and a timepoint to compare.", fields=problems)
    return view


def compare_view(
    session: Session,
    patient_id: int,
    *,
    view_code: str,
    timepoint: str,
    cycles: set[int],
    zone: ZoneInfo,
) -> PhotoComparison:
    """Return one view across cycles at one timepoint, each panel aligned.

    :param cycles: the cycle numbers to show; none chosen shows the latest
        ``MAX_PANELS`` cycles that have a photo of the view.
    :raises Forbidden: if the patient withdrew photography consent.
    :raises InvalidInput: for an unknown view or timepoint.
    """
    require_visible(session, patient_id)
    patient = get_patient(session, patient_id)
    view = _check_choice(session, view_code, timepoint)
    full = patient_cycles(session, patient_id)
    photos = session.exec(
        select(Photo)
        .where(Photo.patient_id == patient_id, Photo.timepoint == timepoint)
        .order_by(col(Photo.id))
    ).all()
    by_visit: dict[int, list[Photo]] = {}
    for photo in photos:
        by_visit.setdefault(photo.session_id, []).append(photo)
    latest: dict[tuple[int, str], Photo] = {
        (photo.session_id, photo.view_code): photo for photo in photos
    }
    with_view = [c for c in full if (c.id or 0, view.code) in latest]
    chosen = (
        {c.cycle_number for c in full if c.cycle_number in cycles}
        if cycles
        else {c.cycle_number for c in with_view[-MAX_PANELS:]}
    )
    shown = [c for c in with_view if c.cycle_number in chosen][-MAX_PANELS:]
    shown_photos = [latest[(c.id or 0, view.code)] for c in shown]
    sizes = {
        photo_id: (width, height)
        for photo_id, width, height in session.exec(
            select(PhotoImage.photo_id, PhotoImage.width, PhotoImage.height).where(
                col(PhotoImage.photo_id).in_([p.id for p in shown_photos]),
                PhotoImage.size == "display",
            )
        )
    }
    doses = cycle_doses(session, patient_id, full, zone)
    follows = {
        c.cycle_number: photo_follows(doses, c.cycle_number, timepoint) for c in full
    }
    panels = []
    previous: str | None = None
    for cycle, photo in zip(shown, shown_photos, strict=True):
        assert photo.id is not None
        assert cycle.id is not None
        width, height = sizes[photo.id]
        placement, aligned = _placement(photo, width, height)
        found, rows = _rows(photo, by_visit[cycle.id], patient.affected_side)
        code = follows[cycle.cycle_number].product_code
        panels.append(
            Panel(
                photo_id=photo.id,
                cycle_number=cycle.cycle_number,
                treated_on=local_day(cycle.performed_at, zone),
                follows=follows[cycle.cycle_number].text,
                product_changed=None not in (previous, code) and previous != code,
                taken_on=local_day(photo.taken_at, zone),
                display_width=width,
                display_height=height,
                transform=placement.svg_matrix(),
                aligned=aligned,
                scale=found.scale,
                measures=rows,
                movement_scale=found.movement_scale,
            )
        )
        previous = code or previous
    return PhotoComparison(
        view=view,
        views=list_views(session),
        timepoint=timepoint,
        frame=FRAME,
        affected_side=patient.affected_side,
        cycles=[
            CycleChoice(
                c.cycle_number,
                local_day(c.performed_at, zone),
                follows[c.cycle_number].text,
                c in with_view,
                c.cycle_number in chosen,
            )
            for c in full
        ],
        panels=panels,
        missing=sorted(chosen - {c.cycle_number for c in shown}),
        mixed_scales=_mixed_scales(panels),
        products_shown=_products_shown([follows[c.cycle_number] for c in shown]),
    )


def _products_shown(shown: list[Follows]) -> str | None:
    """Name the products the panels follow, with their cycles, if more than one."""
    cycles: dict[str, list[str]] = {}
    for follow in shown:
        if follow.dose is not None:
            cycles.setdefault(follow.dose.brand, []).append(str(follow.dose.number))
    if len(cycles) < 2:
        return None
    return ", ".join(
        f"{brand} (cycle{'s' if len(numbers) > 1 else ''} {', '.join(numbers)})"
        for brand, numbers in cycles.items()
    )
