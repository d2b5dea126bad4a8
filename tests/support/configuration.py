"""An organisation's configuration as staff edit it: sections, images and the site."""

from __future__ import annotations

import functools
import io
import struct
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context
from PIL import Image

from communications.models import EmailTemplate
from configuration.models import BillingSettings, GeneralPreferences, PageMessage, PortalPreferences
from tests.support.organisations import PASSWORD as STAFF_PASSWORD
from tests.support.residents import login


def set_preferences(**values):
    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(**values)


PREFS = "/api/admin/configuration/preferences/"


GENERAL = "/api/admin/configuration/general/"


MESSAGES = "/api/admin/configuration/messages/"


def as_staff(client, email="admin@noord.test"):
    client.credentials(HTTP_AUTHORIZATION=f"Token {login(client, email, STAFF_PASSWORD).json()['key']}")
    return client


def image_file(name: str, fmt: str, size=(64, 32), extra_bytes: int = 0) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (11, 83, 148)).save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue() + b"\0" * extra_bytes)


def svg_file(body: str = '<rect width="10" height="10"/>', name="logo.svg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, f'<svg xmlns="http://www.w3.org/2000/svg">{body}</svg>'.encode())


def site(client, page=None, **headers):
    return client.get("/api/portal/site/" + (f"?page={page}" if page else ""), **headers)


FULL_PREFERENCES = {
    "use_organisation_logo": True,
    "use_organisation_colours": False,
    "primary_colour": "#000000",
    "secondary_colour": "#ffffff",
    "support_email": "",
    "website": "",
    "support_phone": "",
    "advance_changes_allowed": False,
    "advance_range": "percentage",
    "advance_fixed_amount": None,
    "advance_min_percentage": None,
    "advance_max_percentage": None,
    "invoices_visible": False,
    "payment_status_visible": False,
    "cost_visualisation": False,
}


def configuration_state(schema: str) -> dict:
    """Everything the configuration admin can change, read straight from the schema."""
    with schema_context(schema):
        portal = PortalPreferences.objects.current()
        general = GeneralPreferences.objects.current()
        return {
            "portal": {name: getattr(portal, name) for name in FULL_PREFERENCES} | {"logo": portal.logo.name},
            "general": (general.primary_colour, general.secondary_colour, general.logo.name),
            "billing": BillingSettings.objects.current().minimum_advance_amount,
            "messages": list(PageMessage.objects.values("id", "page", "kind", "bodies")),
            "templates": list(EmailTemplate.objects.values("template", "language", "subject")),
        }


@functools.cache
def blank_png(width: int, height: int) -> bytes:
    """A real, valid 1-bit PNG of any size: all-zero rows compress about a thousandfold."""
    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def png(width: int, height: int, name: str = "logo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, blank_png(width, height))
