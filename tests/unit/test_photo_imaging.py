"""Uploads become upright JPEGs with no metadata, or are refused with the reason."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import ExifTags
from PIL import Image
from PIL import ImageCms
from PIL import ImageFile

from planner.photometry import PhotoRejected
from planner.photometry import process_photo
from planner.photometry.imaging import DISPLAY_EDGE
from planner.photometry.imaging import MAX_EDGE
from planner.photometry.imaging import MAX_PIXELS
from planner.photometry.imaging import THUMBNAIL_EDGE
from planner.photometry.imaging import _open
from tests.photo_images import MARKER
from tests.photo_images import camera_exif
from tests.photo_images import draw_face
from tests.photo_images import face_jpeg
from tests.photo_images import jpeg_bytes


def renditions(processed):
    return {
        "original": processed.original,
        "display": processed.display,
        "thumbnail": processed.thumbnail,
    }


def test_exif_and_gps_are_gone_from_every_rendition():
    upload = face_jpeg()
    before = Image.open(io.BytesIO(upload)).getexif()
    assert before.get_ifd(ExifTags.IFD.GPSInfo), "the test photo must carry GPS"
    for name, rendition in renditions(process_photo(upload)).items():
        image = Image.open(io.BytesIO(rendition.data))
        assert image.format == "JPEG", name
        exif = image.getexif()
        assert len(exif) == 0, name
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo), name
        assert "exif" not in image.info, name
        assert "icc_profile" not in image.info, name
        for trace in (b"Exif", b"TestCam", b"Serial 0042", b"2026:03:05"):
            assert trace not in rendition.data, (name, trace)


def test_a_jpeg_comment_is_gone_from_every_rendition():
    # Pillow writes an opened JPEG's comment (COM segment) back when it saves,
    # unless told otherwise: a phone app's note or a patient's name would travel on.
    buffer = io.BytesIO()
    draw_face().save(buffer, format="JPEG", comment=b"Jane Doe MRN 12345")
    upload = buffer.getvalue()
    assert Image.open(io.BytesIO(upload)).info["comment"] == b"Jane Doe MRN 12345"
    for name, rendition in renditions(process_photo(upload)).items():
        image = Image.open(io.BytesIO(rendition.data))
        assert "comment" not in image.info, name
        assert b"Jane Doe" not in rendition.data, name


@pytest.mark.parametrize(
    ("orientation", "stored_as"),
    [
        (1, None),
        (3, Image.Transpose.ROTATE_180),
        (6, Image.Transpose.ROTATE_90),  # the camera held on its side
        (8, Image.Transpose.ROTATE_270),
        (2, Image.Transpose.FLIP_LEFT_RIGHT),
    ],
)
def test_orientation_is_applied_then_dropped(orientation, stored_as):
    upright = draw_face(600, 800, marker=True)
    stored = upright if stored_as is None else upright.transpose(stored_as)
    upload = jpeg_bytes(stored, exif=camera_exif(orientation))
    processed = process_photo(upload)
    original = Image.open(io.BytesIO(processed.original.data))
    assert original.size == (600, 800)
    assert (processed.original.width, processed.original.height) == (600, 800)
    assert original.getexif().get(ExifTags.Base.Orientation) is None
    # The marker is back in the top-left corner.
    red, green, blue = original.convert("RGB").getpixel((20, 20))
    assert red > 180
    assert green < 80
    assert blue < 80
    assert MARKER[0] > 180


def test_display_and_thumbnail_sizes_keep_the_shape():
    processed = process_photo(jpeg_bytes(draw_face(4000, 3000)))
    assert (processed.original.width, processed.original.height) == (4000, 3000)
    assert processed.display.width == DISPLAY_EDGE
    assert processed.display.height == 1200
    assert processed.thumbnail.width == THUMBNAIL_EDGE
    assert processed.thumbnail.height == 240
    shown = Image.open(io.BytesIO(processed.display.data))
    assert shown.size == (DISPLAY_EDGE, 1200)


def test_a_small_photo_is_not_enlarged():
    processed = process_photo(jpeg_bytes(draw_face(300, 400)))
    assert (processed.display.width, processed.display.height) == (300, 400)
    assert processed.thumbnail.height == THUMBNAIL_EDGE


def test_a_transparent_png_is_flattened_on_white():
    image = Image.new("RGBA", (100, 120), (0, 0, 0, 0))
    image.paste((10, 10, 10, 255), (40, 40, 60, 60))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    stored = Image.open(io.BytesIO(process_photo(buffer.getvalue()).original.data))
    assert stored.mode == "RGB"
    assert min(stored.getpixel((5, 5))) > 240
    assert max(stored.getpixel((50, 50))) < 40


def test_a_colour_profile_is_applied_not_kept():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    buffer = io.BytesIO()
    draw_face(200, 260).save(buffer, format="JPEG", icc_profile=profile)
    stored = Image.open(io.BytesIO(process_photo(buffer.getvalue()).original.data))
    assert "icc_profile" not in stored.info
    before = np.asarray(Image.open(buffer).convert("RGB"), dtype=float)
    assert np.abs(np.asarray(stored, dtype=float) - before).mean() < 3


def png_claiming(width: int, height: int) -> bytes:
    """Return a tiny valid PNG whose header claims ``width`` x ``height`` pixels."""
    buffer = io.BytesIO()
    Image.new("L", (1, 1)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    # The IHDR chunk starts at byte 8: length, type, then width and height.
    ihdr = 8 + 8
    data[ihdr : ihdr + 8] = struct.pack(">II", width, height)
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = struct.pack(">I", crc)
    return bytes(data)


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    draw_face(300, 400).save(buffer, format="PNG")
    return buffer.getvalue()


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, format="GIF")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("upload", "reason"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7 not a photo", "is not a JPEG, PNG or WebP image"),
        (gif_bytes(), "is not a JPEG, PNG or WebP image"),
        (png_claiming(8000, 8000), "has too many pixels (8000 x 8000)"),
        # Far past Pillow's own limit: its bomb check must end as the same refusal.
        (png_claiming(40000, 40000), "has too many pixels"),
        (face_jpeg()[:3000], "is damaged or incomplete"),
        (face_jpeg()[:-2], "is damaged or incomplete"),
        (png_bytes()[:-40], "is damaged or incomplete"),
    ],
    ids=[
        "empty",
        "pdf",
        "gif",
        "too-many-pixels",
        "bomb",
        "cut-jpeg",
        "jpeg-without-end",
        "cut-png",
    ],
)
def test_bad_uploads_are_refused_with_the_reason(upload, reason, monkeypatch):
    # WeasyPrint switches Pillow's own truncation check off for the whole
    # process; planner's must hold all the same.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(PhotoRejected) as refused:
        process_photo(upload)
    assert refused.value.reason.startswith(reason)


def wide_png(width: int, height: int) -> bytes:
    """Return a real PNG of plain pixels: a few hundred bytes, however wide."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 180, 150)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("size", "reason"),
    [
        ((70_000, 2), "is 70000 pixels wide; the most a photo can be is 65500"),
        ((2, 70_000), "is 70000 pixels tall; the most a photo can be is 65500"),
    ],
    ids=["wide", "tall"],
)
def test_a_side_longer_than_a_jpeg_allows_is_refused_on_opening(size, reason):
    # Few pixels, so the megapixel limit lets it through; JPEG cannot hold it.
    with pytest.raises(PhotoRejected) as refused:
        _open(wide_png(*size), MAX_PIXELS)
    assert refused.value.reason == reason


def test_a_side_at_the_jpeg_limit_is_stored():
    processed = process_photo(wide_png(MAX_EDGE, 2))
    assert (processed.original.width, processed.original.height) == (MAX_EDGE, 2)


def test_an_encoder_failure_is_a_refusal_not_a_crash(monkeypatch):
    upload = face_jpeg()

    def broken(*_args, **_kwargs):
        raise OSError("broken data stream when writing image file")

    monkeypatch.setattr(Image.Image, "save", broken)
    with pytest.raises(PhotoRejected, match="cannot be stored as a JPEG"):
        process_photo(upload)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(PhotoRejected, match="the limit is 1 MB"):
        process_photo(b"\xff\xd8" + b"\0" * (1024 * 1024), max_bytes=1024 * 1024)
