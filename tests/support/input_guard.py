"""Requests for the input guard tests: sizes, endpoints, staff tokens."""

from __future__ import annotations

import json

from django.test import Client
from django_tenants.utils import schema_context

from support.models import Ticket

NOORD = "portal.noord.test"


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


def staff_token() -> str:
    from accounts.models import User
    from credentials.services import issue_access_token

    with schema_context("org_noord"):
        return issue_access_token(user=User.objects.get(email="admin@noord.test")).raw
