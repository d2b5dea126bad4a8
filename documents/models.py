"""Files for a customer or one of its contracts; every opening by a resident is logged."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class Document(models.Model):
    class Category(models.TextChoices):
        CONTRACT = "contract", _("Contract")
        LETTER = "letter", _("Letter")
        TARIFF = "tariff", _("Tariff sheet")
        METER_READING = "meter_reading", _("Meter reading")
        OTHER = "other", _("Other")

    external_id = models.CharField(max_length=100, unique=True, null=True, blank=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="documents")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="documents"
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(
        _("category"), max_length=20, choices=Category.choices, default=Category.OTHER
    )
    file = models.FileField(upload_to="documents/")
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    # SHA-256 of the file: a re-import of the same content writes no new file.
    content_hash = models.CharField(max_length=64, blank=True)
    document_date = models.DateField(_("date"))
    created_at = models.DateTimeField(default=timezone.now)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-document_date", "-id"]
        indexes = [models.Index(fields=["customer", "-document_date"], name="document_customer_newest")]

    def __str__(self) -> str:
        return self.title


class DocumentView(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="views")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    impersonated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    viewed_at = models.DateTimeField(default=timezone.now)
    ip = models.GenericIPAddressField(null=True, blank=True)

    customer_path = "document__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self) -> str:
        return f"{self.document_id} viewed at {self.viewed_at}"
