"""Help and contact requests: stored as tickets, sent to customer service, answered by staff."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.services import queue_email
from configuration.models import PortalPreferences
from configuration.rich_text import sanitise
from core.errors import RuleViolation
from memberships.models import PortalAccount, StaffMembership
from memberships.services.common import portal_link
from notifications.services import send_update

from .attachments import checked_attachment
from .models import FaqCategory, FaqEntry, Ticket, TicketMessage

User = get_user_model()
LANGUAGES = ("en", "nl", "fr")


def _reference() -> str:
    return "T-" + secrets.token_hex(4).upper()


def _support_addresses() -> list[str]:
    """The organisation's support address, else its administrators."""
    address = PortalPreferences.objects.current().support_email
    if address:
        return [address]
    return list(
        StaffMembership.objects.filter(
            role=StaffMembership.Role.ADMIN, status=StaffMembership.Status.ACTIVE
        ).values_list("email", flat=True)
    )


@transaction.atomic
def open_ticket(
    *,
    organisation,
    kind: str,
    subject: str,
    message: str,
    language: str,
    customer=None,
    name: str = "",
    email: str = "",
    attachment=None,
) -> Ticket:
    if customer is not None:
        account = getattr(customer, "portal_account", None)
        name = customer.display_name
        email = account.login_email if account else customer.email
    if not email:
        raise RuleViolation(
            _("Give your email address so that we can answer."), code="required", field="email"
        )
    ticket = Ticket.objects.create(
        reference=_reference(),
        customer=customer,
        name=name or email,
        email=email,
        language=language,
        kind=kind,
        subject=subject,
    )
    _add_message(ticket, TicketMessage.Author.REQUESTER, message, attachment)
    context = {**ticket_context(ticket), "message": message, "has_attachment": bool(attachment)}
    _tell_support(ticket, organisation, "ticket_new", context)
    queue_email(
        template="ticket_received", to=email, language=language, organisation=organisation, context=context
    )
    return ticket


def _add_message(ticket: Ticket, author: str, body: str, attachment=None, staff_user=None) -> TicketMessage:
    """Check the attachment by its content before anything is stored."""
    checked = checked_attachment(attachment) if attachment is not None else None
    stored = TicketMessage(ticket=ticket, author=author, author_user=staff_user, body=body)
    if checked is not None:
        stored.attachment.save(checked.name, checked, save=False)
        stored.attachment_name = (attachment.name or checked.name)[:200]
        stored.attachment_type = checked.content_type
    stored.save()
    return stored


def _tell_support(ticket: Ticket, organisation, template: str, context: dict) -> None:
    for address in _support_addresses():
        queue_email(
            template=template,
            to=address,
            language=organisation.default_language,
            organisation=organisation,
            context={**context, "admin_url": portal_link(organisation, f"/api/admin/tickets/{ticket.pk}/")},
            reply_to=ticket.email,
        )


def ticket_context(ticket: Ticket) -> dict:
    return {
        "reference": ticket.reference,
        "subject": ticket.subject,
        "kind": ticket.get_kind_display(),
        "name": ticket.name,
    }


def _answer_links(ticket: Ticket, organisation) -> dict:
    """How the requester answers: a resident with an account on the ticket's page in the portal,
    anyone else (a visitor, or a customer whose account is gone) with a new help request."""
    can_reply = (
        ticket.customer_id is not None
        and PortalAccount.objects.filter(customer_id=ticket.customer_id, user__isnull=False).exists()
    )
    return {
        "can_reply": can_reply,
        "ticket_url": portal_link(organisation, f"/tickets/{ticket.pk}/") if can_reply else "",
        "help_url": portal_link(organisation, "/help/"),
    }


@transaction.atomic
def answer_ticket(
    *, ticket: Ticket, organisation, staff_user, message: str, close: bool = False, attachment=None
) -> Ticket:
    """Staff answer by email. An attachment is downloaded from the ticket's page in the portal, so
    it needs a requester who can log in there (the email says it is waiting)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        raise RuleViolation(_("This ticket is closed."), code="closed", http_status=409)
    if not (message or "").strip():
        raise RuleViolation(_("Write an answer."), code="required", field="message")
    links = _answer_links(ticket, organisation)
    if attachment is not None and not links["can_reply"]:
        raise RuleViolation(
            _("This requester has no portal account to download a file from: send it by email instead."),
            code="no_portal_account",
            field="attachment",
        )
    _add_message(ticket, TicketMessage.Author.STAFF, message.strip(), attachment, staff_user=staff_user)
    ticket.status = Ticket.Status.CLOSED if close else Ticket.Status.ANSWERED
    ticket.closed_at = timezone.now() if close else None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    send_update(
        organisation=organisation,
        customer_id=ticket.customer_id,
        kind="ticket_update",
        template="ticket_answered",
        to=ticket.email,
        language=ticket.language,
        context={
            **ticket_context(ticket),
            **links,
            "message": message.strip(),
            "closed": close,
            "has_attachment": attachment is not None,
        },
    )
    return ticket


@transaction.atomic
def close_ticket(*, ticket: Ticket, organisation) -> Ticket:
    """Staff close a ticket; the requester is told (and a resident may reopen it by replying)."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status == Ticket.Status.CLOSED:
        raise RuleViolation(_("This ticket is already closed."), code="already_closed", http_status=409)
    ticket.status, ticket.closed_at = Ticket.Status.CLOSED, timezone.now()
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    send_update(
        organisation=organisation,
        customer_id=ticket.customer_id,
        kind="ticket_update",
        template="ticket_closed",
        to=ticket.email,
        language=ticket.language,
        context={**ticket_context(ticket), **_answer_links(ticket, organisation)},
    )
    return ticket


@transaction.atomic
def reopen_ticket(*, ticket: Ticket, organisation) -> Ticket:
    """Staff open a closed ticket again (closed by mistake, or more to do); the requester is told,
    as when it was closed. Reopening an open ticket is 409 ``not_closed``."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != Ticket.Status.CLOSED:
        raise RuleViolation(_("This ticket is not closed."), code="not_closed", http_status=409)
    ticket.status, ticket.closed_at = Ticket.Status.OPEN, None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    send_update(
        organisation=organisation,
        customer_id=ticket.customer_id,
        kind="ticket_update",
        template="ticket_reopened",
        to=ticket.email,
        language=ticket.language,
        context={**ticket_context(ticket), **_answer_links(ticket, organisation)},
    )
    return ticket


@transaction.atomic
def reply_as_resident(*, ticket: Ticket, customer, organisation, message: str, attachment=None) -> Ticket:
    """The resident answers on their own ticket: it is open again and customer service is told."""
    ticket = Ticket.objects.select_for_update().filter(pk=ticket.pk, customer=customer).first()
    if ticket is None:
        raise RuleViolation(_("Not found."), code="not_found", http_status=404)
    if not (message or "").strip():
        raise RuleViolation(_("Write a message."), code="required", field="message")
    _add_message(ticket, TicketMessage.Author.REQUESTER, message.strip(), attachment)
    ticket.status, ticket.closed_at = Ticket.Status.OPEN, None
    ticket.save(update_fields=["status", "closed_at", "updated_at"])
    _tell_support(
        ticket,
        organisation,
        "ticket_reply",
        {**ticket_context(ticket), "message": message.strip(), "has_attachment": attachment is not None},
    )
    return ticket


def _per_language(value, field: str, *, html: bool = False) -> dict:
    if not isinstance(value, dict) or not value or any(key not in LANGUAGES for key in value):
        raise RuleViolation(_("Give the text per language: en, nl or fr."), code="invalid", field=field)
    cleaned = {
        key: (sanitise(text) if html else str(text).strip())
        for key, text in value.items()
        if str(text).strip()
    }
    if not cleaned:
        raise RuleViolation(_("Write it in at least one language."), code="required", field=field)
    return cleaned


@transaction.atomic
def save_faq_category(*, category: FaqCategory | None, names, position: int = 0) -> FaqCategory:
    category = category or FaqCategory()
    category.names = _per_language(names, "names")
    category.position = position
    category.save()
    return category


@transaction.atomic
def save_faq_entry(
    *,
    entry: FaqEntry | None,
    category: FaqCategory,
    questions,
    answers,
    position: int = 0,
    published: bool = True,
) -> FaqEntry:
    entry = entry or FaqEntry()
    entry.category = category
    entry.questions = _per_language(questions, "questions")
    entry.answers = _per_language(answers, "answers", html=True)
    entry.position, entry.published = position, published
    entry.save()
    return entry


@transaction.atomic
def move_faq_entry(*, entry: FaqEntry, direction: str) -> FaqEntry:
    """Swap an entry with its neighbour in its category (``up``: earlier on the page). Positions are
    renumbered 0, 1, 2 … first so that equal positions still move; at either end nothing changes."""
    if direction not in ("up", "down"):
        raise RuleViolation(_("Choose up or down."), code="invalid_choice", field="direction")
    siblings = list(
        FaqEntry.objects.select_for_update().filter(category_id=entry.category_id).order_by("position", "id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == entry.pk)
    target = index - 1 if direction == "up" else index + 1
    if 0 <= target < len(siblings):
        siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])
    return next(sibling for sibling in siblings if sibling.pk == entry.pk)
