"""Generated test photos: a drawn face with dark pupils, with or without EXIF.

Shared by the unit, view, end-to-end and bench tests of photographs. The face is
drawn with Pillow; nothing is downloaded and no real person is pictured.
"""

import io
from collections.abc import Sequence
from typing import Any

from PIL import ExifTags
from PIL import Image
from PIL import ImageDraw

SKIN = (224, 182, 150)
PUPIL = (20, 20, 20)
# Where the marker square sits, so a test can tell which way up a photo is.
MARKER = (220, 30, 30)

# Latitude and longitude of a made-up place, for the GPS that must be stripped.
GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (51.0, 30.0, 12.0),
    ExifTags.GPS.GPSLongitudeRef: "W",
    ExifTags.GPS.GPSLongitude: (0.0, 7.0, 30.0),
}


def draw_face(
    width: int = 600,
    height: int = 800,
    *,
    pupils: Sequence[tuple[float, float]] | None = None,
    pupil_radius: float = 9.0,
    marker: bool = False,
) -> Image.Image:
    """Draw a plain face whose pupils are dark discs at ``pupils`` (right, left).

    The patient's right pupil is the first, on the viewer's left. A red marker
    square in the top-left corner shows which way up the image is.
    """
    if pupils is None:
        pupils = ((width * 0.38, height * 0.42), (width * 0.62, height * 0.42))
    image = Image.new("RGB", (width, height), (236, 238, 240))
    draw = ImageDraw.Draw(image)
    (rx, ry), (lx, ly) = pupils
    middle_x, middle_y = (rx + lx) / 2, (ry + ly) / 2
    span = abs(lx - rx)
    draw.ellipse(
        (
            middle_x - span * 1.1,
            middle_y - span * 1.3,
            middle_x + span * 1.1,
            middle_y + span * 1.7,
        ),
        fill=SKIN,
    )
    for x, y in pupils:
        draw.ellipse(
            (
                x - pupil_radius * 2.2,
                y - pupil_radius,
                x + pupil_radius * 2.2,
                y + pupil_radius,
            ),
            fill=(250, 250, 250),
        )
        draw.ellipse(
            (x - pupil_radius, y - pupil_radius, x + pupil_radius, y + pupil_radius),
            fill=PUPIL,
        )
        draw.line(
            (x - span * 0.25, y - span * 0.3, x + span * 0.25, y - span * 0.3),
            fill=(90, 60, 40),
            width=max(2, int(pupil_radius / 2)),
        )
    draw.arc(
        (
            middle_x - span * 0.4,
            middle_y + span * 0.6,
            middle_x + span * 0.4,
            middle_y + span,
        ),
        start=20,
        end=160,
        fill=(150, 60, 60),
        width=max(2, int(pupil_radius / 2)),
    )
    if marker:
        draw.rectangle((0, 0, width // 10, height // 10), fill=MARKER)
    return image


def camera_exif(orientation: int = 1) -> Image.Exif:
    """Return EXIF as a phone writes it: orientation, make, model, time and GPS."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestCam"
    exif[ExifTags.Base.Model] = "Serial 0042"
    exif[ExifTags.Base.DateTime] = "2026:03:05 10:15:00"
    exif[ExifTags.IFD.GPSInfo] = GPS
    return exif


def jpeg_bytes(
    image: Image.Image, *, exif: Image.Exif | None = None, quality: int = 90
) -> bytes:
    """Encode the image as a JPEG, with the EXIF given."""
    buffer = io.BytesIO()
    extra = {} if exif is None else {"exif": exif}
    image.save(buffer, format="JPEG", quality=quality, **extra)
    return buffer.getvalue()


def face_jpeg(**options: Any) -> bytes:
    """Return a drawn face as JPEG bytes with a phone's EXIF, GPS included."""
    return jpeg_bytes(draw_face(**options), exif=camera_exif())
