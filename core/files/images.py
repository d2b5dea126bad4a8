"""Raster images: recognised, measured and decoded by Pillow, never judged by a name or magic bytes.

An image is one of the formats below as Pillow opens it (only those decoders are tried), within
the caller's pixel limits, and decodes completely (``verify()`` then ``load()``: ``verify()`` alone
barely reads JPEG data). The size is judged from the header before anything is decoded, so a small
file declaring a huge image (a decompression bomb) is refused, not expanded; Pillow's own bomb
limit (``Image.MAX_IMAGE_PIXELS``) applies on top of the caller's. Pillow's bomb *warning* is not
turned into an error with ``warnings.catch_warnings``: that changes process-wide state and is not
thread-safe under gunicorn's threads; the size check makes it unnecessary.

Nothing may follow a PNG's ``IEND`` chunk: a PNG writer never adds anything there, and a file
that is a PNG followed by HTML or a PDF is a polyglot. JPEG files from phones do carry data after
the end-of-image marker (Samsung trailers, motion-photo videos), so JPEG is not held to that;
stored images are served only with their own content type and ``nosniff``.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass

from PIL import Image, ImageOps

from .problems import Problem, Unacceptable

# Pillow's format name -> the kind callers name in ``accept``. MPO is a JPEG with more pictures after
# the first (many phones' cameras write it): browsers show the first, so it is taken as a JPEG.
# Pillow opens an MPO through its JPEG reader, so MPO is not one of the formats asked for.
KINDS = {"PNG": "png", "JPEG": "jpeg", "MPO": "jpeg", "WEBP": "webp", "ICO": "ico"}
_OPENED_AS = ("PNG", "JPEG", "WEBP", "ICO")
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp", "ico": "image/x-icon"}
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Reencode:
    """Store a fresh JPEG instead of the upload: turned upright, at most ``max_side`` pixels a side,
    without the original's metadata (location, camera)."""

    max_side: int = 2400
    quality: int = 85


def check_image(
    content: bytes,
    *,
    accept: frozenset[str],
    max_side: int | None,
    max_pixels: int,
    reencode: Reencode | None,
) -> tuple[str, bytes]:
    """(kind, bytes to store) of an acceptable image; raises ``Unacceptable`` otherwise.

    The pixel limits are judged before the kind, so an oversized image is called too large even
    where its format is not taken (a huge PNG offered as a favicon).
    """
    try:
        with Image.open(io.BytesIO(content), formats=list(_OPENED_AS)) as probe:
            pillow_format = probe.format
            _check_pixels(probe.size, max_side=max_side, max_pixels=max_pixels)
            if pillow_format == "ICO":
                for size in _ico_frame_sizes(content):
                    _check_pixels(size, max_side=max_side, max_pixels=max_pixels)
            if KINDS.get(pillow_format) not in accept:
                raise Unacceptable(Problem.WRONG_TYPE)
            probe.verify()
        if pillow_format == "PNG" and _png_end(content) != len(content):
            raise Unacceptable(Problem.WRONG_TYPE)  # a polyglot: something else after the image
        with Image.open(io.BytesIO(content), formats=[_opened_as(pillow_format)]) as image:
            image.load()
            if reencode is not None:
                return "jpeg", _reencoded(image, reencode)
    except Image.DecompressionBombError:
        raise Unacceptable(Problem.TOO_MANY_PIXELS) from None
    except Unacceptable:
        raise
    except Exception:  # Pillow's parsers raise all sorts of errors on crafted files: not an image
        raise Unacceptable(Problem.WRONG_TYPE) from None
    return KINDS[pillow_format], content


def _opened_as(pillow_format: str) -> str:
    return "JPEG" if pillow_format == "MPO" else pillow_format


def _check_pixels(size: tuple[int, int], *, max_side: int | None, max_pixels: int) -> None:
    width, height = size
    bomb_limit = Image.MAX_IMAGE_PIXELS
    if (
        (max_side and (width > max_side or height > max_side))
        or width * height > max_pixels
        or (bomb_limit and width * height > bomb_limit)
    ):
        raise Unacceptable(Problem.TOO_MANY_PIXELS)


def _png_end(content: bytes) -> int:
    """The offset just past the ``IEND`` chunk (-1 without one), walking the chunks' lengths."""
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(content):
        (length,) = struct.unpack(">I", content[position : position + 4])
        chunk_end = position + 12 + length  # length, type, data, CRC
        if content[position + 4 : position + 8] == b"IEND":
            return chunk_end
        position = chunk_end
    return -1


def _ico_frame_sizes(content: bytes) -> list[tuple[int, int]]:
    """The real size of every image in an ICO file, read from its own PNG or BMP header.

    The directory says at most 256 x 256, but the PNG inside may be far larger, and decoding the
    favicon decodes it: its header is checked first.
    """
    (count,) = struct.unpack_from("<H", content, 4)
    sizes = []
    for index in range(count):
        (offset,) = struct.unpack_from("<I", content, 6 + 16 * index + 12)
        if content[offset : offset + 8] == _PNG_SIGNATURE:
            sizes.append(struct.unpack_from(">II", content, offset + 16))
        else:  # a BMP header without its file header; the height covers the image and its mask
            width, height = struct.unpack_from("<ii", content, offset + 4)
            sizes.append((abs(width), abs(height) // 2))
    return sizes


def _reencoded(image: Image.Image, options: Reencode) -> bytes:
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail((options.max_side, options.max_side))
    output = io.BytesIO()
    upright.save(output, format="JPEG", quality=options.quality)
    return output.getvalue()
