"""An organisation's own email wording wins over the defaults; it cannot reach beyond its variables."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from communications.models import EmailTemplate
from communications.rendering import UnsafeTemplate, compile_restricted
from communications.services import queue_email
from tenants.models import Organisation


def _queue(language: str):
    organisation = Organisation.objects.get(slug="noord")
    return queue_email(
        template="password_reset",
        to="someone@example.test",
        language=language,
        organisation=organisation,
        context={
            "reset_url": "http://portal.noord.test:8000/reset-password/abc.def",
            "expires_at": timezone.now(),
        },
    )


def test_organisation_wording_is_used_for_its_language_only(db):
    with schema_context("org_noord"):
        EmailTemplate.objects.create(
            template="password_reset",
            language="nl",
            subject="Nieuw wachtwoord voor {{ organisation_name }}",
            body_text="Klik hier: {{ reset_url }}",
            body_html='<p>Klik <a href="{{ reset_url }}">hier</a> <b>{{ organisation_name }}</b></p>',
        )
        dutch = _queue("nl")
        english = _queue("en")
    assert dutch.subject == "Nieuw wachtwoord voor Warmtenet Noord"
    assert dutch.body_text.strip() == "Klik hier: http://portal.noord.test:8000/reset-password/abc.def"
    assert '<a href="http://portal.noord.test:8000/reset-password/abc.def">hier</a>' in dutch.body_html
    assert "Warmtenet Noord" in dutch.body_html  # the branded frame around it
    assert english.subject == "Reset your password for the Warmtenet Noord portal"


def test_values_are_escaped_in_html(db):
    organisation = Organisation.objects.get(slug="noord")
    with schema_context("org_noord"):
        EmailTemplate.objects.create(
            template="registration_notice",
            language="en",
            subject="Notice",
            body_text="{{ login_email }}",
            body_html="<p>{{ login_email }}</p>",
        )
        email = queue_email(
            template="registration_notice",
            to="a@example.test",
            language="en",
            organisation=organisation,
            context={
                "customer_name": "X",
                "customer_number": "1",
                "login_email": "<script>alert(1)</script>@x.test",
            },
        )
    assert "<script>" not in email.body_html
    assert "&lt;script&gt;" in email.body_html


UNSAFE = [
    '{% include "emails/base.html" %}',
    "{% load static %}{% static 'x' %}",
    "{% debug %}x",
    '{% extends "emails/base.html" %}',
    "{% url 'login' %}",
    "{% csrf_token %}",
    "{% ssi '/etc/passwd' %}",
    "{% if %}",
]


@pytest.mark.parametrize("body", UNSAFE)
def test_unsafe_template_is_refused(body):
    with pytest.raises(UnsafeTemplate):
        compile_restricted(body)


@pytest.mark.parametrize("body", UNSAFE)
def test_a_stored_unsafe_template_falls_back_to_the_default(db, body):
    with schema_context("org_noord"):
        EmailTemplate.objects.create(template="password_changed", language="en", subject="S", body_text=body)
        organisation = Organisation.objects.get(slug="noord")
        email = queue_email(
            template="password_changed", to="a@example.test", language="en", organisation=organisation
        )
    assert email.subject == "Your password was changed"
    assert "sys.modules" not in email.body_text


def test_allowed_constructs_render():
    template = compile_restricted(
        "{% if name %}Hi {{ name|upper }}{% endif %}{% for x in items %}-{{ x }}{% endfor %}{% translate 'Hello,' %}"
    )
    from django.template import Context

    assert template.render(Context({"name": "ann", "items": [1, 2]})) == "Hi ANN-1-2Hello,"
