"""Help and contact, the resident's tickets, and the FAQ."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.errors import RuleViolation
from support import selectors, services
from support.attachments import download_response
from support.models import TicketMessage
from support.throttles import TicketThrottle

from .. import throttling
from ..access import load_resident, resident_required
from ..forms import TicketForm, TicketReplyForm, apply_errors


def help_page(request):
    """Anyone may ask for help; a logged-in resident's request is linked to their customer record.
    Staff acting as the customer cannot write in the customer's name."""
    resident = load_resident(request)
    impersonating = resident and request.impersonation is not None
    form = None
    if request.organisation.feature_enabled("help_requests") and not impersonating:
        form = TicketForm(request.POST or None, request.FILES or None)
        if resident:
            del form.fields["name"], form.fields["email"]
        else:
            form.fields["email"].required = True
    throttled = throttling.check_post(request, [TicketThrottle]) if form is not None else None
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = services.open_ticket(
                organisation=request.organisation,
                kind=data["kind"],
                subject=data["subject"],
                message=data["message"],
                language=request.LANGUAGE_CODE,
                customer=request.customer,
                name=data.get("name", ""),
                email=data.get("email", ""),
                attachment=data.get("attachment"),
            )
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            return render(
                request,
                "portal/notice.html",
                {
                    "page": "help",
                    "title": _("Thank you for your message"),
                    "text": _(
                        "We received your message with reference %(reference)s and sent you a confirmation by email."
                    )
                    % {"reference": ticket.reference},
                },
            )
    faq = selectors.published_faq(
        language=request.LANGUAGE_CODE, fallback=request.organisation.default_language
    )
    response = render(
        request,
        "portal/help.html",
        {
            "page": "help",
            "form": form,
            "impersonating": impersonating,
            "faq_count": sum(len(c["entries"]) for c in faq),
        },
    )
    return throttling.respond(response, throttled)


def legal_page(request, kind: str):
    """What a resident agrees to when they tick the move-in's terms or privacy box, for an
    organisation that has not configured pages of its own."""
    load_resident(request)
    title = _("Terms and conditions") if kind == "terms" else _("Privacy statement")
    return render(request, "portal/legal.html", {"page": "help", "kind": kind, "title": title})


def faq_page(request):
    load_resident(request)
    faq = selectors.published_faq(
        language=request.LANGUAGE_CODE, fallback=request.organisation.default_language
    )
    return render(request, "portal/faq.html", {"page": "help", "messages_page": "faq", "faq": faq})


@resident_required
def tickets_page(request):
    tickets = Paginator(selectors.customer_tickets(customer=request.customer), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request, "portal/tickets.html", {"page": "help", "messages_page": "tickets", "tickets": tickets}
    )


@resident_required
def ticket_page(request, pk: int):
    """One of the resident's tickets, with a reply form: replying opens the ticket again and tells
    customer service. Staff acting as the customer cannot write in the customer's name."""
    tickets = selectors.customer_tickets(customer=request.customer)
    ticket = get_object_or_404(tickets, pk=pk)  # another customer's ticket is simply not found
    form = None
    if request.organisation.feature_enabled("help_requests") and request.impersonation is None:
        form = TicketReplyForm(request.POST or None, request.FILES or None)
    throttled = throttling.check_post(request, [TicketThrottle]) if form is not None else None
    if throttled:
        form.add_error(None, throttled.message)
    elif request.method == "POST" and form is not None and form.is_valid():
        try:
            services.reply_as_resident(
                ticket=ticket,
                customer=request.customer,
                organisation=request.organisation,
                message=form.cleaned_data["message"],
                attachment=form.cleaned_data.get("attachment"),
            )
        except RuleViolation as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Your reply was sent. Customer service will answer you."))
            return redirect(f"/tickets/{ticket.pk}/")
    ticket = tickets.prefetch_related("messages").get(pk=ticket.pk)
    response = render(
        request,
        "portal/ticket.html",
        {
            "page": "help",
            "messages_page": "tickets",
            "ticket": ticket,
            "form": form,
            "impersonating": request.impersonation is not None,
        },
    )
    return throttling.respond(response, throttled)


@resident_required
def ticket_attachment_page(request, pk: int, message_id: int):
    """A file on one of the resident's own tickets (theirs or customer service's); another
    customer's ticket or a message without a file is simply not found."""
    ticket = get_object_or_404(selectors.customer_tickets(customer=request.customer), pk=pk)
    message = get_object_or_404(TicketMessage.objects.exclude(attachment=""), pk=message_id, ticket=ticket)
    return download_response(message)
