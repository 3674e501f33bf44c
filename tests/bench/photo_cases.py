"""Benchmark rows for photographs (issue 19 targets).

- Processing a 12-megapixel JPEG (4000 x 3000, on its side in EXIF): check it,
  turn it upright, strip its metadata, re-encode it and make the display size
  and the thumbnail: under 1 s. Timed on ``process_photo`` alone, in-process.
- The compare page for one view across 6 cycles (each photo's pupils and iris
  marked, so every panel is aligned and measured): under 150 ms server time.

The photos are added once to the bench database's patient with the most cycles
(through the services, as an upload would); a reused database keeps them.
"""

import io
import time
from collections.abc import Callable
from datetime import UTC
from datetime import datetime
from typing import Any

import numpy as np
from flask.testing import FlaskClient
from PIL import Image
from sqlmodel import Session
from sqlmodel import select

from planner.db import build_engine
from planner.models import User
from planner.models.photos import Photo
from planner.photometry import IRIS_DIAMETER_MM
from planner.photometry import process_photo
from planner.services.audit import Actor
from planner.services.photo_marks import save_marks
from planner.services.photos import add_photo
from planner.services.photos import patient_cycles
from planner.services.photos import record_consent
from tests.bench.outcome_cases import patient_with_cycles
from tests.factories import ZONE
from tests.photo_images import camera_exif
from tests.photo_images import draw_face
from tests.photo_images import jpeg_bytes

CYCLES = 6
WHEN = datetime(2026, 3, 2, 10, tzinfo=UTC)
MAX_PROCESSING_REPEAT = 20
WIDTH, HEIGHT = 4000, 3000


def twelve_megapixel_jpeg() -> bytes:
    """A 12 MP camera JPEG: a drawn face with sensor-like noise, EXIF on its side."""
    face = draw_face(HEIGHT, WIDTH, pupils=((1200.0, 1700.0), (1800.0, 1700.0)))
    noise = np.random.default_rng(12).normal(0, 6, (WIDTH, HEIGHT, 3))
    pixels = np.clip(np.asarray(face, dtype=np.float64) + noise, 0, 255)
    # Stored landscape with orientation 6, as a phone held upright stores it.
    stored = Image.fromarray(pixels.astype(np.uint8)).transpose(
        Image.Transpose.ROTATE_90
    )
    assert stored.size == (WIDTH, HEIGHT)
    return jpeg_bytes(stored, exif=camera_exif(6), quality=92)


def _marks(right: tuple[float, float], left: tuple[float, float]) -> dict[str, str]:
    iris = (left[0] - right[0]) / 62 * IRIS_DIAMETER_MM
    return {
        "version": "1",
        "pupil_right_x": str(right[0]),
        "pupil_right_y": str(right[1]),
        "pupil_left_x": str(left[0]),
        "pupil_left_y": str(left[1]),
        "iris_edge_a_x": str(right[0] - iris / 2),
        "iris_edge_a_y": str(right[1]),
        "iris_edge_b_x": str(right[0] + iris / 2),
        "iris_edge_b_y": str(right[1]),
        "brow_right_x": str(right[0]),
        "brow_right_y": str(right[1] - 60),
        "brow_left_x": str(left[0]),
        "brow_left_y": str(left[1] - 55),
    }


def photographed_patient(url: str, email: str) -> int:
    """Return the patient with most cycles, giving 6 cycles a marked rest photo."""
    patient_id = patient_with_cycles(url, CYCLES)
    engine = build_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            if session.exec(
                select(Photo.id).where(Photo.patient_id == patient_id)
            ).first():
                return patient_id
            user = session.exec(select(User).where(User.email == email)).one()
            actor = Actor(user.id, user.email)
            record_consent(
                session, actor, patient_id, {"consent": "clinical"}, now=WHEN
            )
            cycles = patient_cycles(session, patient_id)[-CYCLES:]
            for number, cycle in enumerate(cycles):
                right = (500.0 + 10 * number, 700.0 + 6 * number)
                left = (760.0 + 14 * number, 690.0 - 4 * number)
                photo = add_photo(
                    session,
                    actor,
                    cycle.id or 0,
                    view_code="rest",
                    timepoint="pre_treatment",
                    data=jpeg_bytes(draw_face(1200, 1600, pupils=(right, left))),
                    now=WHEN,
                    zone=ZONE,
                )
                save_marks(session, actor, photo.id or 0, _marks(right, left), now=WHEN)
    finally:
        engine.dispose()
    return patient_id


def register_photo_cases(
    client: FlaskClient, url: str, register: Any, email: str
) -> None:
    """Register the compare page of one view across 6 cycles."""
    patient_id = photographed_patient(url, email)
    path = f"/patients/{patient_id}/photos/compare?view=rest&timepoint=pre_treatment"
    register(
        f"GET /patients/<id>/photos/compare ({CYCLES} cycles, one view)",
        lambda _b, _i: client.get(path),
    )


def photo_processing_rows(
    summarise: Callable[[str, list[float]], dict[str, Any]], repeat: int
) -> list[dict[str, Any]]:
    """Time ``process_photo`` on a 12 MP JPEG: strip, orient, resize, thumbnail."""
    data = twelve_megapixel_jpeg()
    timings = []
    for index in range(3 + min(repeat, MAX_PROCESSING_REPEAT)):
        started = time.perf_counter()
        processed = process_photo(data)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= 3:
            timings.append(elapsed)
    assert (processed.original.width, processed.original.height) == (HEIGHT, WIDTH)
    assert Image.open(io.BytesIO(processed.original.data)).getexif() == {}
    megabytes = len(data) / 1_000_000
    return [
        summarise(
            f"process a 12 MP JPEG ({megabytes:.1f} MB: orient, strip, resize, thumb)",
            timings,
        )
    ]
