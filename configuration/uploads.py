"""Logos and favicons: what the branding takes, checked by ``core.files``.

A logo is a PNG or JPEG of at most 4096 pixels a side (the portal shows it about 60 px high) or
an SVG (allow-list, see ``core.files.svg``); a favicon is an ICO of at most 256 pixels a side, the
largest size an ICO directory entry can describe. An unsafe SVG is told why (``unsafe_svg``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.files import CheckedFile, Problem, Refusal, UploadRules, check_upload

LOGO_MAX_SIDE = 4096
FAVICON_MAX_SIDE = 256

_SHARED = {
    Problem.TOO_LARGE: Refusal("file_too_large", _("The file is too large: at most %(size)s KB.")),
    Problem.EMPTY: Refusal("invalid_file", _("The file is empty.")),
    Problem.TOO_MANY_PIXELS: Refusal(
        "image_too_large",
        _("The image is too large: at most %(limit)s pixels wide and %(limit)s pixels high."),
    ),
}
LOGO = UploadRules(
    accept=frozenset({"png", "jpeg", "svg"}),
    max_bytes=500 * 1024,
    max_side=LOGO_MAX_SIDE,
    refusals={
        **_SHARED,
        Problem.WRONG_TYPE: Refusal("invalid_file_type", _("Upload a PNG, JPG or SVG image.")),
        Problem.UNSAFE: Refusal("unsafe_svg"),  # the SVG check's own reason
    },
)
FAVICON = UploadRules(
    accept=frozenset({"ico"}),
    max_bytes=100 * 1024,
    max_side=FAVICON_MAX_SIDE,
    refusals={**_SHARED, Problem.WRONG_TYPE: Refusal("invalid_file_type", _("Upload an ICO file."))},
)


def check_logo(upload, *, field: str = "logo") -> CheckedFile:
    return check_upload(upload, LOGO, field=field)


def check_favicon(upload, *, field: str = "favicon") -> CheckedFile:
    return check_upload(upload, FAVICON, field=field)
