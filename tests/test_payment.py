"""Paying an open invoice: payment settings (staff), the payment offer, the EPC QR code read back."""

from __future__ import annotations

import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django_tenants.utils import schema_context
from PIL import Image
from pypdf import PdfReader

from configuration.models import PaymentSettings
from integration.importing import run_import
from invoicing.models import Invoice
from invoicing.payment import payment_offer
from invoicing.payment_reference import be_structured_valid, rf_valid
from invoicing.visibility import Visibility
from memberships.models import PortalAccount
from tests.support.billing_data import billing_customer, invoice_row
from tests.support.configuration import as_staff, set_preferences
from tests.support.payment import (
    BIC,
    IBAN,
    PAYMENT,
    decode_qr_image,
    decode_qr_png,
    epc_fields,
    set_payment_settings,
    svg_to_image,
)
from tests.support.residents import resident_client
from tests.support.web import logged_in, make_resident, text

VISIBLE = Visibility(invoices=True, payment_status=True)


@pytest.fixture
def resident(db, client_for):
    data = billing_customer()
    return data, resident_client(client_for, data)


def _invoice(data, n: int) -> Invoice:
    with schema_context("org_noord"):
        return Invoice.objects.get(number=f"{data['ext']}-F{n:04d}")


# --- staff settings ---------------------------------------------------------------------------


def test_staff_save_payment_settings_normalised(noord_client):
    staff = as_staff(noord_client)
    response = staff.patch(
        PAYMENT,
        {
            "creditor_name": "Warmtenet Noord",
            "iban": "be71 0961 2345 6769",
            "bic": "gkccbebb",
            "reference_scheme": "rf_creditor",
            "provider_url_template": "https://pay.example.test/p?inv={invoice_number}&amt={amount}&ref={reference}",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["iban"], body["bic"], body["reference_scheme"]) == (IBAN, BIC, "rf_creditor")
    assert body["placeholders"] == ["invoice_number", "amount", "reference", "currency"]
    assert staff.get(PAYMENT).json()["iban"] == IBAN
    with schema_context("org_noord"):
        assert PaymentSettings.objects.current().iban == IBAN


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("iban", "BE71 0961 2345 6768", "invalid_iban"),  # one digit off: the check digits catch it
        ("iban", "XX00 1234", "invalid_iban"),
        ("bic", "GKCCBE", "invalid_bic"),
        ("provider_url_template", "http://pay.example.test/{invoice_number}", "https_required"),
        ("provider_url_template", "https://{reference}.example.test/", "https_required"),
        ("provider_url_template", "https://[::1/{amount}", "https_required"),  # an unclosed IPv6 host
        ("provider_url_template", "https://pay.example.test/{customer_email}", "unknown_placeholder"),
        ("provider_url_template", "https://pay.example.test/{amount", "invalid_template"),
    ],
)
def test_staff_invalid_payment_settings_refused_with_field_errors(noord_client, field, value, code):
    staff = as_staff(noord_client)
    before = staff.get(PAYMENT).json()
    payload = {"creditor_name": "Warmtenet Noord", "iban": IBAN, field: value}
    response = staff.patch(PAYMENT, payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert list(body) == ["code", field]
    assert staff.get(PAYMENT).json() == before  # nothing saved


def test_iban_needs_an_account_holder(noord_client):
    response = as_staff(noord_client).patch(PAYMENT, {"iban": IBAN, "creditor_name": ""}, format="json")
    assert response.status_code == 400
    assert "creditor_name" in response.json()


def test_residents_cannot_change_payment_settings(resident):
    _data, client = resident
    assert client.patch(PAYMENT, {"iban": IBAN}, format="json").status_code in (401, 403)


# --- the offer and the QR code ----------------------------------------------------------------


def _check_epc(payload: bytes, *, amount: str, reference: str = "", text: str = "") -> None:
    """Every field of EPC069-12 version 002, as a banking app reads it."""
    assert len(payload) <= 331
    fields = epc_fields(payload)
    assert fields[:4] == ["BCD", "002", "1", "SCT"]  # service tag, version, UTF-8, SEPA credit transfer
    assert fields[4:7] == [BIC, "Warmtenet Noord", IBAN]
    assert fields[7] == amount
    assert fields[8] == ""  # purpose
    assert fields[9] == reference
    assert fields[10:] == ([text] if text else [])


def test_open_invoice_qr_with_belgian_reference(resident):
    data, client = resident
    set_payment_settings()
    invoice = _invoice(data, 9000)
    body = client.get(f"/api/portal/invoices/{invoice.pk}/").json()
    payment = body["payment"]
    assert payment["amount"] == "100.00"
    assert payment["currency"] == "EUR"
    assert payment["iban"] == IBAN
    assert payment["bic"] == BIC
    assert be_structured_valid(payment["reference"])
    assert payment["reference"].startswith("+++")
    assert len(payment["reference_compact"]) == 12
    assert payment["pay_url"] is None
    response = client.get(payment["qr_url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    _check_epc(decode_qr_image(svg_to_image(svg)), amount="EUR100", text=payment["reference"])


def test_rf_reference_in_the_structured_field_and_pay_now(resident):
    data, client = resident
    set_payment_settings(
        reference_scheme="rf_creditor",
        provider_url_template="https://pay.example.test/p?inv={invoice_number}&amt={amount}&ref={reference}&c={currency}",
    )
    invoice = _invoice(data, 9003)
    with schema_context("org_noord"):
        Invoice.objects.filter(pk=invoice.pk).update(
            amount_open=Decimal("42.17"), payment_status="partially_paid"
        )
    payment = client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"]
    assert rf_valid(payment["reference_compact"])
    assert payment["reference"].startswith("RF")
    query = parse_qs(urlsplit(payment["pay_url"]).query)
    assert query == {
        "inv": [invoice.number],
        "amt": ["42.17"],
        "ref": [payment["reference_compact"]],
        "c": ["EUR"],
    }
    svg = client.get(payment["qr_url"]).content.decode()
    _check_epc(decode_qr_image(svg_to_image(svg)), amount="EUR42.17", reference=payment["reference_compact"])


def test_without_scheme_the_invoice_number_is_the_text(resident):
    data, _client = resident
    set_payment_settings(reference_scheme="none", bic="")
    invoice = _invoice(data, 9000)
    with schema_context("org_noord"):
        offer = payment_offer(invoice, today=date.today(), visibility=VISIBLE)
    assert offer.reference is None
    fields = epc_fields(decode_qr_png(offer.qr_png()))
    assert fields[4] == ""  # BIC optional within the EEA
    assert fields[9:] == ["", invoice.number]


def test_provider_values_are_url_encoded(resident):
    data, _client = resident
    set_payment_settings(
        reference_scheme="none", provider_url_template="https://pay.example.test/{invoice_number}"
    )
    with schema_context("org_noord"):
        invoice = _invoice(data, 9000)
        invoice.number = "A/B?c=d&e#f"
        offer = payment_offer(invoice, today=date.today(), visibility=VISIBLE)
    assert offer.pay_url == "https://pay.example.test/A%2FB%3Fc%3Dd%26e%23f"


def test_nothing_to_pay_no_offer(resident):
    data, client = resident
    set_payment_settings()
    paid, refund = _invoice(data, 0), _invoice(data, 9002)
    for invoice in (paid, refund):
        assert client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"] is None
        response = client.get(f"/api/portal/invoices/{invoice.pk}/payment-qr.svg")
        assert response.status_code == 404
        assert response.json()["code"] == "no_payment_qr"
    awaiting = _invoice(data, 9000)
    with schema_context("org_noord"):
        Invoice.objects.filter(pk=awaiting.pk).update(payment_status="awaiting_confirmation")
    assert client.get(f"/api/portal/invoices/{awaiting.pk}/").json()["payment"] is None


def test_hidden_payment_status_no_offer(resident):
    data, client = resident
    set_payment_settings()
    set_preferences(payment_status_visible=False)
    invoice = _invoice(data, 9000)
    assert "payment" in client.get(f"/api/portal/invoices/{invoice.pk}/").json()
    assert client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"] is None
    assert client.get(f"/api/portal/invoices/{invoice.pk}/payment-qr.svg").status_code == 404


def test_no_settings_no_offer(resident):
    data, client = resident
    invoice = _invoice(data, 9000)
    assert client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"] is None


def test_upcoming_advance_payable_when_issued_soon(resident):
    data, _client = resident
    set_payment_settings()
    today = date.today()
    rows = [
        invoice_row(data["ext"], f"{data['ext']}-K1", 9100, issue=today + timedelta(days=7), status="open"),
        invoice_row(data["ext"], f"{data['ext']}-K1", 9101, issue=today + timedelta(days=40), status="open"),
    ]
    with schema_context("org_noord"):
        assert run_import(payload={"invoices": rows})["error_count"] == 0
        soon, later = _invoice(data, 9100), _invoice(data, 9101)
        assert payment_offer(soon, today=today, visibility=VISIBLE) is not None
        assert payment_offer(later, today=today, visibility=VISIBLE) is None


def test_reference_is_stable(resident):
    data, client = resident
    set_payment_settings()
    invoice = _invoice(data, 9000)
    first = client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"]["reference"]
    assert client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"]["reference"] == first
    other = client.get(f"/api/portal/invoices/{_invoice(data, 9003).pk}/").json()["payment"]["reference"]
    assert other != first


def test_another_customers_qr_is_not_found(db, client_for):
    mine, theirs = billing_customer(), billing_customer()
    set_payment_settings()
    client = resident_client(client_for, mine)
    other = _invoice(theirs, 9000)
    assert client.get(f"/api/portal/invoices/{other.pk}/payment-qr.svg").status_code == 404
    own = _invoice(mine, 9000)
    assert client.get(f"/api/portal/invoices/{own.pk}/payment-qr.svg").status_code == 200


def test_invoice_pdf_has_the_qr_and_reference(resident):
    data, client = resident
    set_payment_settings()
    invoice = _invoice(data, 9000)
    reference = client.get(f"/api/portal/invoices/{invoice.pk}/").json()["payment"]["reference"]
    response = client.get(f"/api/portal/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    page = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0]
    assert reference in page.extract_text()
    payloads = [decode_qr_image(Image.open(io.BytesIO(image.data))) for image in page.images]
    assert len(payloads) == 1
    _check_epc(payloads[0], amount="EUR100", text=reference)


# --- the pages ----------------------------------------------------------------------------------


@pytest.fixture
def web_payer(db):
    data = billing_customer(invoices=3)
    make_resident(data)
    return data


def test_invoices_page_and_overview_link_to_pay_only_open_invoices(web_payer):
    client = logged_in(web_payer)
    open_invoice, paid = _invoice(web_payer, 9000), _invoice(web_payer, 0)
    assert "/pay/" not in text(client.get("/invoices/"))  # nothing configured: no way to pay
    set_payment_settings()
    for page in ("/invoices/", "/overview/"):
        body = text(client.get(page))
        assert f"/invoices/{open_invoice.pk}/pay/" in body
        assert f"/invoices/{paid.pk}/pay/" not in body
        assert f"/invoices/{_invoice(web_payer, 9002).pk}/pay/" not in body  # a refund


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_payment_page_shows_reference_qr_and_pay_now(web_payer, language):
    set_payment_settings(provider_url_template="https://pay.example.test/{invoice_number}?a={amount}")
    invoice = _invoice(web_payer, 9000)
    client = logged_in(web_payer)
    with schema_context("org_noord"):  # pages speak the resident's stored language
        PortalAccount.objects.filter(customer__customer_number=web_payer["number"]).update(language=language)
    body = text(client.get(f"/invoices/{invoice.pk}/pay/"))
    with schema_context("org_noord"):
        offer = payment_offer(invoice, today=date.today(), visibility=VISIBLE)
    assert offer.reference in body
    assert "BE71 0961 2345 6769" in body
    assert f'href="https://pay.example.test/{invoice.number}?a=100.00"' in body
    heading = {"en": "Pay invoice", "nl": "Factuur betalen", "fr": "Payer la facture"}[language]
    assert heading in body
    [uri] = re.findall(r'src="(data:image/svg\+xml[^"]+)"', body)
    svg = unquote(html.unescape(uri).split(",", 1)[1])
    _check_epc(decode_qr_image(svg_to_image(svg)), amount="EUR100", text=offer.reference)


def test_payment_page_of_nothing_to_pay_or_another_customer(web_payer):
    set_payment_settings()
    other = billing_customer(invoices=3)
    client = logged_in(web_payer)
    assert client.get(f"/invoices/{_invoice(other, 9000).pk}/pay/").status_code == 404
    response = client.get(f"/invoices/{_invoice(web_payer, 0).pk}/pay/")
    assert response.status_code == 404
    assert "nothing to pay" in text(response)
