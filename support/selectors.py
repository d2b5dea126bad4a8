from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from configuration.contrast import rich_text_warnings
from configuration.rich_text import display_html
from configuration.rich_text_colours import FAQ_SURFACE

from .models import FaqCategory, FaqEntry, Ticket


def customer_tickets(*, customer) -> QuerySet[Ticket]:
    return Ticket.objects.for_customer(customer).order_by("-created_at")


def published_faq(*, language: str, fallback: str) -> list[dict]:
    """Categories with their published questions, in order, in ``language`` (two queries).
    Answers are staff's rich text, sanitised as shown and readable on the page."""

    def text(values: dict) -> str:
        return values.get(language) or values.get(fallback) or next(iter(values.values()), "")

    categories = FaqCategory.objects.prefetch_related(
        Prefetch("entries", queryset=FaqEntry.objects.filter(published=True).order_by("position", "id"))
    ).order_by("position", "id")
    return [
        {
            "id": category.pk,
            "name": text(category.names),
            "entries": [
                {
                    "id": e.pk,
                    "question": text(e.questions),
                    "answer": display_html(text(e.answers), surface=FAQ_SURFACE),
                }
                for e in category.entries.all()
            ],
        }
        for category in categories
        if category.entries.all()
    ]


def faq_entry_warnings(entry: FaqEntry) -> list[dict]:
    """For staff: each colour in the entry's answers that the FAQ page shows in another shade."""
    return [
        warning
        for language, html in (entry.answers or {}).items()
        for warning in rich_text_warnings(html, surface=FAQ_SURFACE, field=f"answers.{language}")
    ]
