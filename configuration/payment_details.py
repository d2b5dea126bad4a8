"""The organisation's bank details and payment-provider link: checks and filling, no database.

IBAN and BIC are checked with python-stdnum (country format and mod-97 check digits for the IBAN,
structure and country for the BIC) and stored compact and upper-case. The provider link is a URL
template: https only, placeholders from ``PLACEHOLDERS`` only, each value URL-encoded when filled,
so an invoice number or reference can never change where the link goes.
"""

from __future__ import annotations

import string
from urllib.parse import quote, urlsplit

from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

PLACEHOLDERS = ("invoice_number", "amount", "reference", "currency")


class PaymentDetailError(ValueError):
    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def normalise_iban(value: str) -> str:
    """The IBAN compact and upper-case, or ``PaymentDetailError`` when it is not a valid IBAN."""
    try:
        return stdnum_iban.validate(value)
    except ValidationError as exc:
        raise PaymentDetailError(_("Enter a valid IBAN, e.g. BE71 0961 2345 6769."), "invalid_iban") from exc


def normalise_bic(value: str) -> str:
    try:
        return stdnum_bic.validate(value)
    except ValidationError as exc:
        raise PaymentDetailError(
            _("Enter a valid BIC of 8 or 11 characters, e.g. GKCCBEBB."), "invalid_bic"
        ) from exc


def _placeholders(template: str) -> list[str]:
    try:
        return [name for _text, name, _spec, _conv in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        raise PaymentDetailError(_("Close every { with a }."), "invalid_template") from exc


def check_url_template(template: str) -> str:
    """The template unchanged, or ``PaymentDetailError``: https, a host, known placeholders only."""
    names = _placeholders(template)
    unknown = sorted({name for name in names if name not in PLACEHOLDERS})
    if unknown:
        raise PaymentDetailError(
            _("Unknown placeholder %(names)s; use %(known)s.")
            % {
                "names": ", ".join(f"{{{n}}}" for n in unknown),
                "known": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
            },
            "unknown_placeholder",
        )
    # The scheme and host must be fixed text: a placeholder there could send residents anywhere.
    sample = fill_url_template(template, invoice_number="1", amount="1.00", reference="1", currency="EUR")
    try:
        parts = urlsplit(sample)
        hostname = parts.hostname
    except ValueError:  # e.g. an unclosed [ of an IPv6 address
        hostname = None
    head = template.split("/", 3)[:3]
    if not sample.lower().startswith("https://") or not hostname or "{" in "/".join(head):
        raise PaymentDetailError(_("Enter an address that starts with https://."), "https_required")
    return template


def fill_url_template(template: str, **values: str) -> str:
    """The template with each placeholder replaced by its URL-encoded value."""
    return template.format_map({name: quote(str(values.get(name, "")), safe="") for name in PLACEHOLDERS})
