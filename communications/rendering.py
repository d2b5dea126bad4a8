"""Rendering an email in the recipient's language, with the sender's branding and wording.

The organisation's own wording (``EmailTemplate``) wins over the default templates shipped with
the code. Organisation templates are rendered by a restricted template engine: no template loading,
no custom tags, only plain values in the context, no ``safe`` filter; what it renders is sanitised
with the rich-text allow-list before it goes into the layout, so markup the template language
builds (a link put together by a variable, a filter or a condition) is cleaned as it is sent.
Dates are date objects, written in the organisation's formats in the recipient's language.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.template import Context, Engine, Node, Template, TemplateDoesNotExist, TemplateSyntaxError
from django.template.base import TextNode, VariableNode
from django.template.defaulttags import CommentNode, ForNode, IfNode, NowNode, WithNode
from django.template.loader import render_to_string
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe

from configuration.rich_text import display_html
from configuration.rich_text_colours import EMAIL_SURFACE
from core.errors import RuleViolation

from .branding import DEFAULT_PRIMARY_COLOUR, readable_brand

logger = logging.getLogger(__name__)

_RESTRICTED = Engine(
    autoescape=True,
    libraries={},
    builtins=["django.templatetags.i18n", "communications.restricted_filters"],
    loaders=[],
)
# Only text, variables, conditions, loops and translations: no include/extends/load/debug/url.
_ALLOWED_NODES = (
    TextNode,
    VariableNode,
    IfNode,
    ForNode,
    WithNode,
    CommentNode,
    NowNode,
    TranslateNode,
    BlockTranslateNode,
)


class UnsafeTemplate(RuleViolation):
    code = "template_not_allowed"


def compile_restricted(source: str, *, field: str = "body") -> Template:
    """Compile an organisation's template, refusing every tag outside the allow-list."""
    try:
        template = _RESTRICTED.from_string(source or "")
    except (TemplateSyntaxError, TemplateDoesNotExist, KeyError, ValueError) as exc:
        raise UnsafeTemplate(str(exc), field=field) from exc
    for node in template.nodelist.get_nodes_by_type(Node):
        if not isinstance(node, _ALLOWED_NODES):
            raise UnsafeTemplate(
                f"“{node.token.contents.split()[0] if node.token else node}” is not allowed in email templates.",
                field=field,
            )
    return template


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def _clean_subject(subject: str) -> str:
    return " ".join(subject.split())[:300]


def _dates(context: dict) -> dict:
    """Days (``*_date``) and moments (``*_at``) given as ISO text become dates, which templates
    write in the organisation's format for the language; ISO text would reach the reader as is."""

    def typed(name: str, value):
        if not isinstance(value, str):
            return value
        parse = date.fromisoformat if name.endswith("_date") else datetime.fromisoformat
        try:
            return parse(value) if name.endswith(("_date", "_at")) else value
        except ValueError:
            return value

    return {name: typed(name, value) for name, value in context.items()}


def render_email(
    *, template: str, language: str, context: dict, time_zone: str = "UTC", override=None
) -> RenderedEmail:
    """Dates in the email follow the organisation's time zone, texts the recipient's language."""
    context = _dates(context)
    with translation.override(language), timezone.override(time_zone):
        rendered = _render_override(override, context) if override is not None else None
        if rendered is not None:
            subject, body_text, body_html = rendered
        else:
            subject = render_to_string(f"emails/{template}/subject.txt", context)
            body_text = render_to_string(f"emails/{template}/body.txt", context)
            body_html = render_to_string(f"emails/{template}/body.html", context)
    return RenderedEmail(
        subject=_clean_subject(subject), body_text=body_text.strip() + "\n", body_html=body_html.strip()
    )


def _render_override(override, context: dict) -> tuple[str, str, str] | None:
    """The organisation's wording, or None (defaults are used) if it no longer compiles safely."""
    try:
        subject = compile_restricted(override.subject, field="subject").render(
            Context(context, autoescape=False)
        )
        body_text = compile_restricted(override.body_text, field="body_text").render(
            Context(context, autoescape=False)
        )
        content = compile_restricted(override.body_html, field="body_html").render(Context(context))
    except UnsafeTemplate:
        logger.exception(
            "Email template %s (%s) is not usable; sending the default", override.template, override.language
        )
        return None
    # What the template language made is sanitised as it is sent, colours readable on white.
    content = display_html(content, surface=EMAIL_SURFACE)
    if not content.strip():
        content = mark_safe("".join(f"<p>{paragraph}</p>" for paragraph in escape(body_text).split("\n\n")))
    body_html = render_to_string("emails/custom.html", {**context, "content": content})
    return subject, body_text, body_html


_SENTINEL_DATE = datetime(2099, 12, 31, 23, 59, tzinfo=UTC)


def default_source(*, template: str, language: str, variables: tuple[str, ...]) -> dict:
    """The shipped wording of an email in ``language``, with ``{{ variable }}`` placeholders.

    A starting point for an organisation's own wording (which may not use the layout tags the
    shipped templates are built with).
    """
    context = {
        name: "{{ " + name + " }}"
        for name in (*variables, "organisation_name", "portal_url", "support_email")
    }
    dates = [name for name in variables if name.endswith("_at")]
    for name in dates:
        context[name] = _SENTINEL_DATE
    with translation.override(language), timezone.override("UTC"):
        formatted = date_format(_SENTINEL_DATE, "DATETIME_FORMAT")
        subject = render_to_string(f"emails/{template}/subject.txt", context)
        body_text = render_to_string(f"emails/{template}/body.txt", context)
        html = render_to_string(
            f"emails/{template}/body.html", {**context, **readable_brand(DEFAULT_PRIMARY_COLOUR)}
        )
    content = html.split("<!--content-->", 1)[-1].split("<!--/content-->", 1)[0]
    date_placeholder = "{{ " + (dates[0] if dates else "") + '|date:"DATETIME_FORMAT" }}'

    def fill(text: str) -> str:
        text = text.replace("&#123;", "{").replace("&#125;", "}")
        return text.replace(formatted, date_placeholder) if dates else text

    return {
        "subject": fill(_clean_subject(subject)),
        "body_text": fill(body_text.strip()),
        "body_html": fill(content.strip()),
    }
