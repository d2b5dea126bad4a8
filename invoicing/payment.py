"""How to pay an open invoice: the payment reference, a SEPA EPC QR code and a payment-provider link.

Offered only for what the resident owes and may pay now: an invoice issued up to today that is open
or partly paid with a positive open amount, and a pro-forma advance issued within the next
``ADVANCE_DAYS_AHEAD`` days (paying it early is normal). Never for paid or cancelled invoices,
refunds (the organisation pays those), invoices whose payment is awaiting confirmation (paying
again would pay twice), or when the organisation hides the payment status (the offer would reveal
it).

The QR code follows EPC069-12 (version 002, UTF-8, SCT, error correction M) through segno's EPC
helper: an ISO 11649 RF reference goes in the structured remittance field; the Belgian structured
communication, which is not ISO 11649, goes in the unstructured remittance text as
``+++ddd/dddd/ddddd+++`` (Belgian banking apps read it there); without a scheme, the invoice number.
EPC QR codes are for euro transfers only: an invoice in another currency gets no QR code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import segno
from segno import helpers as segno_helpers

from configuration.models import PaymentSettings
from configuration.payment_details import fill_url_template

from .models import Invoice
from .payment_reference import BE_STRUCTURED, RF_CREDITOR, invoice_reference, rf_grouped
from .visibility import Visibility

ADVANCE_DAYS_AHEAD = 14
EPC_MAX_AMOUNT = Decimal("999999999.99")
PAYABLE_STATUSES = (Invoice.PaymentStatus.OPEN, Invoice.PaymentStatus.PARTIALLY_PAID)


@dataclass(frozen=True)
class PaymentOffer:
    invoice_number: str
    amount: Decimal
    currency: str
    creditor_name: str
    iban: str
    bic: str
    reference: str | None  # as printed: +++123/4567/89002+++ or RF18 5390 0754 7034
    reference_compact: str | None  # as typed into a bank app or sent to the provider
    pay_url: str | None

    @property
    def bank_transfer(self) -> bool:
        return bool(self.creditor_name and self.iban)

    @property
    def iban_grouped(self) -> str:
        return " ".join(self.iban[i : i + 4] for i in range(0, len(self.iban), 4))

    @property
    def has_qr(self) -> bool:
        return (
            self.bank_transfer and self.currency == "EUR" and Decimal("0.01") <= self.amount <= EPC_MAX_AMOUNT
        )

    def qr_code(self) -> segno.QRCode:
        """The EPC QR code (EPC069-12); only when ``has_qr``."""
        structured = (
            self.reference_compact
            if self.reference_compact and self.reference_compact.startswith("RF")
            else None
        )
        return segno_helpers.make_epc_qr(
            name=self.creditor_name,
            iban=self.iban,
            amount=self.amount,
            reference=structured,
            text=None if structured else (self.reference or self.invoice_number),
            bic=self.bic or None,
            encoding="utf-8",
        )

    def qr_svg(self) -> str:
        """A standalone SVG document (with its namespace, for an image response)."""
        buffer = io.BytesIO()
        self.qr_code().save(buffer, kind="svg", scale=4, border=4, xmldecl=False, title=self.qr_title)
        return buffer.getvalue().decode()

    def qr_svg_data_uri(self) -> str:
        """For an ``<img>`` on the page, which gives it a text alternative."""
        return self.qr_code().svg_data_uri(scale=4, border=4)

    @property
    def qr_title(self) -> str:
        return f"SEPA payment {self.invoice_number}"

    def qr_png(self, scale: int = 6) -> bytes:
        buffer = io.BytesIO()
        self.qr_code().save(buffer, kind="png", scale=scale, border=4)
        return buffer.getvalue()

    def qr_png_data_uri(self, scale: int = 6) -> str:
        return self.qr_code().png_data_uri(scale=scale, border=4)


def payable(invoice: Invoice, *, today: date) -> bool:
    if invoice.payment_status not in PAYABLE_STATUSES or invoice.amount_open <= 0:
        return False
    if invoice.issue_date <= today:
        return True
    return invoice.kind == Invoice.Kind.ADVANCE and invoice.issue_date <= today + timedelta(
        days=ADVANCE_DAYS_AHEAD
    )


def _references(scheme: str, invoice: Invoice) -> tuple[str | None, str | None]:
    reference = invoice_reference(scheme=scheme, invoice_pk=invoice.pk)
    if scheme == BE_STRUCTURED:
        return reference, reference.strip("+").replace("/", "")
    if scheme == RF_CREDITOR:
        return rf_grouped(reference), reference
    return None, None


def payment_offer(
    invoice: Invoice, *, today: date, visibility: Visibility, settings: PaymentSettings | None = None
) -> PaymentOffer | None:
    """How to pay ``invoice`` now, or ``None`` when it cannot be paid (or nothing is configured)."""
    if not visibility.payment_status or not payable(invoice, today=today):
        return None
    settings = settings or PaymentSettings.objects.current()
    if not (settings.bank_transfer_possible or settings.provider_url_template):
        return None
    reference, compact = _references(settings.reference_scheme, invoice)
    amount = invoice.amount_open
    pay_url = None
    if settings.provider_url_template:
        pay_url = fill_url_template(
            settings.provider_url_template,
            invoice_number=invoice.number,
            amount=f"{amount:.2f}",
            reference=compact or invoice.number,
            currency=invoice.currency,
        )
    return PaymentOffer(
        invoice_number=invoice.number,
        amount=amount,
        currency=invoice.currency,
        creditor_name=settings.creditor_name if settings.bank_transfer_possible else "",
        iban=settings.iban if settings.bank_transfer_possible else "",
        bic=settings.bic if settings.bank_transfer_possible else "",
        reference=reference,
        reference_compact=compact,
        pay_url=pay_url,
    )
