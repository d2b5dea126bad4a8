"""The portal's pages refuse input that cannot be read with a branded 400 or 413 page (issue 15).

Characters no text may hold (core.characters) in an address or a form, forms of megabytes, and
query values far too long or not numbers at all: never a 500, nothing written. The API side is
tests/test_input_guard.py.
"""

from __future__ import annotations

import io

import pytest
from django.test import Client

from tests.support.input_guard import MEGABYTES, NOORD, help_request, tickets


def page(language: str = "en") -> Client:
    client = Client(HTTP_HOST=NOORD, HTTP_ACCEPT_LANGUAGE=language)
    client.raise_request_exception = False
    return client


def assert_page(response, status: int, words: str) -> str:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("text/html"), response["Content-Type"]
    text = response.content.decode()
    assert "Warmtenet Noord" in text  # branded: the organisation's own page
    assert words in text, text[:3000]
    return text


@pytest.mark.parametrize(
    "path",
    [
        "/faq/?page=%00",
        "/invoices/?page=%ED%A0%80",
        "/consumption/?year=20%EF%BF%BF24",
        "/move-in/?q=Main%01",
        "/login/?next=/overview/%00",
        "/activate/abc%00def",
        "/reset-password/%ED%A0%80",
    ],
)
def test_pages_refuse_invalid_code_points_in_the_address_with_a_branded_400(db, path):
    assert_page(page().get(path), 400, "characters that cannot be used")


def test_the_400_page_speaks_the_visitors_language(db):
    text = assert_page(page("fr").get("/faq/?page=%00"), 400, 'lang="fr"')
    assert "Retour \u00e0 la page d\u2019accueil" in text


def test_page_forms_refuse_invalid_code_points(db):
    before = tickets()
    client = page()
    assert_page(client.post("/login/", {"email": "ann\x00@b.test", "password": "x"}), 400, "characters")
    raw = b"email=ann%ED%A0%80%40b.test&password=x"
    form = client.post("/login/", raw, content_type="application/x-www-form-urlencoded")
    assert_page(form, 400, "characters")
    help_form = client.post("/help/", help_request(message="cold\uffff"))  # multipart
    assert_page(help_form, 400, "characters")
    assert tickets() == before


def test_page_forms_with_megabytes_are_413(db):
    before = tickets()
    response = page().post("/help/", help_request(message=MEGABYTES))
    assert_page(response, 413, "too large")
    urlencoded = page().post(
        "/login/", f"email=a%40b.test&password={MEGABYTES}", content_type="application/x-www-form-urlencoded"
    )
    assert_page(urlencoded, 413, "too large")
    assert tickets() == before


def test_page_forms_with_long_fields_show_form_errors(db):
    before = tickets()
    long = "x" * 100_000
    response = page().post("/help/", help_request(subject=long, message=long, name=long))
    assert response.status_code == 200
    assert "Ensure this value has at most" in response.content.decode()
    assert tickets() == before


def test_page_uploads_keep_working(db):
    """A help request with an attachment: multipart with a file passes the guard."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    buffer.name = "proof.png"
    buffer.seek(0)
    response = page().post("/help/", {**help_request(), "attachment": buffer})
    assert response.status_code == 200, response.content[:300]
    assert "Thank you for your message" in response.content.decode()


def test_pages_take_long_and_odd_query_values_without_a_server_error(db):
    """Page numbers, years, months, locations and searches far too long or not numbers at all."""
    from tests.support.billing_data import billing_customer
    from tests.support.web import logged_in, make_resident

    data = billing_customer()
    make_resident(data)
    client = logged_in(data)
    client.raise_request_exception = False
    long_number, long_text = "9" * 5000, "x" * 100_000
    paths = [
        f"/invoices/?page={long_number}",
        "/invoices/?page=-1",
        f"/statements/?page={long_text}",
        f"/transactions/?page={long_number}&page=2",
        f"/documents/?page={long_text}",
        f"/tickets/?page={long_number}",
        f"/consumption/?year={long_number}&month={long_text}&locations={long_number}&service={long_text}",
        "/consumption/?year=-5&month=13&compare=1&locations=x&locations=1",
        f"/faq/?q={long_text}",
        f"/move-in/?q={long_text}",
        f"/login/?next={long_text}",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 400, 404), (path[:80], response.status_code)
