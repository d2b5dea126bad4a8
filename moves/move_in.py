"""Move-in use cases: the draft, its steps, resuming it, submitting, and the staff's decision."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from activity.services import Origin
from communications.services import queue_email
from config.errors import RuleViolation
from consumption.models import Meter
from contracts.models import Contract, ContractLocation, Location
from credentials.models import OneTimeToken
from credentials.services import consume_one_time_token, issue_one_time_token, subject_id
from customers.models import Customer, CustomerAddress
from integration.changes import record_change
from integration.models import PortalChange
from memberships.services.common import portal_link
from memberships.services.registration import invite_customer

from .models import MeterPhoto, MoveInRequest, RequestStatus
from .photos import checked_photo
from .steps import STEPS


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Draft:
    request: MoveInRequest
    key: str  # returned to the client once; only its hash is stored


def start_draft(*, language: str, existing_customer: Customer | None = None) -> Draft:
    key = secrets.token_urlsafe(32)
    request = MoveInRequest.objects.create(
        key_hash=_hash(key), language=language, existing_customer=existing_customer
    )
    if existing_customer is not None:
        _prefill(request, existing_customer)
    return Draft(request=request, key=key)


def _prefill(request: MoveInRequest, customer: Customer) -> None:
    """A resident reporting a new move-in: their known details fill steps 3, 4 and 6."""
    request.steps["3"] = {
        "kind": customer.kind,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "company_name": customer.company_name,
        "vat_number": customer.vat_number,
    }
    request.steps["4"] = {"email": customer.email, "phone": customer.phone, "language": customer.language}
    request.steps["6"] = {"billing_preference": customer.billing_preference}
    request.email = customer.email
    request.save(update_fields=["steps", "email", "updated_at"])


def draft_for_key(key: str, *, lock: bool = False) -> MoveInRequest:
    queryset = MoveInRequest.objects.filter(key_hash=_hash(key or ""))
    if lock:
        queryset = queryset.select_for_update()
    request = queryset.first()
    if request is None or not hmac.compare_digest(request.key_hash, _hash(key or "")):
        raise RuleViolation(_("This move-in request does not exist."), code="not_found", http_status=404)
    return request


def meter_ids(location_id: int | None) -> list[int] | None:
    if location_id is None:
        return None
    return list(
        Meter.objects.filter(location_id=location_id, active=True).order_by("pk").values_list("pk", flat=True)
    )


def _validate_step(request: MoveInRequest, number: int, data: dict, organisation) -> dict:
    location_id = (request.steps.get("1") or {}).get("location_id")
    serializer = STEPS[number](
        data=data, context={"organisation": organisation, "meter_ids": meter_ids(location_id)}
    )
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _plain(data: dict) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}


@transaction.atomic
def save_step(*, key: str, number: int, data: dict, organisation) -> MoveInRequest:
    request = draft_for_key(key, lock=True)
    if request.status != RequestStatus.DRAFT:
        raise RuleViolation(
            _("This request was already submitted."), code="already_submitted", http_status=409
        )
    if number not in STEPS:
        raise RuleViolation(_("There are seven steps."), code="not_found", http_status=404)
    cleaned = _plain(_validate_step(request, number, data, organisation))
    if number == 1 and (request.steps.get("1") or {}).get("location_id") != cleaned["location_id"]:
        request.steps.pop("5", None)  # readings belong to the previous address
        request.photos.all().delete()
        request.location_id = cleaned["location_id"]
    first_email = number == 4 and not request.email
    if number == 4:
        request.email, request.language = cleaned["email"], cleaned["language"]
    request.steps[str(number)] = cleaned
    request.save()
    if first_email:
        send_resume_link(request=request, organisation=organisation)
    return request


def add_photo(*, key: str, meter_id: int, upload) -> MeterPhoto:
    request = draft_for_key(key)
    if request.status != RequestStatus.DRAFT:
        raise RuleViolation(
            _("This request was already submitted."), code="already_submitted", http_status=409
        )
    if meter_id not in (meter_ids(request.location_id) or []):
        raise RuleViolation(
            _("This meter is not at the chosen address."), code="unknown_meter", field="meter_id"
        )
    photo = checked_photo(upload)
    with transaction.atomic():
        request.photos.filter(meter_id=meter_id).delete()
        return MeterPhoto.objects.create(
            move_in=request, meter_id=meter_id, file=photo, content_type="image/jpeg"
        )


def send_resume_link(*, request: MoveInRequest, organisation) -> None:
    if not request.email:
        raise RuleViolation(_("Give your email address first (step 4)."), code="no_email", field="email")
    issued = issue_one_time_token(
        purpose=OneTimeToken.Purpose.MOVE_IN_RESUME, subject=f"move_in:{request.pk}", email=request.email
    )
    queue_email(
        template="move_in_resume",
        to=request.email,
        language=request.language,
        organisation=organisation,
        context={
            "resume_url": portal_link(organisation, f"/move-in/resume/{issued.raw}"),
            "expires_at": issued.token.expires_at,
        },
    )


@transaction.atomic
def resume(*, raw_token: str) -> Draft:
    """The emailed link gives a new draft key; the old key stops working."""
    token = consume_one_time_token(
        raw=raw_token, purpose=OneTimeToken.Purpose.MOVE_IN_RESUME, subject_prefix="move_in:"
    )
    request = MoveInRequest.objects.select_for_update().get(pk=subject_id(token))
    key = secrets.token_urlsafe(32)
    request.key_hash = _hash(key)
    request.save(update_fields=["key_hash", "updated_at"])
    return Draft(request=request, key=key)


@dataclass(frozen=True)
class Submission:
    request: MoveInRequest
    already_submitted: bool


@transaction.atomic
def submit(*, key: str, organisation) -> Submission:
    """Check every step again and submit; a second submit returns the same request."""
    request = draft_for_key(key, lock=True)
    if request.status != RequestStatus.DRAFT:
        return Submission(request=request, already_submitted=True)
    errors = {}
    for number in STEPS:
        if str(number) not in request.steps:
            errors[f"step_{number}"] = [_("This step is not complete yet.")]
            continue
        try:
            _validate_step(request, number, request.steps[str(number)], organisation)
        except serializers.ValidationError as exc:
            errors[f"step_{number}"] = [
                str(message) for messages in _flatten(exc.detail) for message in messages
            ]
    if errors:
        raise RuleViolation(_("Some steps need attention."), code="incomplete", errors=errors)
    request.status = RequestStatus.SUBMITTED
    request.submitted_at = timezone.now()
    request.save(update_fields=["status", "submitted_at", "updated_at"])
    queue_email(
        template="move_in_submitted",
        to=request.email,
        language=request.language,
        organisation=organisation,
        context={
            "address": request.location.one_line,
            "move_in_date": request.steps["2"]["move_in_date"],
            "reference": f"MI-{request.pk:06d}",
        },
    )
    return Submission(request=request, already_submitted=False)


def _flatten(detail) -> list[list[str]]:
    if isinstance(detail, dict):
        return [messages for value in detail.values() for messages in _flatten(value)]
    if isinstance(detail, list) and detail and not isinstance(detail[0], (dict, list)):
        return [[str(item) for item in detail]]
    if isinstance(detail, list):
        return [messages for value in detail for messages in _flatten(value)]
    return [[str(detail)]]


@transaction.atomic
def approve(
    *, request: MoveInRequest, organisation, staff_user, origin: Origin | None = None
) -> MoveInRequest:
    """Create (or reuse) the customer, a contract at the address with its meters' services, record
    the move-in readings, and invite the customer to the portal."""
    from datetime import datetime, time

    from consumption.ingestion import ingest

    request = (
        MoveInRequest.objects.select_for_update(of=("self",)).select_related("location").get(pk=request.pk)
    )
    if request.status != RequestStatus.SUBMITTED:
        raise RuleViolation(
            _("Only submitted requests can be approved."), code="not_submitted", http_status=409
        )
    identity, contact, billing = request.steps["3"], request.steps["4"], request.steps["6"]
    move_in = datetime.fromisoformat(request.steps["2"]["move_in_date"]).date()
    customer = request.existing_customer
    if customer is None:
        customer = Customer.objects.create(
            customer_number=f"MI-{request.pk:06d}",
            kind=identity["kind"],
            first_name=identity.get("first_name", ""),
            last_name=identity.get("last_name", ""),
            company_name=identity.get("company_name", ""),
            vat_number=identity.get("vat_number", ""),
            email=contact["email"],
            phone=contact.get("phone", ""),
            language=contact["language"],
            billing_preference=billing["billing_preference"],
        )
    location: Location = request.location
    CustomerAddress.objects.update_or_create(
        customer=customer,
        kind=CustomerAddress.Kind.PERSONAL
        if customer.kind == Customer.Kind.PERSON
        else CustomerAddress.Kind.COMPANY,
        defaults={
            "street": location.street,
            "house_number": location.house_number,
            "box": location.box,
            "postal_code": location.postal_code,
            "city": location.city,
            "country": location.country,
        },
    )
    services = sorted(
        set(Meter.objects.filter(location=location, active=True).values_list("service__code", flat=True))
    ) or ["heating"]
    contract = Contract.objects.create(
        number=f"MIC-{request.pk:06d}", customer=customer, status=Contract.Status.ACTIVE, start_date=move_in
    )
    ContractLocation.objects.create(
        contract=contract, location=location, services=services, move_in_date=move_in
    )
    moment = timezone.make_aware(datetime.combine(move_in, time.min), organisation.zone)
    meters = dict(
        Meter.objects.filter(pk__in=[row["meter_id"] for row in request.steps["5"]["readings"]]).values_list(
            "pk", "external_id"
        )
    )
    result = ingest(
        rows=[
            {
                "meter": meters[row["meter_id"]],
                "timestamp": moment.isoformat(),
                "kind": "register",
                "value": row["value"],
            }
            for row in request.steps["5"]["readings"]
            if row["meter_id"] in meters
        ],
        organisation=organisation,
    )
    request.status = RequestStatus.APPROVED
    request.decided_at, request.decided_by = timezone.now(), staff_user
    request.created_customer, request.created_contract = customer, contract
    request.steps["approval"] = {"readings_refused": result.errors}
    request.save()
    record_change(
        kind=PortalChange.Kind.MOVE_IN,
        customer=customer,
        data={
            "request": f"MI-{request.pk:06d}",
            "contract_number": contract.number,
            "location_external_id": location.external_id,
            "move_in_date": move_in,
            "identity": identity,
            "contact": contact,
            "billing": {k: v for k, v in billing.items() if k != "direct_debit_consent"},
            "readings": request.steps["5"]["readings"],
        },
    )
    if customer.email and not hasattr(customer, "portal_account"):
        invite_customer(organisation=organisation, customer=customer, staff_user=staff_user, origin=origin)
    return request


@transaction.atomic
def reject(*, request: MoveInRequest, organisation, staff_user, reason: str) -> MoveInRequest:
    request = MoveInRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != RequestStatus.SUBMITTED:
        raise RuleViolation(
            _("Only submitted requests can be rejected."), code="not_submitted", http_status=409
        )
    if not (reason or "").strip():
        raise RuleViolation(
            _("Say why the request is rejected; the applicant receives it."), code="required", field="reason"
        )
    request.status = RequestStatus.REJECTED
    request.decided_at, request.decided_by, request.rejection_reason = (
        timezone.now(),
        staff_user,
        reason.strip()[:500],
    )
    request.save()
    queue_email(
        template="move_in_rejected",
        to=request.email,
        language=request.language,
        organisation=organisation,
        context={"reason": request.rejection_reason, "reference": f"MI-{request.pk:06d}"},
    )
    return request
