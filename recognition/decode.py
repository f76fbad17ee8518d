"""Turn data URLs, bare base64 or raw bytes into a BGR pixel array, safely.

Limits are checked before the expensive step they protect: the encoded length before base64
decoding, the byte size before parsing, and the pixel count from the header before the
pixels are decompressed (a 50 000 x 50 000 PNG is refused without allocating it).
"""

from __future__ import annotations

import base64
import binascii
import io
import re
import warnings

import numpy as np
from PIL import Image, ImageOps

from recognition.errors import ImageError

# JPEG, PNG and WebP by their magic bytes; everything else (GIF, SVG, TIFF, PDF...) is refused.
_SIGNATURES = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
)
_DATA_URL = re.compile(r"^data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^,;]*)*?);base64,", re.I)
_WHITESPACE = re.compile(rb"\s+")

DEFAULT_MAX_BYTES = 8 * 1024 * 1024
DEFAULT_MAX_PIXELS = 40_000_000


def sniff_format(raw: bytes) -> str | None:
    """Return "JPEG", "PNG" or "WEBP" from the leading bytes, or None."""
    for signature, name in _SIGNATURES:
        if raw.startswith(signature):
            return name
    if len(raw) >= 12 and raw[:4] == b"RIFF" and raw[8:12] == b"WEBP":
        return "WEBP"
    return None


def payload_bytes(data: str | bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """Return the image bytes of a data URL, bare base64 text or raw bytes."""
    if isinstance(data, bytes | bytearray | memoryview):
        raw = bytes(data)
    elif isinstance(data, str):
        raw = _decode_base64(data, max_bytes=max_bytes)
    else:
        raise ImageError("image_required")
    if not raw:
        raise ImageError("image_required")
    if len(raw) > max_bytes:
        raise ImageError("image_too_large", limit=_megabytes(max_bytes))
    return raw


def _decode_base64(text: str, *, max_bytes: int) -> bytes:
    text = text.strip()
    if not text:
        raise ImageError("image_required")
    match = _DATA_URL.match(text)
    if match:
        text = text[match.end() :]
    elif text.startswith("data:"):
        raise ImageError("bad_base64")
    # Four characters carry three bytes; refuse before allocating the decoded copy.
    if len(text) > (max_bytes + 2) // 3 * 4 + 1024:
        raise ImageError("image_too_large", limit=_megabytes(max_bytes))
    try:
        packed = _WHITESPACE.sub(b"", text.encode("ascii"))
        if b"-" in packed or b"_" in packed:
            return base64.urlsafe_b64decode(packed + b"=" * (-len(packed) % 4))
        return base64.b64decode(packed + b"=" * (-len(packed) % 4), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise ImageError("bad_base64") from None


def decode_image(
    data: str | bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> np.ndarray:
    """Decode an image to a contiguous uint8 BGR array, upright by its EXIF orientation."""
    raw = payload_bytes(data, max_bytes=max_bytes)
    if sniff_format(raw) is None:
        raise ImageError("not_image")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw), formats=("JPEG", "PNG", "WEBP"))
            width, height = image.size
            if width * height > max_pixels or width <= 0 or height <= 0:
                raise ImageError("too_many_pixels", limit=round(max_pixels / 1e6))
            image.load()
            image = ImageOps.exif_transpose(image)
            rgb = image.convert("RGB")
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("too_many_pixels", limit=round(max_pixels / 1e6)) from None
    except Image.UnidentifiedImageError:
        raise ImageError("not_image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise ImageError("truncated_image") from None
    return np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])


def encode_jpeg(image: np.ndarray, *, quality: int = 90) -> bytes:
    """Encode a BGR array as JPEG bytes (snapshots, stored photos)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def _megabytes(size: int) -> int | float:
    value = size / (1024 * 1024)
    return int(value) if value.is_integer() else round(value, 1)
