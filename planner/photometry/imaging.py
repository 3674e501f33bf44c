"""Turn an uploaded photo into the stored JPEGs: original, display size, thumbnail.

Pillow does the work; no flask, no database. On arrival a photo is:

- refused, with the reason, if it is too large a file, is not a JPEG, PNG or WebP
  image, has too many pixels (a decompression bomb: a small file that would
  decode to gigabytes), is wider or taller than a JPEG can be, or is damaged;
- turned upright by its EXIF orientation, then stripped of every piece of
  metadata (EXIF with its GPS position, camera serial numbers and times, XMP,
  comments, embedded thumbnails) by being re-encoded from its pixels alone;
- converted to sRGB if it carried a colour profile (a tablet's Display P3, say),
  so it looks the same everywhere without keeping the profile;
- stored three times: the original size, a display size for the screen and
  a thumbnail, each a baseline JPEG.
"""

import io
from dataclasses import dataclass

from PIL import Image
from PIL import ImageCms
from PIL import ImageOps
from PIL import UnidentifiedImageError

# A phone's multi-picture JPEG (MPO) opens through the JPEG plugin.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_BYTES = 25 * 1024 * 1024
# A 48-megapixel phone camera fits; a decompression bomb does not.
MAX_PIXELS = 50_000_000
# libjpeg's JPEG_MAX_DIMENSION: Pillow cannot write a JPEG wider or taller.
MAX_EDGE = 65_500
DISPLAY_EDGE = 1600
THUMBNAIL_EDGE = 320
QUALITY = 90
CONTENT_TYPE = "image/jpeg"
_SRGB = ImageCms.createProfile("sRGB")


class PhotoRejected(ValueError):
    """An upload that is not a photo planner will store; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rendition:
    """One stored JPEG: its bytes and its size in pixels."""

    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class ProcessedPhoto:
    original: Rendition
    display: Rendition
    thumbnail: Rendition


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):.0f} MB"


class _Source(io.BytesIO):
    """The upload as a file that notes when a decoder asks past its end.

    Pillow's own truncation check is a process-wide switch that WeasyPrint turns
    off (it sets ``ImageFile.LOAD_TRUNCATED_IMAGES``), after which a cut-off
    photo would load with its missing part grey. An empty read is the sign.
    """

    ran_dry = False

    def read(self, size: int | None = -1, /) -> bytes:
        chunk = super().read(size)
        if size is not None and size > 0 and not chunk:
            self.ran_dry = True
        return chunk


def _open(data: bytes, max_pixels: int) -> Image.Image:
    source = _Source(data)
    try:
        image = Image.open(source, formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # The warning is raised, not just shown, where warnings are errors.
        raise PhotoRejected(
            f"has too many pixels; the limit is {max_pixels // 1_000_000} megapixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected("is not a JPEG, PNG or WebP image") from None
    width, height = image.size
    if width * height > max_pixels:
        raise PhotoRejected(
            f"has too many pixels ({width} x {height}); the limit is "
            f"{max_pixels // 1_000_000} megapixels"
        )
    # A panorama of few pixels passes the count, but no JPEG can hold it.
    for side, length in (("wide", width), ("tall", height)):
        if length > MAX_EDGE:
            raise PhotoRejected(
                f"is {length} pixels {side}; the most a photo can be is {MAX_EDGE}"
            )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError):
        source.ran_dry = True
    if source.ran_dry:
        raise PhotoRejected("is damaged or incomplete; take it again")
    return image


def _to_srgb(image: Image.Image) -> Image.Image:
    """Return the pixels as plain RGB, in sRGB when the photo names its colours."""
    if image.mode in ("RGBA", "LA") or (
        image.mode == "P" and "transparency" in image.info
    ):
        # Transparent areas become white, not black.
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        image = flat
    profile = image.info.get("icc_profile")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    if profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
            converted = ImageCms.profileToProfile(rgb, source, _SRGB, outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError):
            return rgb  # an unreadable profile: keep the pixels as they are
        if converted is not None:
            return converted
    return rgb


def _jpeg(image: Image.Image) -> Rendition:
    buffer = io.BytesIO()
    # Only pixels are written: no exif=, icc_profile= or xmp= argument, and an
    # empty comment, since Pillow otherwise writes back an opened JPEG's own.
    try:
        image.save(buffer, format="JPEG", quality=QUALITY, comment=b"")
    except (OSError, ValueError):
        # The checks on arrival should leave nothing the encoder refuses; if
        # one slips through it is still the upload's fault, never a 500.
        raise PhotoRejected("cannot be stored as a JPEG; take it again") from None
    return Rendition(buffer.getvalue(), image.width, image.height)


def _fitted(image: Image.Image, edge: int) -> Image.Image:
    """Return the image shrunk to fit ``edge`` pixels each way (never enlarged)."""
    ratio = max(image.width, image.height) / edge
    if ratio <= 1:
        return image
    size = (max(1, round(image.width / ratio)), max(1, round(image.height / ratio)))
    # A box reduction by a whole factor first, then bicubic for the rest: a
    # twelfth of the time of bicubic on every pixel, and as sharp at this size.
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=1.25)


def process_photo(
    data: bytes, *, max_bytes: int = MAX_BYTES, max_pixels: int = MAX_PIXELS
) -> ProcessedPhoto:
    """Check, orient, strip and re-encode an uploaded photo.

    :raises PhotoRejected: with the reason, for an upload planner will not store.
    """
    if not data:
        raise PhotoRejected("is empty; choose or take a photo")
    if len(data) > max_bytes:
        raise PhotoRejected(
            f"is {_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}"
        )
    with _open(data, max_pixels) as opened:
        pixels = _to_srgb(ImageOps.exif_transpose(opened))
    display = _fitted(pixels, DISPLAY_EDGE)
    return ProcessedPhoto(
        original=_jpeg(pixels),
        display=_jpeg(display),
        thumbnail=_jpeg(_fitted(display, THUMBNAIL_EDGE)),
    )
