"""Read a batch of patients' photographs for the FHIR export.

Only photos the patient has not withdrawn consent for are read, in three
queries a batch: the latest consents, the photos, and their display images
(the sizes only, or the bytes as well when the export carries the images).
"""

from collections import defaultdict
from collections.abc import Sequence

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.interop.fhir_records import PhotoRecord
from planner.models.photos import Photo
from planner.models.photos import PhotoConsentRecord
from planner.models.photos import PhotoImage
from planner.services.photo_views import view_labels
from planner.vocabulary import PhotoConsent


def _withdrawn(session: Session, patient_ids: Sequence[int]) -> set[int]:
    """Return the patients whose latest photography consent is a withdrawal."""
    latest: dict[int, str] = {}
    for patient_id, consent in session.exec(
        select(PhotoConsentRecord.patient_id, PhotoConsentRecord.consent)
        .where(col(PhotoConsentRecord.patient_id).in_(patient_ids))
        .order_by(col(PhotoConsentRecord.id))
    ):
        latest[patient_id] = consent
    return {pid for pid, consent in latest.items() if consent == PhotoConsent.WITHDRAWN}


def photo_records(
    session: Session,
    patient_ids: Sequence[int],
    refused: dict[int, str],
    *,
    with_images: bool,
) -> defaultdict[int, list[PhotoRecord]]:
    """Return each patient's exportable photos, oldest first.

    A photo that cannot be exported (no display-size image, a bad size) is noted
    in ``refused`` under its patient's id, with the reason.

    :param with_images: carry the display-size JPEG bytes, not only their size.
    """
    hidden = _withdrawn(session, patient_ids)
    shown = [pid for pid in patient_ids if pid not in hidden]
    photos = session.exec(
        select(Photo).where(col(Photo.patient_id).in_(shown)).order_by(col(Photo.id))
    ).all()
    found: defaultdict[int, list[PhotoRecord]] = defaultdict(list)
    if not photos:
        return found
    display = (
        col(PhotoImage.photo_id).in_([p.id for p in photos]),
        PhotoImage.size == "display",
    )
    sizes = {
        photo_id: (width, height)
        for photo_id, width, height in session.exec(
            select(PhotoImage.photo_id, PhotoImage.width, PhotoImage.height).where(
                *display
            )
        )
    }
    data: dict[int, bytes] = {}
    if with_images:
        rows = session.exec(
            select(PhotoImage.photo_id, PhotoImage.data).where(*display)
        )
        # .all(): a Result has keys(), so dict() would read it as a mapping.
        data = dict(rows.all())
    labels = view_labels(session)
    for photo in photos:
        assert photo.id is not None
        if photo.id not in sizes:
            refused.setdefault(
                photo.patient_id, f"photo {photo.id}: has no display-size image"
            )
            continue
        width, height = sizes[photo.id]
        try:
            record = PhotoRecord(
                id=photo.id,
                session_id=photo.session_id,
                view_code=photo.view_code,
                view_label=labels.get(photo.view_code, photo.view_code),
                timepoint=photo.timepoint.value,
                taken_at=photo.taken_at,
                taken_by_id=photo.taken_by_id,
                width=width,
                height=height,
                data=data.get(photo.id),
            )
        except ValueError as exc:
            refused.setdefault(photo.patient_id, f"photo {photo.id}: {exc}")
            continue
        found[photo.patient_id].append(record)
    return found
