"""Staff's rich text is sanitised in the form a resident receives it.

Emails: the organisation's wording is sanitised after the template language filled it in, so a
link built by a variable, a filter, a condition, a loop or a translation tag cannot carry a script.
Page messages and FAQ answers: sanitised when they are shown (API and pages), so rows saved under
an older rule are safe too. Ticket answers are plain text everywhere.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

import pytest
from django_tenants.utils import schema_context

from communications.models import EmailTemplate
from communications.services import queue_email
from configuration.models import PageMessage
from customers.models import Customer
from support.models import FaqCategory, FaqEntry
from support.services import answer_ticket, open_ticket
from tenants.models import Organisation
from tests.support.configuration import as_staff
from tests.support.organisations import login
from tests.support.web import PASSWORD, logged_in

SAFE_SCHEMES = ("http:", "https:", "mailto:", "tel:")
ACTIVE_TAGS = {"script", "img", "iframe", "object", "embed", "style", "svg", "math", "form", "input", "base"}


class _Active(HTMLParser):
    """Everything in a document that could run or load something: what a resident must never get."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag} {name}")
            if name in {"href", "src", "action", "formaction"} and value:
                scheme = re.sub(r"[\s\x00-\x1f]", "", html.unescape(value)).lower()
                if ":" in scheme.split("/")[0] and not scheme.startswith(SAFE_SCHEMES):
                    self.found.append(f"{tag} {name}={value}")


def active_content(document: str) -> list[str]:
    parser = _Active()
    parser.feed(document)
    return parser.found


def _noord() -> Organisation:
    return Organisation.objects.get(slug="noord")


def _email(body_html: str, context: dict | None = None, *, body_text: str = "Text", template="account_reset"):
    """An email sent with the organisation's wording stored as it is (as an older rule let it be saved)."""
    with schema_context("org_noord"):
        EmailTemplate.objects.update_or_create(
            template=template,
            language="en",
            defaults={"subject": "Subject", "body_text": body_text, "body_html": body_html},
        )
        return queue_email(
            template=template,
            to="resident@example.test",
            language="en",
            organisation=_noord(),
            context={
                "customer_name": "Ann",
                "register_url": "https://portal.noord.test/register",
                **(context or {}),
            },
        )


# Each builds a script link, or other active markup, only when the template language runs.
BUILT_BY_THE_TEMPLATE = {
    "variable set with with": '{% with u="javascript:alert(1)" %}<a href="{{ u }}">pay</a>{% endwith %}',
    "string literal in an attribute": "<a href=\"{{ 'javascript:alert(1)' }}\">pay</a>",
    "string literal holding a link": "{{ '<a href=\"javascript:alert(1)\">pay</a>' }}",
    "add filter": "<a href=\"{{ 'java'|add:'script:alert(1)' }}\">pay</a>",
    "default filter": "<a href=\"{{ nothing|default:'javascript:alert(1)' }}\">pay</a>",
    "lower filter": "<a href=\"{{ 'JAVASCRIPT:alert(1)'|lower }}\">pay</a>",
    "safe filter on a literal": "{{ '<img src=x onerror=alert(1)>'|safe }}pay",
    "condition splitting the scheme": '<a href="java{% if customer_name %}script{% endif %}:alert(1)">pay</a>',
    "condition around the link": '{% if customer_name %}<a href="javascript:alert(1)">pay</a>{% endif %}',
    "loop": '{% for x in "ab" %}<a href="javascript:alert(\'{{ x }}\')">pay</a>{% endfor %}',
    "translate tag": "{% translate '<a href=\"javascript:alert(1)\">pay</a>' %}",
    "blocktranslate tag": '{% blocktranslate %}<a href="javascript:alert(1)">pay</a>{% endblocktranslate %}',
    "tags put together": "<{{ 'script' }}>alert(1)</{{ 'script' }}>{{ '<iframe src=x></iframe>' }}pay",
    "data URL": "<a href=\"{{ 'data:text/html;base64,PHNjcmlwdD4=' }}\">pay</a>",
    "vbscript": "<a href=\"{{ 'vbscript:msgbox(1)' }}\">pay</a>",
    "event handler": "<p {{ 'onclick' }}=\"alert(1)\">pay</p>",
}


@pytest.mark.parametrize("body", BUILT_BY_THE_TEMPLATE.values(), ids=BUILT_BY_THE_TEMPLATE.keys())
def test_markup_built_by_the_template_language_is_sanitised_in_the_email(db, body):
    email = _email(body)
    assert active_content(email.body_html) == [], email.body_html
    assert "pay" in email.body_html  # the wording stays, only what is active goes


def test_links_built_in_a_template_saved_by_staff_are_neutralised_when_sent(noord_client):
    """The template is accepted at save (its source holds no script link) and cleaned when sent."""
    staff = as_staff(noord_client)
    body = '{% with u="javascript:alert(1)" %}<p><a href="{{ u }}">pay</a> <a href="{{ register_url }}">register</a></p>{% endwith %}'
    saved = staff.put(
        "/api/admin/configuration/emails/account_reset/en/",
        {"subject": "Reset", "body_text": "Text {{ register_url }}", "body_html": body},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    with schema_context("org_noord"):
        email = queue_email(
            template="account_reset",
            to="resident@example.test",
            language="en",
            organisation=_noord(),
            context={"customer_name": "Ann", "register_url": "https://portal.noord.test/register"},
        )
    assert active_content(email.body_html) == []
    assert 'href="https://portal.noord.test/register"' in email.body_html  # good links are kept


def test_an_include_is_refused_at_save_and_never_rendered(noord_client):
    staff = as_staff(noord_client)
    refused = staff.put(
        "/api/admin/configuration/emails/account_reset/en/",
        {"subject": "Reset", "body_text": "Text", "body_html": '<p>{% include "emails/base.html" %}</p>'},
        format="json",
    )
    assert refused.status_code == 400
    assert "body_html" in str(refused.json())
    email = _email('<p>{% include "emails/button.html" with url="javascript:alert(1)" label="pay" %}</p>')
    assert active_content(email.body_html) == []
    assert email.subject != "Subject"  # the shipped wording, not the unusable one


NAME_WITH_MARKUP = '<a href="javascript:alert(1)">Ann</a><img src=x onerror=alert(1)><b>bold</b>'


@pytest.mark.parametrize(
    "body",
    [
        "<p>Dear {{ customer_name }},</p>",
        "<p>Dear {{ customer_name|safe }},</p>",
        "<p>{% with name=customer_name|safe %}Dear {{ name }},{% endwith %}</p>",
        '<p>Dear {{ customer_name|safeseq|join:"" }},</p>',
        "<p>{% blocktranslate %}Dear {{ customer_name }},{% endblocktranslate %}</p>",
    ],
)
def test_values_from_the_context_are_text_even_when_a_template_marks_them_safe(db, body):
    email = _email(body, {"customer_name": NAME_WITH_MARKUP})
    assert active_content(email.body_html) == []
    assert "<b>bold</b>" not in email.body_html
    assert "&lt;b&gt;bold&lt;/b&gt;" in email.body_html  # shown as the text it is


def test_the_html_made_from_the_text_version_carries_no_markup(db):
    email = _email("", body_text='Hello <a href="javascript:alert(1)">pay</a>\n\nBye')
    assert active_content(email.body_html) == []
    assert "&lt;a href=" in email.body_html
    assert email.body_text.startswith('Hello <a href="javascript:alert(1)">pay</a>')  # plain text, as written


RAW = (
    '<p onclick="x()">Outage <script>alert(1)</script><a href="javascript:alert(1)">more</a>'
    "<img src=x onerror=alert(1)><iframe src=//evil.example></iframe></p>"
)


def test_messages_and_faq_answers_saved_before_a_rule_are_sanitised_when_shown(web_resident, client_for):
    """Rows written straight to the table, as an older rule or an import could have left them."""
    with schema_context("org_noord"):
        PageMessage.objects.create(page="overview", kind="important", bodies={"en": RAW})
        PageMessage.objects.create(page="faq", kind="neutral", bodies={"en": RAW})
        category = FaqCategory.objects.create(names={"en": "Outages"})
        FaqEntry.objects.create(category=category, questions={"en": "Outage?"}, answers={"en": RAW})

    api = client_for("portal.noord.test")
    for page in ("overview", "faq"):
        [message] = api.get(f"/api/portal/site/?page={page}").json()["messages"]
        assert active_content(message["html"]) == [], message["html"]
        assert "Outage" in message["html"]
    [faq_category] = api.get("/api/support/faq/").json()
    answer = faq_category["entries"][0]["answer"]
    assert active_content(answer) == []
    assert "Outage" in answer

    client = logged_in(web_resident)
    for path, expected in (("/overview/", 1), ("/faq/", 2)):
        page = client.get(path).content.decode()
        blocks = re.findall(r'<div class="(?:page-message [a-z]+|answer)"[^>]*>(.*?)</div>', page, re.S)
        assert len(blocks) == expected, path
        for block in blocks:
            assert "Outage" in block
            assert active_content(block) == [], (path, block)
        assert "<img src=x" not in page
        assert '<img src="x"' not in page


def test_a_staff_answer_is_text_on_the_page_in_the_api_and_in_the_email(web_resident, client_for):
    answer = '<a href="javascript:alert(1)">click</a> <b>now</b>'
    with schema_context("org_noord"):
        EmailTemplate.objects.create(
            template="ticket_answered",
            language="en",
            subject="Answer",
            body_text="{{ message }}",
            body_html="<p>{{ message|safe }}</p><p>{{ message }}</p>",
        )
        customer = Customer.objects.get(customer_number=web_resident["number"])
        ticket = open_ticket(
            organisation=_noord(),
            kind="question",
            subject="Help",
            message="Question",
            language="en",
            customer=customer,
        )
        answer_ticket(ticket=ticket, organisation=_noord(), staff_user=None, message=answer)
        from communications.models import OutboundEmail

        email = OutboundEmail.objects.get(template="ticket_answered", to=ticket.email)
    assert active_content(email.body_html) == []
    assert "&lt;b&gt;now&lt;/b&gt;" in email.body_html

    page = logged_in(web_resident).get(f"/tickets/{ticket.pk}/").content.decode()
    [conversation] = re.findall(r'<ol class="conversation">(.*?)</ol>', page, re.S)
    assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;click&lt;/a&gt;" in conversation
    assert active_content(conversation) == []

    api = client_for("portal.noord.test")
    api.credentials(HTTP_AUTHORIZATION=f"Token {login(api, web_resident['email'], PASSWORD)['key']}")
    body = api.get(f"/api/portal/tickets/{ticket.pk}/").json()
    assert body["messages"][-1]["body"] == answer  # plain text in JSON: clients show it as text
