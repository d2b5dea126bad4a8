"""Filters that organisation email templates get in place of Django's ``safe`` and ``safeseq``.

Those mark a value as HTML, so a value from the context (a customer's name, a resident's message)
would reach the email as markup. Here they change nothing: the value is escaped like any other.
The rendered HTML is sanitised as well (``rendering._render_override``); this keeps values text.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter(name="safe")
def safe(value):
    return value


@register.filter(name="safeseq")
def safeseq(value):
    return list(value)
