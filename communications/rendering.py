"""Rendering an email from its template, in the recipient's language, with the sender's branding."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone, translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def render_email(*, template: str, language: str, context: dict, time_zone: str = "UTC") -> RenderedEmail:
    """Dates in the email follow the organisation's time zone, texts the recipient's language."""
    with translation.override(language), timezone.override(time_zone):
        subject = render_to_string(f"emails/{template}/subject.txt", context)
        body_text = render_to_string(f"emails/{template}/body.txt", context)
        body_html = render_to_string(f"emails/{template}/body.html", context)
    return RenderedEmail(
        subject=" ".join(subject.split())[:300],
        body_text=body_text.strip() + "\n",
        body_html=body_html.strip(),
    )
