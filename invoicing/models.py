"""Invoices, their lines, and payments and other transactions, as the billing system sends them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import CustomerOwnedQuerySet


class Invoice(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance (pro forma)")
        SETTLEMENT = "settlement", _("Settlement")
        FINAL = "final", _("Final invoice")
        CREDIT_NOTE = "credit_note", _("Credit note")

    class PaymentStatus(models.TextChoices):
        OPEN = "open", _("Open")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting payment processing confirmation")
        CANCELLED = "cancelled", _("Cancelled")

    external_id = models.CharField(max_length=100, unique=True)
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="invoices")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    issue_date = models.DateField(_("issue date"))
    due_date = models.DateField(_("due date"), null=True, blank=True)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount_excl_tax = models.DecimalField(_("amount excluding tax"), max_digits=12, decimal_places=2)
    tax_amount = models.DecimalField(_("tax"), max_digits=12, decimal_places=2)
    amount_incl_tax = models.DecimalField(_("amount including tax"), max_digits=12, decimal_places=2)
    amount_open = models.DecimalField(_("outstanding amount"), max_digits=12, decimal_places=2)
    # As the billing system sent them: a changed advance is derived from these, never from the
    # portal's own previous result (invoicing.vat), so changing it back restores them.
    billed_amount_excl_tax = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    billed_tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    payment_status = models.CharField(
        _("payment status"), max_length=24, choices=PaymentStatus.choices, default=PaymentStatus.OPEN
    )
    pdf = models.FileField(upload_to="invoices/", blank=True)
    # Digest of the billing system's row: a re-import of the same data writes nothing.
    source_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-issue_date", "-id"]
        indexes = [
            models.Index(fields=["customer", "-issue_date", "-id"], name="invoice_customer_newest"),
            models.Index(fields=["contract", "-issue_date"], name="invoice_contract_newest"),
            models.Index(fields=["payment_status"], name="invoice_payment_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_incl_tax=models.F("amount_excl_tax") + models.F("tax_amount")),
                name="invoice_totals_add_up",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_outstanding(self) -> bool:
        return self.amount_open != 0 and self.payment_status in (
            self.PaymentStatus.OPEN,
            self.PaymentStatus.PARTIALLY_PAID,
            self.PaymentStatus.AWAITING_CONFIRMATION,
        )


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    meter_number = models.CharField(_("meter number"), max_length=40, blank=True)
    rollup_description = models.CharField(_("rollup description"), max_length=200, blank=True)
    description = models.CharField(_("description"), max_length=300)
    period_start = models.DateField(_("start date"), null=True, blank=True)
    period_end = models.DateField(_("end date"), null=True, blank=True)
    units = models.DecimalField(_("units"), max_digits=14, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=5, null=True, blank=True)
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2, default=0)
    amount = models.DecimalField(_("amount excluding tax"), max_digits=12, decimal_places=2)
    # The line's VAT: the lines' VAT adds up to the invoice's tax (invoicing.vat.line_vats).
    tax_amount = models.DecimalField(_("VAT"), max_digits=12, decimal_places=2, default=0)
    # As the billing system sent the line: the fixed weights when the invoice's total changes.
    billed_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    billed_tax_amount = models.DecimalField(max_digits=12, decimal_places=2, default=0)

    customer_path = "invoice__customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["invoice", "position", "id"]

    def __str__(self) -> str:
        return self.description


class Transaction(models.Model):
    """Payments, refunds and balance adjustments on a customer's account."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund")
        ADJUSTMENT = "adjustment", _("Balance adjustment")
        COLLECTION_FEE = "collection_fee", _("Collection fee")
        OTHER = "other", _("Other")

    class Method(models.TextChoices):
        """The payment methods the portal names; the billing system may send others, shown as sent."""

        DIRECT_DEBIT = "direct_debit", _("Direct debit")
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        TRANSFER = "transfer", _("Bank transfer")  # the move-in's code for it
        CARD = "card", _("Card payment")
        ONLINE = "online", _("Online payment")
        CASH = "cash", _("Cash")

    external_id = models.CharField(max_length=100, unique=True)
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="transactions")
    contract = models.ForeignKey(
        "contracts.Contract", on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="transactions"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    method = models.CharField(_("payment method"), max_length=40, blank=True)
    comments = models.CharField(_("comments"), max_length=500, blank=True)

    customer_path = "customer"
    objects = CustomerOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["customer", "-date", "-id"], name="transaction_customer_newest")]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount} on {self.date}"

    @property
    def method_label(self) -> str:
        """The method in the active language, or as the billing system wrote it if the portal does
        not know it (the same label table as the API's ``method_label``)."""
        return str(METHOD_LABELS.get(self.method, self.method))


METHOD_LABELS = dict(Transaction.Method.choices)
