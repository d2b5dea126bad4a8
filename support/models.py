"""Help and contact requests (tickets) and the frequently asked questions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class Ticket(models.Model):
    class Kind(models.TextChoices):
        QUESTION = "question", _("Question")
        COMPLAINT = "complaint", _("Complaint")
        FEEDBACK = "feedback", _("Feedback")
        PAYMENT_NOTICE = "payment_notice", _("Payment notice")
        METER_PROBLEM = "meter_problem", _("Meter problem")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    reference = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", null=True, blank=True, on_delete=models.PROTECT, related_name="tickets"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    language = models.CharField(max_length=5, default="nl")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="ticket_status"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class TicketMessage(models.Model):
    class Author(models.TextChoices):
        REQUESTER = "requester", _("Requester")
        STAFF = "staff", _("Staff")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    attachment = models.FileField(upload_to="tickets/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    customer_path = "ticket__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"message on {self.ticket_id}"


class FaqCategory(models.Model):
    names = models.JSONField(_("name per language"), default=dict)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return next(iter(self.names.values()), "category")


class FaqEntry(models.Model):
    category = models.ForeignKey(FaqCategory, on_delete=models.CASCADE, related_name="entries")
    questions = models.JSONField(_("question per language"), default=dict)
    answers = models.JSONField(_("answer per language (rich text)"), default=dict)
    position = models.PositiveIntegerField(default=0)
    published = models.BooleanField(default=True)

    class Meta:
        ordering = ["category", "position", "id"]

    def __str__(self) -> str:
        return next(iter(self.questions.values()), "question")
