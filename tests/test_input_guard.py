"""Input that must never give a 500 (issue 15): deep JSON, invalid code points, huge bodies.

One request per case, on the API (the pages: tests/test_input_guard_pages.py; maximum lengths and
parsers: tests/test_input_limits.py). Every refusal is a 4xx in the JSON error shape and writes
nothing. The sweep over every operation of both OpenAPI documents is tests/test_hostile_input_sweep.py.
"""

from __future__ import annotations

import json

import pytest
from django_tenants.utils import schema_context

from support.models import Ticket
from tests.support.input_guard import (
    MEGABYTES,
    api,
    assert_refused,
    help_request,
    post_json,
    staff_token,
    tickets,
)

DEEP = "[" * 5000 + "]" * 5000


# -- deeply nested JSON ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path", ["/api/support/tickets/", "/api/auth/login/", "/api/moves/move-in/", "/api/auth/registration/"]
)
def test_deeply_nested_json_is_a_parse_error(db, path):
    before = tickets()
    body = assert_refused(post_json(api(), path, DEEP), 400, "parse_error")
    assert "nested" in body["detail"]
    assert tickets() == before


def test_json_nested_within_the_limit_is_read_as_usual(db):
    """The limit is about depth, not about JSON: a normal help request still goes through."""
    response = post_json(api(), "/api/support/tickets/", help_request())
    assert response.status_code == 201, response.content


def test_deeply_nested_json_on_the_bulk_import_endpoints(db):
    """The billing import and the readings ingestion read their own (large) bodies: same rule."""
    from integration.services import create_integration_token
    from tenants.models import Organisation

    with schema_context("org_noord"):
        token = create_integration_token(organisation=Organisation.objects.get(slug="noord"), name="bulk").raw
    client = api(HTTP_AUTHORIZATION=f"Token {token}")
    for path in ("/api/integration/import/", "/api/integration/readings/"):
        body = assert_refused(post_json(client, path, DEEP), 400, "parse_error")
        assert "nested" in body["detail"]
    deep_field = '{"customers": [' + "[" * 3000 + "]" * 3000 + "]}"
    assert_refused(post_json(client, "/api/integration/import/", deep_field), 400, "parse_error")


@pytest.mark.parametrize(
    ("body", "refused"),
    [
        ("[" * 32 + "]" * 32, False),  # exactly the limit
        ("[" * 33 + "]" * 33, True),
        ('{"a": ' * 33 + "1" + "}" * 33, True),
        ('{"a": "' + "[" * 100 + '"}', False),  # brackets in a string are text
        ('[["\\\\", "\\"[[[[", ' + "[" * 30 + "]" * 30 + "]]", False),  # escaped quotes, backslashes
        ('[["\\\\", "\\"[[[[", ' + "[" * 31 + "]" * 31 + "]]", True),
        ('[{"a": [], "b": {}}, "", "", "[", "]"]', False),
    ],
)
def test_json_depth_is_counted_outside_strings(body, refused):
    """The depth check reads brackets on the raw body (it must be cheap for 200 MB imports)."""
    from core.errors import RequestRefused
    from core.parsers import load_json

    json.loads(body)  # every case is valid JSON
    if refused:
        with pytest.raises(RequestRefused, match="nested"):
            load_json(body.encode())
    else:
        assert load_json(body.encode()) == json.loads(body)


def test_escaped_backslashes_before_u_are_text_not_escapes():
    from core.parsers import load_json

    assert load_json(b'{"a": "\\\\u0000 and \\\\ud800"}') == {"a": "\\u0000 and \\ud800"}


def test_a_readings_body_in_another_shape_is_refused_not_taken_as_empty(db):
    """{"reading": [...]} (a typo) or any other key used to be an empty batch: 200, nothing stored."""
    from integration.services import create_integration_token
    from tenants.models import Organisation

    with schema_context("org_noord"):
        token = create_integration_token(organisation=Organisation.objects.get(slug="noord"), name="bulk").raw
    client = api(HTTP_AUTHORIZATION=f"Token {token}")
    for body in ({"reading": []}, {"readings": [], "extra": 1}, {"en": "x"}):
        response = post_json(client, "/api/integration/readings/", body)
        assert_refused(response, 400, "parse_error")
    assert post_json(client, "/api/integration/readings/", {"readings": []}).status_code == 200
    assert post_json(client, "/api/integration/readings/", []).status_code == 200


# -- invalid code points in body fields ------------------------------------------------------------
@pytest.mark.parametrize(
    ("escaped", "shown"),
    [
        ("\\ud800", "U+D800"),
        ("\\udfff", "U+DFFF"),
        ("\\u0000", "U+0000"),
        ("\\uffff", "U+FFFF"),
        ("\\ufdd0", "U+FDD0"),
        ("\\u0007", "U+0007"),
        ("\\ud83f\\udffe", "U+1FFFE"),
    ],
)
def test_invalid_code_points_in_a_json_field_are_refused_with_the_field_named(db, escaped, shown):
    before = tickets()
    raw = json.dumps(help_request(subject="PLACEHOLDER")).replace("PLACEHOLDER", f"Cold{escaped}room")
    body = assert_refused(post_json(api(), "/api/support/tickets/", raw), 400, "invalid_characters")
    assert shown in body["subject"][0], body
    assert tickets() == before


def test_invalid_code_points_in_nested_fields_and_keys_are_found(db):
    raw = '{"kind": "question", "subject": "s", "message": "m", "extra": [{"a": "ok"}, {"b\\u0000": "x", "c": "\\ud800"}]}'
    body = assert_refused(post_json(api(), "/api/support/tickets/", raw), 400, "invalid_characters")
    assert set(body["extra"]) == {"1"}, body
    assert set(body["extra"]["1"]) == {"b\ufffd", "c"}, body  # a bad key is named with U+FFFD in its place


def test_an_unpaired_surrogate_in_the_login_address_is_a_clear_400(db):
    """Today a UnicodeEncodeError in the login throttle's key (a 500)."""
    response = post_json(api(), "/api/auth/login/", '{"email": "ann\\ud800@example.test", "password": "x"}')
    body = assert_refused(response, 400, "invalid_characters")
    assert "U+D800" in body["email"][0]


def test_paired_surrogates_are_one_ordinary_character(db):
    """A JSON escape pair is one emoji, which is allowed."""
    raw = json.dumps(help_request()).replace('"Cold"', '"Cold \\ud83d\\ude00"')
    response = post_json(api(), "/api/support/tickets/", raw)
    assert response.status_code == 201, response.content
    with schema_context("org_noord"):
        assert (
            Ticket.objects.get(reference=response.json()["reference"]).messages.get().body
            == "Cold \U0001f600"
        )


def test_json_that_is_not_utf_8_is_refused(db):
    raw = json.dumps(help_request(subject="Caf\u00e9"), ensure_ascii=False).encode("latin-1")
    assert_refused(post_json(api(), "/api/support/tickets/", raw), 400, "invalid_characters")


def test_invalid_code_points_in_form_and_multipart_bodies(db):
    before = tickets()
    client = api()
    # A surrogate as its (invalid) UTF-8 bytes in a form body, and NUL in a multipart field.
    form = client.post(
        "/api/support/tickets/",
        b"kind=question&subject=%ED%A0%80&message=m&email=a%40b.test",
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused(form, 400, "invalid_characters")
    multipart = client.post("/api/support/tickets/", help_request(message="a\x00b"))
    body = assert_refused(multipart, 400, "invalid_characters")
    assert "U+0000" in body["message"][0]
    boundary = "BoUnDaRy"
    raw = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nquestion\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.test\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="message"\r\n\r\nm\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="subject"\r\n\r\n'
        ).encode()
        + b"\xed\xa0\x80\r\n"
        + f"--{boundary}--\r\n".encode()
    )
    surrogate = client.post(
        "/api/support/tickets/", raw, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert_refused(surrogate, 400, "invalid_characters")
    assert tickets() == before


# -- query strings, paths, headers -----------------------------------------------------------------
@pytest.mark.parametrize("value", ["%00", "%ED%A0%80", "%EF%BF%BF", "%EF%B7%90", "%01", "%C3"])
def test_invalid_code_points_in_query_parameters(db, value):
    body = assert_refused(api().get(f"/api/portal/site/?page={value}"), 400, "invalid_characters")
    assert "page" in body, body
    assert_refused(api().get(f"/api/moves/locations/?q=Main{value}"), 400, "invalid_characters")


@pytest.mark.parametrize("value", ["%00", "%ED%A0%80", "%EF%BF%BE", "%1F"])
def test_invalid_code_points_in_path_parameters(db, value):
    assert_refused(api().get(f"/api/moves/move-in/abc{value}def/"), 400, "invalid_characters")
    assert_refused(api().get(f"/api/auth/invitations/abc{value}/"), 400, "invalid_characters")


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("HTTP_AUTHORIZATION", "Token abc\x00def.ghi"),  # today: PostgreSQL refuses the NUL (a 500)
        ("HTTP_AUTHORIZATION", "Token abc\ud800.ghi"),  # today: a UnicodeEncodeError (a 500)
        ("HTTP_ACCEPT_LANGUAGE", "en\x01"),
        ("HTTP_X_ANYTHING", "\xef\xbf\xbf"),  # the UTF-8 bytes of U+FFFF, as a server passes them on
        ("HTTP_USER_AGENT", "probe\xed\xa0\x80"),  # a surrogate's (invalid) UTF-8 bytes
    ],
)
def test_invalid_code_points_in_header_values(db, header, value):
    body = assert_refused(api(**{header: value}).get("/api/portal/me/"), 400, "invalid_characters")
    assert "header" in body["detail"]


def test_ordinary_text_passes_the_guard(db):
    """Accents, emoji, tabs and new lines in bodies, a UTF-8 query, an encoded space in a path."""
    response = post_json(api(), "/api/support/tickets/", help_request(message="Caf\u00e9 \U0001f600\n\ttab"))
    assert response.status_code == 201, response.content
    assert api().get("/api/moves/locations/?q=Caf%C3%A9").status_code == 200
    assert api().get("/api/moves/move-in/abc%20def/").status_code == 404  # no such draft: not refused
    response = api(HTTP_AUTHORIZATION=f"Token {staff_token()}", HTTP_USER_AGENT="Caf\u00c3\u00a9/1.0").get(
        "/api/auth/me/"
    )
    assert response.status_code == 200  # "Café" as UTF-8 bytes in a header is fine


# -- sizes -----------------------------------------------------------------------------------------
def test_a_body_of_megabytes_is_413_before_it_is_read(db):
    before = tickets()
    response = post_json(api(), "/api/support/tickets/", help_request(message=MEGABYTES))
    assert_refused(response, 413, "request_too_large")
    form = api().post("/api/support/tickets/", help_request(message=MEGABYTES))  # multipart, no file
    assert_refused(form, 413, "request_too_large")
    assert tickets() == before


def test_the_declared_length_counts_not_what_arrives(db):
    """A Content-Length beyond the limit is refused without reading a byte."""
    response = api().post(
        "/api/support/tickets/", "{}", content_type="application/json", CONTENT_LENGTH=str(300 * 1024 * 1024)
    )
    assert_refused(response, 413, "request_too_large")


def test_bulk_endpoints_keep_their_own_larger_limit(db):
    from integration.services import create_integration_token
    from tenants.models import Organisation

    with schema_context("org_noord"):
        token = create_integration_token(organisation=Organisation.objects.get(slug="noord"), name="bulk").raw
    client = api(HTTP_AUTHORIZATION=f"Token {token}")
    names = [
        {"external_id": f"c{n}", "customer_number": f"n{n}", "last_name": "x" * 1000} for n in range(3000)
    ]
    response = post_json(client, "/api/integration/import/", {"customers": names})  # about 3.4 MB
    assert response.status_code == 200, response.content[:300]
    huge = client.post(
        "/api/integration/import/",
        "{}",
        content_type="application/json",
        CONTENT_LENGTH=str(201 * 1024 * 1024),
    )
    body = assert_refused(huge, 413, "request_too_large")
    assert "200" in body["detail"]


def test_long_strings_under_the_body_limit_get_field_errors(db):
    before = tickets()
    long = "x" * 100_000
    response = post_json(api(), "/api/support/tickets/", help_request(subject=long, name=long, message=long))
    body = assert_refused(response, 400, "invalid")
    assert {"subject", "name", "message"} <= set(body)
    assert tickets() == before
