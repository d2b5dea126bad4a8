"""Help and contact, the resident's tickets, and the FAQ."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from support import selectors, services
from support.attachments import download_response
from support.models import TicketMessage
from support.throttles import TicketThrottle

from ..access import load_resident, resident_required
from ..forms import TicketForm, TicketReplyForm
from .form_view import FormPageView


class HelpPage(FormPageView):
    """Anyone may ask for help; a logged-in resident's request is linked to their customer record.
    Staff acting as the customer cannot write in the customer's name."""

    template_name = "portal/help.html"
    throttles = (TicketThrottle,)

    def dispatch(self, request, *args, **kwargs):
        self.resident = load_resident(request)
        self.impersonating = self.resident and request.resident.impersonating
        return super().dispatch(request, *args, **kwargs)

    def get_form(self):
        if not self.request.organisation.feature_enabled("help_requests") or self.impersonating:
            return None
        form = TicketForm(self.request.POST or None, self.request.FILES or None)
        if self.resident:
            del form.fields["name"], form.fields["email"]
        else:
            form.fields["email"].required = True
        return form

    def perform(self, form):
        data = form.cleaned_data
        return services.open_ticket(
            organisation=self.request.organisation,
            kind=data["kind"],
            subject=data["subject"],
            message=data["message"],
            language=self.request.LANGUAGE_CODE,
            customer=self.request.resident.customer if self.request.resident else None,
            name=data.get("name", ""),
            email=data.get("email", ""),
            attachment=data.get("attachment"),
        )

    def succeeded(self, ticket):
        text = _(
            "We received your message with reference %(reference)s and sent you a confirmation by email."
        ) % {"reference": ticket.reference}
        return self.notice(_("Thank you for your message"), text, page="help")

    def get_context_data(self, form):
        faq = selectors.published_faq(
            language=self.request.LANGUAGE_CODE, fallback=self.request.organisation.default_language
        )
        return {
            "page": "help",
            "form": form,
            "impersonating": self.impersonating,
            "faq_count": sum(len(c["entries"]) for c in faq),
        }


help_page = HelpPage.as_view()


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
    tickets = Paginator(selectors.customer_tickets(customer=request.resident.customer), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request, "portal/tickets.html", {"page": "help", "messages_page": "tickets", "tickets": tickets}
    )


@method_decorator(resident_required, name="dispatch")
class TicketPage(FormPageView):
    """One of the resident's tickets, with a reply form: replying opens the ticket again and tells
    customer service. Staff acting as the customer cannot write in the customer's name."""

    template_name = "portal/ticket.html"
    throttles = (TicketThrottle,)
    success_message = _lazy("Your reply was sent. Customer service will answer you.")

    def dispatch(self, request, pk: int):
        self.tickets = selectors.customer_tickets(customer=request.resident.customer)
        self.ticket = get_object_or_404(self.tickets, pk=pk)  # another customer's ticket is simply not found
        return super().dispatch(request, pk)

    def get_form(self):
        if (
            not self.request.organisation.feature_enabled("help_requests")
            or self.request.resident.impersonating
        ):
            return None
        return TicketReplyForm(self.request.POST or None, self.request.FILES or None)

    def perform(self, form):
        services.reply_as_resident(
            ticket=self.ticket,
            customer=self.request.resident.customer,
            organisation=self.request.organisation,
            message=form.cleaned_data["message"],
            attachment=form.cleaned_data.get("attachment"),
        )

    def succeeded(self, result):
        self.success_url = f"/tickets/{self.ticket.pk}/"
        return super().succeeded(result)

    def get_context_data(self, form):
        return {
            "page": "help",
            "messages_page": "tickets",
            "ticket": self.tickets.prefetch_related("messages").get(pk=self.ticket.pk),
            "form": form,
            "impersonating": self.request.resident.impersonating,
        }


ticket_page = TicketPage.as_view()


@resident_required
def ticket_attachment_page(request, pk: int, message_id: int):
    """A file on one of the resident's own tickets (theirs or customer service's); another
    customer's ticket or a message without a file is simply not found."""
    ticket = get_object_or_404(selectors.customer_tickets(customer=request.resident.customer), pk=pk)
    message = get_object_or_404(TicketMessage.objects.exclude(attachment=""), pk=message_id, ticket=ticket)
    return download_response(message)
