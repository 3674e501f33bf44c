"""Photographs as FHIR R4 ``Media``, part of the treatment session's Procedure.

Pure: no flask, no database. ``Media`` is an R4 (and R4B) resource; R5 replaced
it with ``DocumentReference``, which a receiver on R5 maps it to. Each photo is:

- ``type`` image (the R4 media-type code system), ``view`` the clinic's standard
  view in planner's code system (``PHOTO_VIEW_SYSTEM``, the view's stored code),
  and the timepoint (pre-treatment, review, other) in the ``PHOTO_CONTEXT``
  extension;
- ``partOf`` the Procedure of the full treatment that opened its cycle, the
  clinician who took it as ``operator``, when as ``createdDateTime``;
- its content a JPEG with no metadata (location and camera details were removed
  on arrival): the display size (at most 1600 pixels a side) in ``data``, with
  its ``size`` and SHA-1 ``hash`` as R4 defines them. An export that leaves
  images out (the whole-clinic NDJSON, whose lines would otherwise carry every
  photo of every patient) gives the content type and title only.

Photos of a patient who withdrew photography consent are not exported.
"""

import base64
import hashlib
from collections.abc import Callable

from planner.interop.fhir_codes import BASE
from planner.interop.fhir_codes import Resource
from planner.interop.fhir_codes import coding
from planner.interop.fhir_codes import concept
from planner.interop.fhir_codes import instant
from planner.interop.fhir_records import PatientExport
from planner.interop.fhir_records import PhotoRecord
from planner.vocabulary import label

MEDIA_TYPE = "http://terminology.hl7.org/CodeSystem/media-type"
PHOTO_VIEW_SYSTEM = f"{BASE}/CodeSystem/photo-view"
PHOTO_CONTEXT = f"{BASE}/StructureDefinition/photo-context"
CONTENT_TYPE = "image/jpeg"

RefMaker = Callable[[str, int], Resource]


def media_resource(
    photo: PhotoRecord, ref: RefMaker, patient_ref: Resource, *, cycle_number: int
) -> Resource:
    """Return one photo as a Media resource."""
    timepoint = label("timepoint", photo.timepoint)
    content: Resource = {
        "contentType": CONTENT_TYPE,
        "title": f"{photo.view_label}, cycle {cycle_number}, {timepoint.lower()}",
        "creation": instant(photo.taken_at),
    }
    if photo.data is not None:
        content |= {
            "data": base64.b64encode(photo.data).decode("ascii"),
            "size": len(photo.data),
            # R4 Attachment.hash: the SHA-1 of the data, base64-encoded.
            "hash": base64.b64encode(hashlib.sha1(photo.data).digest()).decode(),
        }
    return {
        "resourceType": "Media",
        "extension": [
            {
                "url": PHOTO_CONTEXT,
                "extension": [{"url": "timepoint", "valueCode": photo.timepoint}],
            }
        ],
        "partOf": [ref("treatment_session", photo.session_id)],
        "status": "completed",
        "type": concept(coding(MEDIA_TYPE, "image", "Image")),
        "view": concept(
            coding(PHOTO_VIEW_SYSTEM, photo.view_code, photo.view_label),
            text=photo.view_label,
        ),
        "subject": patient_ref,
        "createdDateTime": instant(photo.taken_at),
        "operator": ref("user", photo.taken_by_id),
        "height": photo.height,
        "width": photo.width,
        "content": content,
    }


def photo_media(
    export: PatientExport, ref: RefMaker, patient_ref: Resource
) -> list[tuple[int, Resource]]:
    """Return each exported photo's id and its Media resource, in export order."""
    cycles = {record.id: record.cycle_number for record in export.sessions}
    return [
        (
            photo.id,
            media_resource(
                photo, ref, patient_ref, cycle_number=cycles[photo.session_id]
            ),
        )
        for photo in export.photos
    ]
