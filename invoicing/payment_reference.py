"""Structured payment references for invoices: pure functions, no database.

The bank copies the reference into the payment, so the billing system can match the payment to
the invoice without reading free text. Two schemes, chosen per organisation:

- the Belgian structured communication (OGM/VCS): 10 digits and 2 check digits (the 10 digits mod
  97, 97 when that is 0), written ``+++ddd/dddd/ddddd+++``;
- the ISO 11649 creditor reference: ``RF``, 2 check digits (ISO 7064 mod 97-10), up to 21 letters
  or digits.

The reference is derived from the invoice's primary key only: the same invoice always has the same
reference, and two invoices of one organisation (its own bank account) never share one.
"""

from __future__ import annotations

import re

BE_STRUCTURED = "be_structured"
RF_CREDITOR = "rf_creditor"
NO_REFERENCE = "none"
SCHEMES = (BE_STRUCTURED, RF_CREDITOR, NO_REFERENCE)
BE_BASE_LIMIT = 10**10


def be_check_digits(base: int) -> int:
    """The 2 check digits of a Belgian structured communication: base mod 97, or 97 when 0."""
    return base % 97 or 97


def be_structured_reference(base: int) -> str:
    """``+++ddd/dddd/ddddd+++`` for a base of at most 10 digits."""
    if not 0 <= base < BE_BASE_LIMIT:
        raise ValueError("the base of a structured communication has at most 10 digits")
    digits = f"{base:010d}{be_check_digits(base):02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def be_structured_valid(value: str) -> bool:
    """Whether ``value`` (with or without +++ and slashes, or ***) has 12 digits whose check is right."""
    digits = re.sub(r"[\s+*/]", "", value)
    if not re.fullmatch(r"\d{12}", digits):
        return False
    return be_check_digits(int(digits[:10])) == int(digits[10:])


def _mod97(alphanumeric: str) -> int:
    """ISO 7064 mod 97-10 of letters (A=10 … Z=35) and digits."""
    return int("".join(str(int(char, 36)) for char in alphanumeric)) % 97


def rf_reference(body: str) -> str:
    """The ISO 11649 creditor reference ``RFcc<body>`` for 1 to 21 letters or digits."""
    body = body.upper()
    if not re.fullmatch(r"[0-9A-Z]{1,21}", body):
        raise ValueError("a creditor reference holds 1 to 21 letters or digits")
    check = 98 - _mod97(f"{body}RF00")
    return f"RF{check:02d}{body}"


def rf_valid(value: str) -> bool:
    """Whether ``value`` (spaces allowed) is an ISO 11649 reference with the right check digits."""
    compact = re.sub(r"\s", "", value).upper()
    if not re.fullmatch(r"RF\d{2}[0-9A-Z]{1,21}", compact):
        return False
    return _mod97(compact[4:] + compact[:4]) == 1


def rf_grouped(reference: str) -> str:
    """The reference in groups of 4 characters, as printed for people to type."""
    return " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))


def invoice_reference(*, scheme: str, invoice_pk: int) -> str | None:
    """The reference of an invoice under ``scheme``; ``None`` when the organisation uses none."""
    if scheme == BE_STRUCTURED:
        return be_structured_reference(invoice_pk % BE_BASE_LIMIT)
    if scheme == RF_CREDITOR:
        return rf_reference(str(invoice_pk))
    return None
