"""Rows the billing system sends, validated one by one (pydantic: ~10k invoices in well under a second)."""

from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

ExternalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Required = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Money = Annotated[Decimal, Field(max_digits=12, decimal_places=2)]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
NUL_MESSAGE = "must not contain NUL (\\u0000) characters"
Service = Literal["heating", "hot_tap_water", "cooling", "electricity", "gas", "water"]


class Row(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value):
        """PostgreSQL cannot store NUL in text: refuse it here, for this row only, not as a DataError for all."""
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError(NUL_MESSAGE)
        elif isinstance(value, list) and any(isinstance(item, str) and "\x00" in item for item in value):
            raise ValueError(NUL_MESSAGE)
        return value


class AddressRow(Row):
    kind: Literal["personal", "company", "billing"]
    street: Required
    house_number: Annotated[str, StringConstraints(max_length=20)] = ""
    box: Annotated[str, StringConstraints(max_length=20)] = ""
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    city: Required
    country: Country = "BE"


class CustomerRow(Row):
    external_id: ExternalId
    customer_number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    kind: Literal["person", "company"] = "person"
    first_name: Annotated[str, StringConstraints(max_length=100)] = ""
    last_name: Annotated[str, StringConstraints(max_length=100)] = ""
    company_name: Text = ""
    vat_number: Annotated[str, StringConstraints(max_length=40)] = ""
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    phone: Annotated[str, StringConstraints(max_length=40)] = ""
    language: Literal["en", "nl", "fr"] = "nl"
    billing_preference: Literal["email", "post"] = "email"
    addresses: list[AddressRow] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if value:
            try:
                validate_email(value)
            except DjangoValidationError as exc:
                raise ValueError("not a valid email address") from exc
        return value.lower()

    @model_validator(mode="after")
    def _name(self):
        if self.kind == "company" and not self.company_name:
            raise ValueError("a company needs company_name")
        if self.kind == "person" and not (self.first_name or self.last_name):
            raise ValueError("a person needs first_name or last_name")
        if self.addresses and len({address.kind for address in self.addresses}) != len(self.addresses):
            raise ValueError("at most one address of each kind")
        return self


class LocationRow(Row):
    external_id: ExternalId
    street: Required
    house_number: Annotated[str, StringConstraints(max_length=20)] = ""
    box: Annotated[str, StringConstraints(max_length=20)] = ""
    postal_code: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    city: Required
    country: Country = "BE"
    building_type: Literal["apartment", "house", "commercial", "other"] = "apartment"
    floor_area_m2: Annotated[int, Field(ge=1, le=1_000_000)] | None = None
    connection_status: Literal["connected", "pending", "disconnected"] = "connected"


class ContractLocationRow(Row):
    location_external_id: ExternalId
    services: Annotated[list[Service], Field(min_length=1)]
    move_in_date: date | None = None
    move_out_date: date | None = None


class AdvanceRow(Row):
    original_amount: Annotated[Money, Field(ge=0)]
    current_amount: Annotated[Money, Field(ge=0)]
    settlement_amount: Annotated[Money, Field(ge=0)] | None = None


class ContractRow(Row):
    external_id: ExternalId
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    customer_external_id: ExternalId
    status: Literal["pending", "active", "ended"] = "active"
    start_date: date
    end_date: date | None = None
    currency: Currency = "EUR"
    locations: Annotated[list[ContractLocationRow], Field(min_length=1)]
    advance: AdvanceRow | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date is before start_date")
        ids = [row.location_external_id for row in self.locations]
        if len(set(ids)) != len(ids):
            raise ValueError("a location appears twice")
        return self


class InvoiceLineRow(Row):
    meter_number: Annotated[str, StringConstraints(max_length=40)] = ""
    rollup_description: Text = ""
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    period_start: date | None = None
    period_end: date | None = None
    units: Annotated[Decimal, Field(max_digits=14, decimal_places=3)] | None = None
    unit: Annotated[str, StringConstraints(max_length=10)] = ""
    unit_price: Annotated[Decimal, Field(max_digits=12, decimal_places=5)] | None = None
    tax_rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] = Decimal("0")
    amount: Money


class InvoiceRow(Row):
    external_id: ExternalId
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    customer_external_id: ExternalId
    contract_external_id: ExternalId | None = None
    kind: Literal["advance", "settlement", "final", "credit_note"]
    issue_date: date
    due_date: date | None = None
    period_start: date | None = None
    period_end: date | None = None
    currency: Currency = "EUR"
    amount_excl_tax: Money
    tax_amount: Money
    amount_incl_tax: Money
    # Before amount_open: its check reads the status.
    payment_status: Literal["open", "partially_paid", "paid", "awaiting_confirmation", "cancelled"] = "open"
    amount_open: Money | None = None
    lines: list[InvoiceLineRow] = []

    @model_validator(mode="after")
    def _consistent(self):
        if self.amount_excl_tax + self.tax_amount != self.amount_incl_tax:
            raise ValueError("amount_excl_tax + tax_amount must equal amount_incl_tax")
        if self.lines and sum(line.amount for line in self.lines) != self.amount_excl_tax:
            raise ValueError("the lines' amounts must add up to amount_excl_tax")
        if self.due_date and self.due_date < self.issue_date:
            raise ValueError("due_date is before issue_date")
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.amount_open is None and self.payment_status == "partially_paid":
            raise ValueError("a partially paid invoice needs amount_open")
        if self.amount_open is None:
            self.amount_open = (
                Decimal("0.00") if self.payment_status in ("paid", "cancelled") else self.amount_incl_tax
            )
        return self

    @field_validator("amount_open")
    @classmethod
    def _open_agrees_with_status(cls, value: Decimal | None, info: ValidationInfo) -> Decimal | None:
        """Balances are summed from the open amount, so it must agree with the payment status."""
        status, total = info.data.get("payment_status"), info.data.get("amount_incl_tax")
        if value is None or status is None or total is None:
            return value
        same_sign = value == 0 or (value > 0) == (total > 0)
        if status in ("paid", "cancelled") and value != 0:
            raise ValueError(f"must be 0 for a {status} invoice")
        if status == "open" and value != total:
            raise ValueError("must equal amount_incl_tax for an open invoice (use partially_paid)")
        if status == "partially_paid" and not (value != 0 and same_sign and abs(value) < abs(total)):
            raise ValueError("must lie between 0 and amount_incl_tax for a partially paid invoice")
        if status == "awaiting_confirmation" and not (same_sign and abs(value) <= abs(total)):
            raise ValueError("must lie between 0 and amount_incl_tax for an invoice awaiting confirmation")
        return value


class TransactionRow(Row):
    external_id: ExternalId
    customer_external_id: ExternalId
    contract_external_id: ExternalId | None = None
    invoice_external_id: ExternalId | None = None
    kind: Literal["payment", "refund", "adjustment", "collection_fee", "other"]
    date: date
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
    amount: Money
    currency: Currency = "EUR"
    method: Annotated[str, StringConstraints(max_length=40)] = ""
    comments: Annotated[str, StringConstraints(max_length=500)] = ""


class DocumentRow(Row):
    external_id: ExternalId
    customer_external_id: ExternalId
    contract_external_id: ExternalId | None = None
    title: Required
    category: Literal["contract", "letter", "tariff", "meter_reading", "other"] = "other"
    document_date: date
    filename: Text = ""
    content_base64: Annotated[str, StringConstraints(min_length=1, max_length=14_000_000)]

    @property
    def content(self) -> bytes:
        return base64.b64decode(self.content_base64, validate=True)

    @field_validator("content_base64")
    @classmethod
    def _base64(cls, value: str) -> str:
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("not valid base64") from exc
        return value


class MeterRow(Row):
    """A meter; ``interval_minutes`` and ``active`` left out (or null) keep what is stored, so a
    re-import does not undo a staff deactivation (a new meter: 15 minutes, active)."""

    external_id: ExternalId
    number: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
    location_external_id: ExternalId
    service: Service
    interval_minutes: Literal[5, 10, 15, 30, 60] | None = None
    active: bool | None = None


class TariffRow(Row):
    external_id: ExternalId
    contract_external_id: ExternalId | None = None
    service: Service
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=5)]
    fixed_monthly: Annotated[Money, Field(ge=0)] = Decimal("0")
    vat_rate: Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)] = Decimal("6")
    currency: Currency = "EUR"
    valid_from: date
    valid_until: date | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValueError("valid_until is before valid_from")
        return self


class ImportRequest(BaseModel):
    """Any subset of the lists; references resolve within the same call (customers first)."""

    customers: list[CustomerRow] = []
    locations: list[LocationRow] = []
    contracts: list[ContractRow] = []
    meters: list[MeterRow] = []
    tariffs: list[TariffRow] = []
    invoices: list[InvoiceRow] = []
    transactions: list[TransactionRow] = []
    documents: list[DocumentRow] = []


class RowErrorOut(BaseModel):
    index: int
    external_id: str | None
    errors: dict[str, list[str]]


class EntityResultOut(BaseModel):
    received: int
    created: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]


class ImportResponse(BaseModel):
    run: int
    seconds: float
    error_count: int
    customers: EntityResultOut
    locations: EntityResultOut
    contracts: EntityResultOut
    meters: EntityResultOut
    tariffs: EntityResultOut
    invoices: EntityResultOut
    transactions: EntityResultOut
    documents: EntityResultOut
