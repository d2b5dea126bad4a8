"""Payment settings for tests, and reading EPC QR codes back with a real QR decoder (zxing-cpp)."""

from __future__ import annotations

import io
import re

import zxingcpp
from django_tenants.utils import schema_context
from PIL import Image, ImageDraw

from configuration.models import PaymentSettings

PAYMENT = "/api/admin/configuration/payment/"
IBAN = "BE71096123456769"
BIC = "GKCCBEBB"


def set_payment_settings(schema: str = "org_noord", **values) -> None:
    defaults = {
        "creditor_name": "Warmtenet Noord",
        "iban": IBAN,
        "bic": BIC,
        "reference_scheme": "be_structured",
        "provider_url_template": "",
    }
    with schema_context(schema):
        PaymentSettings.objects.current()
        PaymentSettings.objects.update(**(defaults | values))


def decode_qr_image(image: Image.Image) -> bytes:
    """The bytes of the one QR code in ``image``."""
    [result] = zxingcpp.read_barcodes(image.convert("L"))
    assert result.format == zxingcpp.BarcodeFormat.QRCode
    return result.bytes


def decode_qr_png(png: bytes) -> bytes:
    return decode_qr_image(Image.open(io.BytesIO(png)))


def svg_to_image(svg: str, scale: int = 8) -> Image.Image:
    """Draw segno's SVG path (``M``/``m`` moves, ``h`` runs of dark modules) as an image."""
    size = int(re.search(r"width=[\"'](\d+)[\"']", svg).group(1)) // 4  # the SVG is drawn at scale 4
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    path = re.search(r" d=[\"']([^\"']+)[\"']", svg).group(1)
    x = y = 0.0
    for command, numbers in re.findall(r"([MmHh])([-\d.\s]+)", path):
        values = [float(n) for n in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            run = values[0] if command == "h" else values[0] - x
            top = int(y - 0.5)
            draw.rectangle([x * scale, top * scale, (x + run) * scale - 1, (top + 1) * scale - 1], fill=0)
            x += run
    return image


def epc_fields(payload: bytes) -> list[str]:
    """The lines of an EPC QR payload; the character set (line 3) says how to read it."""
    encodings = {"1": "utf-8", "2": "iso-8859-1"}
    charset = payload.split(b"\n")[2].decode()
    return payload.decode(encodings[charset]).split("\n")
