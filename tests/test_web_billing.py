"""Invoices, statements, charges and payments pages through Django's test client: the figures,
the pages of a long invoice list, and nothing about payment when payment status is hidden."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from django.utils import formats
from django_tenants.utils import schema_context

from integration.importing import run_import
from invoicing.models import Invoice
from tests.support.billing_data import billing_customer
from tests.support.web import logged_in, make_resident, text


def _rows(body: str) -> dict[str, list[str]]:
    """The table rows of a page by the text of their first cell: the cells' text, tags removed."""
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [
            " ".join(html.unescape(re.sub(r"<[^>]+>", " ", cell)).split())
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        if cells:
            rows[cells[0]] = cells
    return rows


def _visible_text(body: str) -> str:
    main = body.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())


@pytest.fixture
def resident(db):
    data = billing_customer(invoices=3)
    make_resident(data)
    return data


def test_statements_show_each_invoices_running_balance(resident):
    rows = _rows(text(logged_in(resident).get("/statements/")))
    ext = resident["ext"]
    first, second, third = (
        next(cells for key, cells in rows.items() if key.startswith(f"{ext}-F{n:04d}")) for n in range(3)
    )
    # Invoice (a download), due date, previous balance, payments, adjustments, carried forward,
    # current charges, balance, VAT.
    assert first[1:] == [
        "15/01/2025",
        "€ 0.00",
        "€ 0.00",
        "€ 0.00",
        "€ 0.00",
        "€ 100.00",
        "€ 100.00",
        "€ 5.66",
    ]
    # The direct debit of 10 January is counted with the next invoice.
    assert second[2:-1] == ["€ 100.00", "€ -100.00", "€ 0.00", "€ 0.00", "€ 100.00", "€ 100.00"]
    # The second invoice's payment of 10 February (less the goodwill adjustment on it) and that
    # adjustment count; the internal adjustment and the reminder fee never show.
    assert third[2:-1] == ["€ 100.00", "€ -95.00", "€ -5.00", "€ 0.00", "€ 100.00", "€ 100.00"]


def test_the_statement_number_downloads_the_invoice(resident):
    """The reference's statement number is the download of the invoice."""
    client = logged_in(resident)
    body = text(client.get("/statements/"))
    link = re.search(rf'<a href="([^"]+)" download class="pdf-link">{resident["ext"]}-F0001<', body)
    assert link
    response = client.get(link.group(1))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_charges_show_the_invoice_lines_with_units_and_prices(resident):
    rows = _rows(text(logged_in(resident).get("/charges/")))
    line = rows[f"{resident['ext']}-F0001"]
    assert line == [
        f"{resident['ext']}-F0001",
        "Warmte",
        "Heat Meter M-1",
        "",
        "120.500 kWh",
        "0.13200",
        "€ 94.34",
    ]


def test_payments_show_payments_and_invoice_adjustments_but_not_fees(resident):
    body = text(logged_in(resident).get("/transactions/"))
    rows = _rows(body)
    assert rows["10/01/2025"] == [
        "10/01/2025",
        "Payment",
        "Direct debit",  # the description
        "Direct debit",  # the method, named
        f"{resident['ext']}-F0000",
        "€ 100.00",
        "",
    ]
    assert rows["12/02/2025"][2:] == [
        "Goodwill on invoice",
        "",
        f"{resident['ext']}-F0001",
        "€ -5.00",
        "Agreed on the phone",
    ]
    assert "Reminder fee" not in body
    assert "Internal adjustment" not in body


@pytest.mark.parametrize(
    ("language", "kind", "method"),
    [
        ("en", "Payment", "Direct debit"),
        ("nl", "Betaling", "Domiciliëring"),
        ("fr", "Paiement", "Domiciliation"),
    ],
)
def test_payment_methods_are_named_not_coded(resident, language, kind, method):
    """The payments page showed ``direct_debit``."""
    client = logged_in(resident)
    assert client.post("/language/", {"language": language, "next": "/transactions/"}).status_code == 302
    rows = _rows(text(client.get("/transactions/")))
    assert rows["10/01/2025"][1:4] == [kind, "Direct debit", method]
    assert "direct_debit" not in _visible_text(text(client.get("/transactions/")))


def test_the_overview_and_the_newest_statement_show_one_balance(resident):
    """With a payment not linked to an invoice the overview and the statements were 25.00 apart."""
    ext, today = resident["ext"], date.today()
    with schema_context("org_noord"):
        result = run_import(
            payload={
                "transactions": [
                    {
                        "external_id": f"{ext}-on-account",
                        "customer_external_id": ext,
                        "kind": "payment",
                        "date": (today - timedelta(days=1)).isoformat(),
                        "description": "Payment on account",
                        "amount": "25.00",
                    }
                ]
            }
        )
    assert result["error_count"] == 0, result
    client = logged_in(resident)
    overview = _visible_text(text(client.get("/overview/")))
    balance = re.search(r"Balance (€ -?[\d,.]+)", overview).group(1)
    newest = _rows(text(client.get("/statements/")))[f"{ext}-F9001 (download the PDF) {today:%d/%m/%Y}"]
    assert newest[-2] == balance


def test_a_long_invoice_list_is_paged_with_what_is_open_first(db):
    data = billing_customer(invoices=60)
    make_resident(data)
    client = logged_in(data)
    pages = [text(client.get(f"/invoices/?page={number}")) for number in (1, 2, 3)]
    shown = [re.findall(r'download class="pdf-link">Download ([^<]+)</a>', page) for page in pages]
    assert [len(numbers) for numbers in shown] == [25, 25, 14]
    assert "Page 1 of 3" in pages[0]
    assert '<a href="?page=2" rel="next">' in pages[0]
    assert '<a href="?page=2" rel="prev">' in pages[2]
    # Every invoice on exactly one page; what is to pay and to be refunded comes first.
    everything = [number for numbers in shown for number in numbers]
    assert len(everything) == len(set(everything)) == 64
    ext = data["ext"]
    # Contract 1's invoices to pay, by due date, open the first page; contract 2's refund is on it too.
    assert everything[:3] == [f"{ext}-F9003", f"{ext}-F9000", f"{ext}-F9001"]
    assert f"{ext}-F9002" in shown[0]
    captions = re.findall(r"<caption>([^<]+)</caption>", pages[0])
    assert captions[0] == "Outstanding"
    assert "Refund to come" in captions
    assert "We will refund this amount to your bank account on 07/03/2031" in pages[0]
    assert "<caption>Outstanding</caption>" not in pages[1]
    assert "Page 3 of 3" in text(client.get("/invoices/?page=99"))


def test_the_refund_notice_is_not_squeezed_into_the_amount_cell(resident):
    body = text(logged_in(resident).get("/invoices/"))
    notice = re.search(
        r'<tr class="notice-row"><td colspan="7"><p class="message info refund-notice">([^<]+)</p>', body
    )
    assert notice
    assert notice.group(1) == "We will refund this amount to your bank account on 07/03/2031"
    assert not re.search(r'<td class="num">[^<]*<p', body)


PAGES = [
    "/overview/",
    "/invoices/",
    "/invoices/?page=2",
    "/statements/",
    "/charges/",
    "/transactions/",
    "/documents/",
    "/consumption/",
    "/my-details/",
    "/tickets/",
    "/move-out/",
    "/help/",
    "/faq/",
]
PAYMENT_WORDS = [
    "Balance",
    "balance",
    "Carried forward",
    "Outstanding",
    "outstanding",
    "Refund to come",
    "We will refund",
    "Due",
    " due ",
    "Paid",
    "still to pay",
    "owe you",
    "Everything is paid",
]


def test_with_payment_status_hidden_no_page_shows_a_balance_due_date_or_refund(resident):
    from configuration.models import PortalPreferences

    with schema_context("org_noord"):
        PortalPreferences.objects.current()
        PortalPreferences.objects.update(payment_status_visible=False)
        due_dates = {
            formats.date_format(due, "SHORT_DATE_FORMAT")
            for due in Invoice.objects.filter(customer__customer_number=resident["number"]).values_list(
                "due_date", flat=True
            )
        }
    assert "07/03/2031" in due_dates
    client = logged_in(resident)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 200, path
        # "Balance adjustment" is the kind of a transaction, not a balance.
        shown = _visible_text(text(response)).replace("Balance adjustment", "")
        for word in PAYMENT_WORDS:
            assert word not in shown, (path, word)
        for due in due_dates:
            assert due not in shown, (path, due)
    # The figures that are not about payment are still there.
    statements = _rows(text(client.get("/statements/")))
    header = next(cells for key, cells in statements.items() if key == "Invoice")
    assert header == ["Invoice", "Payments", "Adjustments", "Current charges", "VAT"]
    invoices = _visible_text(text(client.get("/invoices/")))
    assert f"{resident['ext']}-F0001" in invoices
    assert f"{resident['ext']}-F9002" in invoices  # the credit note itself is an invoice
    assert date.today().strftime("%d/%m/%Y") in invoices  # issue dates stay
