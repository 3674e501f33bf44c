"""Photographs in the FHIR export: Media, part of the treatment's Procedure."""

import base64
import hashlib
import json

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.media import Media
from sqlmodel import select

from planner.models import Role
from planner.models.photos import PhotoImage
from tests.photo_images import face_jpeg
from tests.views.test_photos_pages import clinic  # noqa: F401  # the fixture
from tests.views.test_photos_pages import consent
from tests.views.test_photos_pages import photos
from tests.views.test_photos_pages import upload

# R4 (4.0.1) Media elements; Media is not in R5, so nothing here may be R5-only.
MEDIA_ELEMENTS = {
    "resourceType", "id", "meta", "text", "extension", "modifierExtension",
    "identifier", "basedOn", "partOf", "status", "type", "modality", "view",
    "subject", "encounter", "createdDateTime", "createdPeriod", "issued",
    "operator", "reasonCode", "bodySite", "deviceName", "device", "height",
    "width", "frames", "duration", "content", "note",
}  # fmt: skip


def bundle_of(browser, patient_id):
    response = browser.get(f"/patients/{patient_id}/fhir.json")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def media_entries(text):
    bundle = json.loads(text)
    return bundle, [
        e for e in bundle["entry"] if e["resource"]["resourceType"] == "Media"
    ]


def test_a_photo_is_media_with_its_display_jpeg_part_of_the_procedure(
    clinic,  # noqa: F811  # the fixture imported above
    session,
):
    browser, patient = clinic["browser"], clinic["patient"]
    consent(browser, patient.id)
    upload(browser, clinic["cycles"][1], face_jpeg(), view="smile_open")
    [photo] = photos(session)
    display = session.get(PhotoImage, (photo.id, "display"))
    text = bundle_of(browser, patient.id)
    Bundle.model_validate_json(text)
    bundle, [entry] = media_entries(text)
    media = entry["resource"]
    Media.model_validate(media)
    assert set(media) <= MEDIA_ELEMENTS
    procedures = {
        e["resource"]["extension"][0]["extension"][0]["valuePositiveInt"]: e["fullUrl"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Procedure"
    }
    assert media["partOf"] == [{"reference": procedures[2]}]
    assert media["status"] == "completed"
    assert media["type"]["coding"][0]["code"] == "image"
    assert media["view"]["coding"][0]["code"] == "smile_open"
    assert media["extension"][0]["extension"] == [
        {"url": "timepoint", "valueCode": "pre_treatment"}
    ]
    content = media["content"]
    assert content["contentType"] == "image/jpeg"
    assert base64.b64decode(content["data"]) == display.data
    assert content["size"] == len(display.data)
    assert base64.b64decode(content["hash"]) == hashlib.sha1(display.data).digest()
    assert content["title"] == "Open-mouth smile, cycle 2, pre-treatment"
    assert (media["width"], media["height"]) == (display.width, display.height)
    operator = media["operator"]["reference"]
    assert operator in {e["fullUrl"] for e in bundle["entry"]}


def test_withdrawn_photos_are_not_exported_and_the_clinic_file_carries_no_bytes(
    clinic,  # noqa: F811  # the fixture imported above
    session,
    login_as,
):
    browser, patient = clinic["browser"], clinic["patient"]
    consent(browser, patient.id)
    upload(browser, clinic["cycles"][0], face_jpeg())
    admin = login_as(Role.ADMIN)
    response = admin.get("/exports/fhir.ndjson")
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    [media] = [
        e["resource"]
        for line in lines
        for e in line["entry"]
        if e["resource"]["resourceType"] == "Media"
    ]
    assert "data" not in media["content"]
    assert media["content"]["contentType"] == "image/jpeg"
    consent(browser, patient.id, "withdrawn")
    _, entries = media_entries(bundle_of(browser, patient.id))
    assert entries == []
    assert session.exec(select(PhotoImage)).all(), "the record itself is kept"
