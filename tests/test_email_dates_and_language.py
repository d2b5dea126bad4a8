"""Emails give dates in the organisation's formats (the ones the pages use) in the recipient's
language and time zone, and their HTML says which language it is in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.utils import formats, translation
from django_tenants.utils import schema_context

from communications.models import EmailTemplate
from communications.services import queue_email
from tenants.models import Organisation
from tests.support.factories import outbox
from tests.support.moves import complete

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MOVE_OUT_DAY = date(2026, 3, 12)
EXPIRES = datetime(2026, 3, 12, 22, 30, tzinfo=UTC)  # 23:30 in Brussels


def _send(template: str, language: str, context: dict):
    with schema_context("org_noord"):
        return queue_email(
            template=template,
            to="resident@example.test",
            language=language,
            organisation=Organisation.objects.get(slug="noord"),
            context=context,
        )


def _page_format(value, name: str, language: str) -> str:
    """How the portal's pages show the same value to a visitor in ``language``."""
    with translation.override(language):
        return formats.date_format(value, name)


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_the_html_says_the_emails_language(db, language):
    email = _send("password_changed", language, {})
    assert email.body_html.startswith(f'<!doctype html>\n<html lang="{language}">')


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_a_day_is_written_as_on_the_pages_and_the_html_is_in_the_emails_language(db, language):
    email = _send(
        "move_out_scheduled",
        language,
        {
            "customer_name": "Ann",
            "address": "Main street 1",
            "move_out_date": MOVE_OUT_DAY,
            "reference": "MO-1",
        },
    )
    day = _page_format(MOVE_OUT_DAY, "SHORT_DATE_FORMAT", language)
    assert day == "12/03/2026"  # Belgian conventions in every language
    assert day in email.body_text
    assert day in email.body_html
    assert not ISO_DATE.search(email.body_text + email.body_html)
    assert f'<html lang="{language}">' in email.body_html


@pytest.mark.parametrize("language", ["nl", "fr"])
def test_a_moment_is_written_as_on_the_pages_in_the_organisations_time_zone(db, language):
    email = _send("password_reset", language, {"reset_url": "https://x.test/reset", "expires_at": EXPIRES})
    with schema_context("org_noord"):
        zone = Organisation.objects.get(slug="noord").zone
    moment = _page_format(EXPIRES.astimezone(zone), "SHORT_DATETIME_FORMAT", language)
    assert moment == "12/03/2026 23:30"
    assert moment in email.body_text
    assert moment in email.body_html
    assert f'<html lang="{language}">' in email.body_html


def test_the_organisations_own_wording_gets_the_same_dates_and_language(db):
    with schema_context("org_noord"):
        EmailTemplate.objects.create(
            template="move_out_scheduled",
            language="fr",
            subject="Départ le {{ move_out_date }}",
            body_text="Le {{ move_out_date }} ({{ move_out_date|date:'SHORT_DATE_FORMAT' }})",
            body_html="<p>Le {{ move_out_date }}</p>",
        )
    email = _send(
        "move_out_scheduled",
        "fr",
        {"customer_name": "Ann", "address": "Rue 1", "move_out_date": MOVE_OUT_DAY, "reference": "MO-1"},
    )
    assert email.subject == "Départ le 12/03/2026"
    assert email.body_text.strip() == "Le 12/03/2026 (12/03/2026)"
    assert "<p>Le 12/03/2026</p>" in email.body_html
    assert '<html lang="fr">' in email.body_html


def test_the_move_in_confirmation_has_no_iso_date(site):
    """The move-in's day was passed on as the ISO text of the draft."""
    key = complete(site)
    assert site["client"].post(f"/api/moves/move-in/{key}/submit/").status_code == 201
    [email] = outbox("org_noord", "nina@example.test", "move_in_submitted")
    with schema_context("org_noord"):
        from moves.models import MoveInRequest

        day = MoveInRequest.objects.get(email="nina@example.test").move_in_date
    assert email.language == "nl"
    assert _page_format(day, "SHORT_DATE_FORMAT", "nl") in email.body_text
    assert not ISO_DATE.search(email.body_text + email.body_html)
    assert '<html lang="nl">' in email.body_html
