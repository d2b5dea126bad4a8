"""Branded invoice PDFs, generated once per invoice version and kept in storage."""

from __future__ import annotations

import hashlib
from urllib.parse import unquote

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from configuration.models import GeneralPreferences, PortalPreferences
from configuration.site import effective_branding

from .models import Invoice
from .payment import PaymentOffer, payment_offer
from .visibility import Visibility


def _variant(invoice: Invoice, visibility: Visibility, language: str, payment: PaymentOffer | None) -> str:
    """Changes when anything printed on the PDF changes (the way to pay included)."""
    raw = f"{invoice.pk}:{invoice.updated_at.isoformat()}:{visibility.payment_status}:{language}:{payment!r}"
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def _logo_data(branding: dict) -> str | None:
    from base64 import b64encode

    url = branding.get("logo_url")
    # The URL is the storage's (/media/<schema>/branding/...): the name is what follows its base.
    if not url or not url.startswith(default_storage.base_url):
        return None
    name = unquote(url.removeprefix(default_storage.base_url))
    if not default_storage.exists(name):
        return None
    extension = name.rsplit(".", 1)[-1]
    mime = {"png": "image/png", "jpg": "image/jpeg", "svg": "image/svg+xml"}.get(extension, "image/png")
    with default_storage.open(name, "rb") as handle:
        return f"data:{mime};base64,{b64encode(handle.read()).decode()}"


def _payment(invoice: Invoice, organisation, visibility: Visibility) -> PaymentOffer | None:
    return payment_offer(invoice, today=timezone.localdate(timezone=organisation.zone), visibility=visibility)


def render_invoice_pdf(*, invoice: Invoice, organisation, language: str, visibility: Visibility) -> bytes:
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    preferences = PortalPreferences.objects.current()
    branding = effective_branding(GeneralPreferences.objects.current(), preferences)
    billing = invoice.customer.addresses.filter(kind="billing").first() or invoice.customer.addresses.first()
    payment = _payment(invoice, organisation, visibility)
    with translation.override(language), timezone.override(organisation.time_zone):
        html = render_to_string(
            "invoicing/invoice_pdf.html",
            {
                "invoice": invoice,
                "lines": list(invoice.lines.all()),
                "customer": invoice.customer,
                "address": billing,
                "organisation": organisation,
                "preferences": preferences,
                "branding": branding,
                "logo": _logo_data(branding),
                "show_payment": visibility.payment_status,
                "payment": payment,
                # A PNG (not SVG): every PDF reader and printer shows it the same.
                "payment_qr": payment.qr_png_data_uri(scale=8) if payment and payment.has_qr else None,
            },
        )
    # No network or file access while rendering: everything the PDF needs is inline (data: URLs).
    return HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"})).write_pdf()


def invoice_pdf(*, invoice: Invoice, organisation, language: str, visibility: Visibility):
    """(storage name, filename): the cached PDF, generated first if this version has none yet."""
    variant = _variant(invoice, visibility, language, _payment(invoice, organisation, visibility))
    name = invoice.pdf.name if invoice.pdf else ""
    if not (name and variant in name and default_storage.exists(name)):
        content = render_invoice_pdf(
            invoice=invoice, organisation=organisation, language=language, visibility=visibility
        )
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.pdf and variant in locked.pdf.name and default_storage.exists(locked.pdf.name):
                name = locked.pdf.name
            else:
                old = locked.pdf.name if locked.pdf else None
                locked.pdf.save(f"{invoice.number}-{variant}.pdf", ContentFile(content), save=False)
                Invoice.objects.filter(pk=invoice.pk).update(pdf=locked.pdf.name)
                if old:
                    default_storage.delete(old)
                name = locked.pdf.name
    return name, f"invoice-{invoice.number}.pdf"
