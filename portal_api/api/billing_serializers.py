"""Resident views of contracts, invoices, statements, charges, transactions and documents.

When the organisation hides the payment status, no due date, outstanding amount, payment status,
balance or refund notice leaves these serializers.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contracts.energy_services import ENERGY_SERVICES
from contracts.models import Contract, Location
from documents.models import Document
from invoicing.models import Invoice, Transaction
from invoicing.payment import payment_offer
from invoicing.selectors import InvoiceState, refund_notice

PAYMENT_FIELDS = ("due_date", "amount_open", "payment_status", "payment_status_label", "refund_notice")


class ContractQuerySerializer(serializers.Serializer):
    """``?contract=``: one of the resident's own contracts; another's id is as unknown as a made-up one."""

    contract = serializers.PrimaryKeyRelatedField(queryset=Contract.objects.none(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = Contract.objects.filter(customer=self.context["customer"])


class InvoiceQuerySerializer(ContractQuerySerializer):
    status = serializers.ChoiceField(choices=InvoiceState.choices, required=False)


class ChoiceLabelField(serializers.CharField):
    """The translated label of a choice value; ``source`` names the field that holds the value.

    Cheaper than ``source="get_<field>_display"``: DRF inspects such a method's signature on every
    row, which is most of the serialising time of a long list.
    """

    def __init__(self, choices, **kwargs):
        self.labels = dict(choices)
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return str(self.labels.get(value, value))


class VisibilityAware(serializers.Serializer):
    hidden_when_payment_status_hidden: tuple[str, ...] = ()

    def to_representation(self, instance):
        data = super().to_representation(instance)
        visibility = self.context.get("visibility")
        if visibility is not None and not visibility.payment_status:
            for name in self.hidden_when_payment_status_hidden:
                data.pop(name, None)
        return data


class InvoiceSerializer(VisibilityAware):
    hidden_when_payment_status_hidden = PAYMENT_FIELDS

    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(Invoice.Kind.choices, source="kind")
    contract_id = serializers.IntegerField(allow_null=True)
    contract_number = serializers.CharField(source="contract.number", allow_null=True, default=None)
    issue_date = serializers.DateField()
    due_date = serializers.DateField(allow_null=True, required=False)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    currency = serializers.CharField()
    amount_excl_tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    tax_amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_incl_tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    amount_open = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    payment_status = serializers.CharField(required=False)
    payment_status_label = ChoiceLabelField(
        Invoice.PaymentStatus.choices, source="payment_status", required=False
    )
    refund_notice = serializers.SerializerMethodField(required=False)
    pdf_url = serializers.SerializerMethodField()

    def get_refund_notice(self, invoice) -> str | None:
        return refund_notice(invoice)

    def get_pdf_url(self, invoice) -> str:
        return f"/api/portal/invoices/{invoice.pk}/pdf/"


class InvoiceLineSerializer(serializers.Serializer):
    statement_number = serializers.CharField(source="invoice.number")
    meter_number = serializers.CharField()
    rollup_description = serializers.CharField()
    description = serializers.CharField()
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    units = serializers.DecimalField(max_digits=14, decimal_places=3, allow_null=True)
    unit = serializers.CharField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=5, allow_null=True)
    tax_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Excluding VAT")
    tax_amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The line's VAT; the lines' VAT adds up to the invoice's"
    )
    currency = serializers.CharField(source="invoice.currency")


class PaymentSerializer(serializers.Serializer):
    """How to pay an open invoice (invoicing.payment): by bank transfer, QR code or the provider's page."""

    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    creditor_name = serializers.CharField(help_text="Pay to (empty: no bank transfer details)")
    iban = serializers.CharField()
    bic = serializers.CharField()
    reference = serializers.CharField(
        allow_null=True, help_text="The structured reference as printed; null: mention the invoice number"
    )
    reference_compact = serializers.CharField(
        allow_null=True, help_text="The reference without spaces or signs"
    )
    qr_url = serializers.CharField(allow_null=True, help_text="The SEPA EPC QR code (SVG) for banking apps")
    pay_url = serializers.CharField(allow_null=True, help_text="The payment provider's page for this invoice")


class InvoiceDetailSerializer(InvoiceSerializer):
    lines = serializers.SerializerMethodField()
    payment = serializers.SerializerMethodField(
        help_text="How to pay it; null when nothing is to be paid now (paid, refund, awaiting confirmation, "
        "hidden payment status) or the organisation set up no way to pay"
    )

    def get_lines(self, invoice) -> list[dict]:
        return InvoiceLineSerializer(invoice.lines.all(), many=True).data

    @extend_schema_field(PaymentSerializer(allow_null=True))
    def get_payment(self, invoice) -> dict | None:
        offer = payment_offer(invoice, today=self.context["today"], visibility=self.context["visibility"])
        if offer is None:
            return None
        data = {name: getattr(offer, name) for name in PaymentSerializer().fields if name != "qr_url"}
        data["qr_url"] = f"/api/portal/invoices/{invoice.pk}/payment-qr.svg" if offer.has_qr else None
        return PaymentSerializer(data).data


class StatementSerializer(VisibilityAware):
    hidden_when_payment_status_hidden = ("due_date", "previous_balance", "carried_forward", "current_balance")

    statement_number = serializers.CharField(source="invoice.number")
    invoice_id = serializers.IntegerField(source="invoice.pk")
    issue_date = serializers.DateField(source="invoice.issue_date")
    due_date = serializers.DateField(source="invoice.due_date", allow_null=True, required=False)
    previous_balance = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    payments = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjustments = serializers.DecimalField(max_digits=12, decimal_places=2)
    carried_forward = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    current_charges = serializers.DecimalField(max_digits=12, decimal_places=2)
    current_balance = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    tax = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField(source="invoice.currency")
    pdf_url = serializers.SerializerMethodField()

    def get_pdf_url(self, statement) -> str:
        return f"/api/portal/invoices/{statement.invoice.pk}/pdf/"


class TransactionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    date = serializers.DateField()
    kind = serializers.CharField()
    kind_label = ChoiceLabelField(Transaction.Kind.choices, source="kind")
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    currency = serializers.CharField()
    method = serializers.CharField()
    method_label = ChoiceLabelField(Transaction.Method.choices, source="method")
    comments = serializers.CharField()
    invoice_number = serializers.CharField(source="invoice.number", allow_null=True, default=None)


class LocationServiceSerializer(serializers.Serializer):
    location_id = serializers.IntegerField(source="location.pk")
    address = serializers.CharField(source="location.one_line")
    connection_status = serializers.CharField(source="location.connection_status")
    connection_status_label = ChoiceLabelField(
        Location.ConnectionStatus.choices, source="location.connection_status"
    )
    services = serializers.SerializerMethodField()
    move_in_date = serializers.DateField(allow_null=True)
    move_out_date = serializers.DateField(allow_null=True)

    def get_services(self, row) -> list[dict]:
        return [{"code": code, "label": str(ENERGY_SERVICES.get(code, code))} for code in row.services]


class AdvanceSummarySerializer(serializers.Serializer):
    current_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()


class ContractSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    status = serializers.CharField()
    status_label = ChoiceLabelField(Contract.Status.choices, source="status")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    locations = LocationServiceSerializer(source="contract_locations.all", many=True)
    advance = serializers.SerializerMethodField()

    def get_advance(self, contract) -> dict | None:
        plan = getattr(contract, "advance_plan", None)
        return {"current_amount": str(plan.current_amount), "currency": plan.currency} if plan else None


class DocumentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    category = serializers.CharField()
    category_label = ChoiceLabelField(Document.Category.choices, source="category")
    document_date = serializers.DateField()
    contract_number = serializers.CharField(source="contract.number", allow_null=True, default=None)
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, document) -> str:
        return f"/api/portal/documents/{document.pk}/download/"


class AdvanceRangeSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    allowed = serializers.BooleanField()
    reason = serializers.CharField(allow_blank=True)
    current_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    base_amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    minimum = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    maximum = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    currency = serializers.CharField()


class AdvanceChangeSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0)


class OverviewCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    customer_number = serializers.CharField()
    name = serializers.CharField()


class ServiceSummarySerializer(serializers.Serializer):
    count = serializers.IntegerField()
    by_connection_status = serializers.DictField(child=serializers.IntegerField())


class MoneyMonthSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="The month, YYYY-MM")
    billed = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="The invoices issued in the month (credit notes lower it)"
    )
    paid = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="The payments made in the month; absent when the portal hides the payment status",
    )


class OverviewSerializer(serializers.Serializer):
    """Keys about invoices are absent when invoices are hidden; payment keys when payment status is.

    Totals are never netted: what you owe and what you get back are separate figures.
    """

    customer = OverviewCustomerSerializer()
    invoices_visible = serializers.BooleanField()
    payment_status_visible = serializers.BooleanField()
    services = ServiceSummarySerializer()
    contact = serializers.DictField(child=serializers.CharField(allow_blank=True))
    messages = serializers.ListField(child=serializers.DictField())
    tickets = serializers.ListField(
        child=serializers.DictField(), help_text="Open and answered help requests"
    )
    latest_invoice = InvoiceSerializer(
        required=False, allow_null=True, help_text="The newest invoice issued up to today"
    )
    upcoming_invoices = InvoiceSerializer(
        many=True, required=False, help_text="Issued after today (e.g. pro-forma advances): not owed yet"
    )
    outstanding_invoices = InvoiceSerializer(
        many=True, required=False, help_text="What you owe: invoices with a positive open amount"
    )
    refund_invoices = InvoiceSerializer(
        many=True, required=False, help_text="What will be refunded to you: negative open amounts"
    )
    monthly_money = MoneyMonthSerializer(
        many=True, required=False, help_text="Billed and paid per month, the last 12 months, oldest first"
    )
    currency = serializers.CharField(required=False, help_text="Of every total in this answer")
    outstanding_total = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text="Sum of the outstanding invoices' open amounts",
    )
    refund_total = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, help_text="What you get back, as a positive amount"
    )
    current_balance = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=(
            "Your account's balance (negative: owed to you): the invoices issued up to today less what "
            "was paid, plus refunds and adjustments; the newest statement's balance plus what happened "
            "since. Payments not yet linked to an invoice count, so it can differ from "
            "outstanding_total - refund_total"
        ),
    )
