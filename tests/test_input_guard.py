"""Input that must never give a 500 (issue 15): deep JSON, invalid code points, huge bodies.

One request per case, on the API and on the portal's pages. Every refusal is a 4xx in the shape of
its side (the JSON error shape on the API, the portal's branded page elsewhere) and writes nothing.
The sweep over every operation of both OpenAPI documents is tests/test_hostile_input_sweep.py.
"""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from support.models import Ticket

NOORD = "portal.noord.test"
DEEP = "[" * 5000 + "]" * 5000
MEGABYTES = "x" * (3 * 1024 * 1024)


def api(language: str = "en", **extra) -> Client:
    client = Client(**{"HTTP_HOST": NOORD, "HTTP_ACCEPT_LANGUAGE": language, **extra})
    client.raise_request_exception = False  # a 500 must show as a 500, not as a test error
    return client


def post_json(client: Client, path: str, body, **extra):
    raw = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(path, raw, content_type="application/json", **extra)


def tickets() -> int:
    with schema_context("org_noord"):
        return Ticket.objects.count()


def help_request(**changes) -> dict:
    return {
        "kind": "question",
        "subject": "Heating",
        "message": "Cold",
        "name": "Ann",
        "email": "a@b.test",
        **changes,
    }


def assert_refused(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json", response["Content-Type"]
    body = response.json()
    assert body["code"] == code, body
    assert isinstance(body.get("detail", ""), str), body
    return body


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
    from config.errors import RequestRefused
    from config.parsers import load_json

    json.loads(body)  # every case is valid JSON
    if refused:
        with pytest.raises(RequestRefused, match="nested"):
            load_json(body.encode())
    else:
        assert load_json(body.encode()) == json.loads(body)


def test_escaped_backslashes_before_u_are_text_not_escapes():
    from config.parsers import load_json

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


def staff_token() -> str:
    from accounts.models import User
    from credentials.services import issue_access_token

    with schema_context("org_noord"):
        return issue_access_token(user=User.objects.get(email="admin@noord.test")).raw


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


# -- the portal's pages ------------------------------------------------------------------------------
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


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_platform"])
def test_every_api_view_reads_forms_with_the_checking_parsers(urlconf):
    """JSON is read by the input guard before any parser; a view that takes another media type must
    read it with config.parsers (strict UTF-8, every field checked), not with DRF's own."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from config import parsers

    def views(patterns):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from views(pattern.url_patterns)
            elif isinstance(pattern, URLPattern) and hasattr(pattern.callback, "cls"):
                yield pattern.callback.cls

    found = {view for view in views(get_resolver(urlconf).url_patterns)}
    assert len(found) > 10
    unchecked = sorted(
        f"{view.__module__}.{view.__name__}: {type(parser).__name__}"
        for view in found
        for parser in view().get_parsers()
        if parser.media_type != "application/json" and not isinstance(parser, parsers.MultiPartParser)
    )
    assert unchecked == []
    if urlconf == "config.urls_tenant":  # the operator API takes no file
        uploads = [v for v in found if any(p.media_type.startswith("multipart/") for p in v().get_parsers())]
        assert uploads, "no view takes a file: the check above proves nothing"


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        (
            "post",
            "/api/admin/configuration/messages/",
            {"page": "home", "bodies": {"en": "<p>x</p>"}},
            "bodies",
        ),
        (
            "put",
            "/api/admin/configuration/emails/password_reset/en/",
            {"subject": "Reset", "body_text": "{{ link }}", "body_html": ""},
            "body_text",
        ),
        (
            "put",
            "/api/admin/configuration/emails/password_reset/en/",
            {"subject": "Reset", "body_text": "{{ link }}", "body_html": "<p>x</p>"},
            "body_html",
        ),
    ],
)
def test_staff_texts_have_a_maximum_length_under_the_body_limit(db, method, path, body, field):
    """The last texts the documents offered without a maximum: a 2 MB message is refused, not stored."""
    from communications.models import EmailTemplate
    from configuration.models import PageMessage

    long = "<p>" + "x" * 2_000_000 + "</p>"
    body = {**body, "bodies": {"en": long}} if field == "bodies" else {**body, field: long + "{{ link }}"}
    client = api(HTTP_AUTHORIZATION=f"Token {staff_token()}")
    with schema_context("org_noord"):
        before = (PageMessage.objects.count(), EmailTemplate.objects.count())
    response = getattr(client, method)(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 400, response.content[:300]
    assert field in response.json(), response.json()
    with schema_context("org_noord"):
        assert (PageMessage.objects.count(), EmailTemplate.objects.count()) == before


def _unbounded_strings(document: dict, schema: dict, place: str, decimals: set, found: set, seen=()) -> None:
    """Every string in ``schema`` (a request body) that the document gives no maximum length."""
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return
        seen = (*seen, name)
        schema = document["components"]["schemas"][name]
    for combined in ("allOf", "oneOf", "anyOf"):
        for option in schema.get(combined, []):
            _unbounded_strings(document, option, place, decimals, found, seen)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        model = seen[-1] if seen else ""
        for name, sub in schema.get("properties", {}).items():
            if not sub.get("readOnly") and (model, name) not in decimals:
                _unbounded_strings(document, sub, f"{place}.{name}", decimals, found, seen)
        if isinstance(schema.get("additionalProperties"), dict):
            _unbounded_strings(document, schema["additionalProperties"], f"{place}.*", decimals, found, seen)
    elif kind == "array":
        _unbounded_strings(document, schema.get("items", {}), f"{place}[]", decimals, found, seen)
    elif kind == "string" and not (
        "maxLength" in schema
        or "enum" in schema
        or "pattern" in schema
        or schema.get("format") in ("date", "date-time", "binary", "decimal", "uuid")
    ):
        found.add(place)


@pytest.mark.parametrize("host", [NOORD, "platform.localhost"])
def test_every_string_a_request_body_takes_has_a_maximum_length(db, host):
    """No field can carry megabytes into a table: each string a body takes has its maximum (the
    meter-reading CSV bodies have the request's own limit; the import's amounts are numbers, bounded
    by their digits)."""
    from pydantic import BaseModel

    from integration import schemas

    decimals = {
        (model.__name__, name)
        for model in vars(schemas).values()
        if isinstance(model, type) and issubclass(model, BaseModel)
        for name, info in model.model_fields.items()
        if "Decimal" in str(info.annotation)
    }
    document = Client(HTTP_HOST=host).get("/api/schema/?format=json").json()
    found: set[str] = set()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            for media, content in operation.get("requestBody", {}).get("content", {}).items():
                if media != "text/csv":
                    _unbounded_strings(
                        document, content["schema"], f"{method.upper()} {path}", decimals, found
                    )
    assert sorted(found) == [], "\n".join(sorted(found))


def test_an_email_address_longer_than_its_column_is_a_field_error(db):
    """309 characters pass Django's email validator (it allows 320) but not the 254 of the column:
    that was a DataError, a 500, on the help form and the move-in."""
    from django.core.validators import validate_email

    address = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".test"
    validate_email(address)
    before = tickets()
    response = post_json(api(), "/api/support/tickets/", help_request(email=address))
    assert_refused(response, 400, "invalid")
    assert "email" in response.json()
    assert tickets() == before
    key = post_json(api(), "/api/moves/move-in/", {}).json()["key"]
    step = {"email": address, "phone": "+32 470 11 22 33", "language": "en"}
    response = api().put(
        f"/api/moves/move-in/{key}/steps/4/", json.dumps(step), content_type="application/json"
    )
    assert response.status_code == 400, response.content[:300]
    assert "email" in response.json()


def test_pages_take_long_and_odd_query_values_without_a_server_error(db):
    """Page numbers, years, months, locations and searches far too long or not numbers at all."""
    from tests.billing_data import billing_customer
    from tests.test_web_pages import logged_in, make_resident

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
