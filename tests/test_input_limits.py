"""No field of any API body can carry megabytes or characters past the checks (issue 15).

Every string a request body of either OpenAPI document takes has a maximum length; every view that
reads a media type other than JSON reads it with the checking parser (core.parsers).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from tests.support.input_guard import (
    NOORD,
    api,
    assert_refused,
    help_request,
    post_json,
    staff_token,
    tickets,
)


@pytest.mark.parametrize("urlconf", ["config.urls_tenant", "config.urls_platform"])
def test_every_api_view_reads_forms_with_the_checking_parsers(urlconf):
    """JSON is read by the input guard before any parser; a view that takes another media type must
    read it with core.parsers (strict UTF-8, every field checked), not with DRF's own."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from core import parsers

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
