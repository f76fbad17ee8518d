"""Decoding untrusted images: formats, EXIF, and every way a payload can be hostile."""

import base64
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from recognition import ImageError, decode_image


def _jpeg(width=64, height=32, **save) -> bytes:
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 200, 30), (0, 0, width // 2, height))  # left half green
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **save)
    return buffer.getvalue()


def _encoded(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), (10, 20, 30)).save(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_it_decodes_jpeg_png_and_webp(fmt):
    image = decode_image(_encoded(fmt))
    assert image.shape == (10, 20, 3)
    assert image.dtype == np.uint8


def test_it_accepts_data_urls_bare_base64_and_bytes():
    raw = _jpeg()
    text = base64.b64encode(raw).decode()
    for payload in (
        raw,
        text,
        f"data:image/jpeg;base64,{text}",
        f"  data:image/png;base64,{text}\n",
    ):
        assert decode_image(payload).shape == (32, 64, 3)


def test_it_applies_exif_orientation():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    image = decode_image(_jpeg(exif=exif.tobytes()))
    assert image.shape == (64, 32, 3)  # width and height swapped: upright
    # The green left half ends up on top after the rotation (BGR: green is channel 1).
    assert image[5, 16, 1] > 150 and image[60, 16, 2] > 150


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ("", "image_required"),
        ("data:image/jpeg;base64,", "image_required"),
        ("this is not base64!!", "bad_base64"),
        ("data:image/jpeg,rawtext", "bad_base64"),
        (base64.b64encode(b"GIF89a" + b"\0" * 32).decode(), "not_image"),
        (base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode(), "not_image"),
        (b"\0" * 100, "not_image"),
        (_jpeg()[:200], "truncated_image"),
    ],
)
def test_it_refuses_bad_payloads_with_a_typed_error(payload, code):
    with pytest.raises(ImageError) as error:
        decode_image(payload)
    assert error.value.code == code


def test_it_refuses_oversized_payloads_before_decoding():
    with pytest.raises(ImageError) as error:
        decode_image("A" * (3 * 1024 * 1024), max_bytes=1024 * 1024)
    assert error.value.code == "image_too_large"
    assert error.value.params == {"limit": 1}


def _png_header_only(width: int, height: int) -> bytes:
    def chunk(kind, data):
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


def test_it_refuses_a_pixel_bomb_from_its_header():
    with pytest.raises(ImageError) as error:
        decode_image(_png_header_only(50_000, 50_000))
    assert error.value.code == "too_many_pixels"


def test_it_honours_a_lower_pixel_limit():
    with pytest.raises(ImageError) as error:
        decode_image(_jpeg(200, 200), max_pixels=10_000)
    assert error.value.code == "too_many_pixels"
