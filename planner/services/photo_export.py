"""An admin's archive of one patient's photographs, consent withdrawn or not.

Withdrawing photography consent hides a patient's photos from every page; the
record itself is kept (it is part of the clinical record), and this archive is
the one way to read it back out: for a subject access request, a complaint or a
transfer of care. Each archive is an audited EXPORT naming how many photos it
holds and the consent in force.

The ZIP holds each photo's original JPEG (as stored: upright, no metadata) and a
``manifest.json`` describing every photo (cycle, timepoint, view, when, marked
points) and the consent history. Images are read one at a time.
"""

import json
import zipfile
from datetime import datetime
from typing import IO
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session
from sqlmodel import col
from sqlmodel import select

from planner.clinic_time import local_day
from planner.models import AuditAction
from planner.models import TreatmentSession
from planner.models.photos import Photo
from planner.models.photos import PhotoConsentRecord
from planner.models.photos import PhotoImage
from planner.services.audit import Actor
from planner.services.audit import record_event
from planner.services.patients import get_patient
from planner.services.photo_consent import consent_state
from planner.services.photo_views import view_labels


def archive_name(mrn: str, now: datetime, zone: ZoneInfo) -> str:
    """Name the archive by MRN and the clinic's day, never by the patient's name."""
    safe = "".join(c if c.isalnum() or c in "-." else "-" for c in mrn)
    return f"photos-{safe}-{local_day(now, zone).isoformat()}.zip"


def write_photo_archive(
    session: Session, actor: Actor, patient_id: int, out: IO[bytes], *, now: datetime
) -> int:
    """Write the patient's photo archive to ``out``; return how many photos it holds.

    :raises NotFound: if there is no such patient.
    """
    patient = get_patient(session, patient_id)
    photos = session.exec(
        select(Photo, TreatmentSession.cycle_number)
        .join(TreatmentSession, col(TreatmentSession.id) == Photo.session_id)
        .where(Photo.patient_id == patient_id)
        .order_by(col(Photo.id))
    ).all()
    consents = session.exec(
        select(PhotoConsentRecord)
        .where(PhotoConsentRecord.patient_id == patient_id)
        .order_by(col(PhotoConsentRecord.id))
    ).all()
    state = consent_state(session, patient_id)
    record_event(
        session,
        actor,
        AuditAction.EXPORT,
        "photo",
        None,
        patient_id=patient_id,
        after={
            "format": "application/zip",
            "photos": len(photos),
            "consent": None if state.consent is None else state.consent.value,
        },
    )
    session.commit()
    labels = view_labels(session)
    manifest: dict[str, Any] = {
        "mrn": patient.mrn,
        "exported_at": now.isoformat(),
        "consent_history": [
            {
                "consent": record.consent.value,
                "note": record.note,
                "recorded_at": record.recorded_at.isoformat(),
            }
            for record in consents
        ],
        "photos": [],
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for photo, cycle_number in photos:
            name = (
                f"cycle-{cycle_number}/{photo.timepoint.value}/"
                f"{photo.view_code}-{photo.id}.jpg"
            )
            image = session.get(PhotoImage, (photo.id, "original"))
            if image is None:
                continue
            # JPEGs are compressed already: stored, not deflated again.
            archive.writestr(name, image.data)
            session.expunge(image)  # keep one image in memory at a time
            manifest["photos"].append(
                {
                    "file": name,
                    "cycle": cycle_number,
                    "timepoint": photo.timepoint.value,
                    "view": photo.view_code,
                    "view_label": labels.get(photo.view_code, photo.view_code),
                    "taken_at": photo.taken_at.isoformat(),
                    "width": photo.width,
                    "height": photo.height,
                    "points": photo.points,
                    "ruler_mm": photo.ruler_mm,
                }
            )
        archive.writestr(
            "manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False)
        )
    return len(manifest["photos"])
