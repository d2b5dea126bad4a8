"""Branding uploads: oversized images and broken files are refused with a field error, never a 500;
a replaced or removed file is deleted only once the change is committed."""

from __future__ import annotations

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django_tenants.utils import schema_context
from PIL import Image

from configuration import services
from configuration.models import GeneralPreferences, PortalPreferences
from configuration.uploads import FAVICON_MAX_SIDE, LOGO_MAX_SIDE
from tests.support.configuration import GENERAL, PREFS, as_staff, blank_png, image_file, png, svg_file


def too_large(field: str, limit: int) -> dict:
    return {
        "code": "image_too_large",
        field: [f"The image is too large: at most {limit} pixels wide and {limit} pixels high."],
    }


@pytest.mark.parametrize(
    ("width", "height"),
    [
        (30000, 30000),  # Pillow: DecompressionBombError (a 109 KB file)
        (10000, 10000),  # Pillow only warns (DecompressionBombWarning): refused all the same
        (LOGO_MAX_SIDE + 1, 20),
        (20, LOGO_MAX_SIDE + 1),
    ],
)
@pytest.mark.parametrize("path", [PREFS, GENERAL])
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_logo_with_too_many_pixels_is_refused(noord_client, path, width, height):
    assert len(blank_png(width, height)) < 500 * 1024  # small files: only the pixel size is wrong
    staff = as_staff(noord_client)
    response = staff.patch(path, {"logo": png(width, height)}, format="multipart")
    assert response.status_code == 400
    assert response.json() == too_large("logo", LOGO_MAX_SIDE)
    assert staff.get(path).json()["logo_url"] is None


def test_logo_at_the_pixel_limit_is_accepted(noord_client):
    response = as_staff(noord_client).patch(PREFS, {"logo": png(LOGO_MAX_SIDE, 60)}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["logo_url"].endswith(".png")


def test_favicon_with_too_many_pixels_is_refused(noord_client):
    staff = as_staff(noord_client)
    bomb = staff.patch(PREFS, {"favicon": png(20000, 20000, "favicon.ico")}, format="multipart")
    assert bomb.status_code == 400
    assert bomb.json() == too_large("favicon", FAVICON_MAX_SIDE)
    big = staff.patch(PREFS, {"favicon": png(FAVICON_MAX_SIDE + 1, 16, "favicon.ico")}, format="multipart")
    assert big.json() == too_large("favicon", FAVICON_MAX_SIDE)
    largest = image_file("favicon.ico", "ICO", size=(FAVICON_MAX_SIDE, FAVICON_MAX_SIDE))
    assert staff.patch(PREFS, {"favicon": largest}, format="multipart").status_code == 200


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (
            b'<?xml version="1.0" encoding="bogus"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "invalid_file_type",
            "Upload a PNG, JPG or SVG image.",
        ),
        (
            b"<!DOCTYPE html><html><body><img src=https://evil.example/t.png></body></html>",
            "invalid_file_type",
            "Upload a PNG, JPG or SVG image.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil.example/p#a)"/></svg>',
            "unsafe_svg",
            "The SVG refers to an external resource, which is not allowed.",
        ),
        (
            b'<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            "unsafe_svg",
            "The SVG contains a processing instruction (<?xml-stylesheet?>), which is not allowed.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><img xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/t"/></svg>',
            "unsafe_svg",
            "The SVG contains <img> from outside SVG, which is not allowed.",
        ),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><style>@\\69mport "https://evil.example/x.css";</style></svg>',
            "unsafe_svg",
            "The SVG's styles contain CSS escapes (\\), which are not allowed.",
        ),
        (b"\x89PNG\r\n\x1a\n truncated", "invalid_file_type", "Upload a PNG, JPG or SVG image."),
    ],
)
@pytest.mark.parametrize("path", [PREFS, GENERAL])
def test_broken_or_unsafe_files_get_a_field_error(noord_client, path, content, code, message):
    staff = as_staff(noord_client)
    response = staff.patch(path, {"logo": SimpleUploadedFile("logo.svg", content)}, format="multipart")
    assert response.status_code == 400
    assert response.json() == {"code": code, "logo": [message]}
    assert staff.get(path).json()["logo_url"] is None


def _upload_logo(noord, content: bytes, name: str = "logo.png") -> str:
    saved = services.update_portal_preferences(
        organisation=noord,
        changes={"use_organisation_logo": False},
        uploads={"logo": SimpleUploadedFile(name, content)},
    )
    return saved.instance.logo.name


def _then_fail(action) -> None:
    """Run ``action`` in a transaction that something later makes fail, so it rolls back."""
    with transaction.atomic():
        action()
        raise RuntimeError("something later in the same transaction failed")


def _png_bytes(size) -> bytes:
    return image_file("logo.png", "PNG", size=size).read()


def test_a_rolled_back_replacement_keeps_the_previous_logo(noord):
    with schema_context("org_noord"):
        old_name = _upload_logo(noord, _png_bytes((40, 20)))
        with pytest.raises(RuntimeError):
            _then_fail(lambda: _upload_logo(noord, _png_bytes((50, 20))))
        assert PortalPreferences.objects.current().logo.name == old_name
        assert default_storage.exists(old_name)

        with pytest.raises(RuntimeError):
            _then_fail(
                lambda: services.update_portal_preferences(organisation=noord, changes={"remove_logo": True})
            )
        assert PortalPreferences.objects.current().logo.name == old_name
        assert default_storage.exists(old_name)


def test_the_previous_file_is_deleted_only_after_commit(noord, django_capture_on_commit_callbacks):
    with schema_context("org_noord"):
        old_name = _upload_logo(noord, _png_bytes((40, 20)))
        with django_capture_on_commit_callbacks(execute=True):
            new_name = _upload_logo(noord, _png_bytes((60, 20)))
            assert default_storage.exists(old_name)  # not yet committed
        assert not default_storage.exists(old_name)
        assert default_storage.exists(new_name)
        with Image.open(default_storage.open(new_name)) as image:
            assert image.size == (60, 20)

        with django_capture_on_commit_callbacks(execute=True):
            services.update_portal_preferences(organisation=noord, changes={"remove_logo": True})
            assert default_storage.exists(new_name)
        assert not default_storage.exists(new_name)
        assert not PortalPreferences.objects.current().logo


def test_general_logo_replacement_waits_for_commit_too(noord, django_capture_on_commit_callbacks):
    with schema_context("org_noord"):
        first = services.update_general_preferences(
            changes={}, uploads={"logo": svg_file('<circle r="4"/>')}
        ).instance.logo.name
        with pytest.raises(RuntimeError):
            _then_fail(
                lambda: services.update_general_preferences(
                    changes={}, uploads={"logo": svg_file('<circle r="5"/>')}
                )
            )
        assert GeneralPreferences.objects.current().logo.name == first
        assert default_storage.exists(first)
        with django_capture_on_commit_callbacks(execute=True):
            services.update_general_preferences(changes={"remove_logo": True})
        assert not default_storage.exists(first)
