"""An organisation's own email wording wins over the defaults; it cannot reach beyond its variables."""

from __future__ import annotations

import logging
from pathlib import Path

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
    # Sanitised as sent, like every staff link: the link stays, with the allow-list's rel.
    assert (
        '<a href="http://portal.noord.test:8000/reset-password/abc.def" rel="noopener noreferrer nofollow">hier</a>'
        in dutch.body_html
    )
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


# -- the catalogue: every email staff can customise ------------------------------------------------

EMAILS_DIR = Path(__file__).resolve().parent.parent / "communications" / "templates" / "emails"


def test_every_email_sent_is_in_the_catalogue_with_its_shipped_wording():
    """The defaults live in one place, and every one of them is in the list staff customise from.

    No other app ships ``emails/`` templates, so an email that is sent at all is in the catalogue."""
    from django.apps import apps

    from communications.catalogue import CATALOGUE

    shipped = {path.name for path in EMAILS_DIR.iterdir() if path.is_dir()}
    assert shipped == set(CATALOGUE)
    for key in CATALOGUE:
        assert {p.name for p in (EMAILS_DIR / key).iterdir()} >= {"subject.txt", "body.txt", "body.html"}, key
    elsewhere = [
        str(Path(app.path) / "templates" / "emails")
        for app in apps.get_app_configs()
        if app.name != "communications" and (Path(app.path) / "templates" / "emails").exists()
    ]
    assert elsewhere == []
    assert {"move_in_approved", "move_out_scheduled", "ticket_closed", "ticket_reply"} <= set(CATALOGUE)


def test_the_configuration_lists_the_move_and_ticket_emails_with_their_variables(noord_client):
    from tests.support.configuration import as_staff

    staff = as_staff(noord_client)
    listing = {row["key"]: row for row in staff.get("/api/admin/configuration/emails/").json()}
    assert listing["move_in_approved"]["variables"] == [
        "customer_name",
        "address",
        "move_in_date",
        "contract_number",
        "reference",
        "unsubscribe_url",  # a move update: a resident with a portal account may turn it off
    ]
    assert "unsubscribe_url" not in listing["move_in_resume"]["variables"]  # always sent
    assert listing["move_out_scheduled"]["label"] == "Move-out confirmed for a day still to come"
    assert "reason" in listing["move_out_cancelled"]["variables"]
    assert {"can_reply", "ticket_url", "help_url"} <= set(listing["ticket_closed"]["variables"])
    assert {"can_reply", "ticket_url", "help_url", "closed"} <= set(listing["ticket_answered"]["variables"])
    assert "admin_url" in listing["ticket_reply"]["variables"]
    assert listing["email_change_address_in_use"]["variables"] == ["new_email"]
    assert "identity_kept" in listing["account_reset"]["variables"]

    url = listing["ticket_closed"]["templates"]["nl"]["url"]
    default = staff.get(url.removeprefix("http://portal.noord.test")).json()
    assert default["customised"] is False
    assert "{{ reference }}" in default["subject"]
    saved = staff.put(
        url.removeprefix("http://portal.noord.test"),
        {"subject": "Vraag {{ reference }} afgesloten", "body_text": "Dag {{ name }}, {{ help_url }}"},
        format="json",
    )
    assert (saved.status_code, saved.json()["warnings"]) == (200, [])  # every variable is known
    with schema_context("org_noord"):
        organisation = Organisation.objects.get(slug="noord")
        email = queue_email(
            template="ticket_closed",
            to="guest@example.test",
            language="nl",
            organisation=organisation,
            context={"reference": "T-1", "name": "Guest", "help_url": "https://x.test/help/"},
        )
    assert (email.subject, email.body_text.strip()) == (
        "Vraag T-1 afgesloten",
        "Dag Guest, https://x.test/help/",
    )


def test_a_refused_email_is_logged_without_the_address(db, settings):
    """The relay's refusal names the recipient; the log only has the email's id and the SMTP code."""
    from aiosmtpd.controller import Controller

    from communications.services import deliver
    from tests.support.common import free_port

    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return f"550 5.1.1 <{address}>: no such user"

    class Records(logging.Handler):
        def __init__(self):
            super().__init__(level=logging.DEBUG)
            self.lines: list[str] = []

        def emit(self, record):
            self.lines.append(record.getMessage())

    controller = Controller(Refusing(), hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    records = Records()
    logger = logging.getLogger("communications.services")
    logger.addHandler(records)
    try:
        with schema_context("org_noord"):
            email = _queue("en")
            assert deliver(email_id=email.pk) == "refused"
            email.refresh_from_db()
    finally:
        logger.removeHandler(records)
        controller.stop()
    assert email.gave_up_at is not None
    assert "no such user" in email.last_error  # kept for the operator, in the database only
    assert records.lines == [f"Email {email.pk} refused permanently (SMTP 550)"]
