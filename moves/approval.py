"""The staff's decision on a submitted move-in, and recording its readings once the day has come."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import normalise_email
from activity.services import Origin
from communications.services import queue_email
from consumption.models import Meter
from contracts.models import Contract, ContractLocation, Location
from core.errors import RuleViolation
from customers.models import Customer, CustomerAddress
from integration.changes import record_change
from integration.models import PortalChange
from memberships.models import PortalAccount
from memberships.services.registration import invite_customer
from notifications.services import send_update

from . import corrections
from . import readings as moving_day
from .models import MoveInRequest, RequestStatus

logger = logging.getLogger(__name__)
User = get_user_model()

# What staff may say when the applicant's address is already another customer's portal login.
LINK_EXISTING, NEW_CUSTOMER = "link", "new_customer"


@dataclass(frozen=True)
class Approval:
    request: MoveInRequest
    # Things staff should know, e.g. {"code": "location_still_supplied", "detail": "..."}.
    warnings: list[dict] = field(default_factory=list)


def _portal_login_of(email: str) -> PortalAccount | None:
    """The portal account (active or waiting for confirmation) that logs in with this address."""
    email = normalise_email(email)
    if not email:
        return None
    return (
        PortalAccount.objects.select_related("customer")
        .filter(Q(login_email__iexact=email) | Q(user__email=email))
        .first()
    )


def _choose_customer(request: MoveInRequest, contact: dict, on_existing_login: str, warnings: list):
    """The customer the new contract is for, and whether to send a portal invitation."""
    if request.existing_customer is not None:
        return request.existing_customer, False
    account = _portal_login_of(contact["email"])
    if account is not None:
        if on_existing_login == LINK_EXISTING:
            return account.customer, False
        if on_existing_login == NEW_CUSTOMER:
            warnings.append(
                {
                    "code": "invitation_not_sent",
                    "detail": _(
                        "No portal invitation was sent: %(email)s is already the portal login of customer "
                        "%(number)s."
                    )
                    % {"email": contact["email"], "number": account.customer.customer_number},
                }
            )
            return None, False
        raise RuleViolation(
            _(
                "%(email)s is already the portal login of customer %(number)s. Approve again with "
                'on_existing_login "link" to add the contract to that customer, or "new_customer" to create '
                "a new customer without a portal invitation."
            )
            % {"email": contact["email"], "number": account.customer.customer_number},
            code="email_is_portal_login",
            http_status=409,
            errors={
                "on_existing_login": [
                    _("%(email)s is already the portal login of customer %(number)s.")
                    % {"email": contact["email"], "number": account.customer.customer_number}
                ]
            },
        )
    if User.objects.filter(email=normalise_email(contact["email"])).exists():
        warnings.append(
            {
                "code": "existing_identity",
                "detail": _(
                    "%(email)s already logs in elsewhere on the platform; the invitation asks them to use "
                    "that password."
                )
                % {"email": contact["email"]},
            }
        )
    return None, True


def _new_customer(request: MoveInRequest, identity: dict, contact: dict, billing: dict) -> Customer:
    return Customer.objects.create(
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


def _still_supplied(location: Location, move_in: date) -> list[str]:
    """Numbers of other contracts that still supply the address on the move-in day."""
    return sorted(
        ContractLocation.objects.filter(location=location)
        .filter(Q(move_out_date__isnull=True) | Q(move_out_date__gte=move_in))
        .exclude(contract__status=Contract.Status.ENDED)
        .values_list("contract__number", flat=True)
    )


def approve(
    *,
    request: MoveInRequest,
    organisation,
    staff_user,
    origin: Origin | None = None,
    on_existing_login: str = "",
) -> Approval:
    """Create (or reuse) the customer, a contract at the address with its meters' services, record
    the move-in readings (now, or once the day has come), and invite or inform the customer.

    A reading the ingestion refuses is a 400 ``reading_refused`` and nothing of the decision is
    written; when the applicant can correct it they are asked to (``moves.corrections``)."""
    try:
        return _approve(
            request=request,
            organisation=organisation,
            staff_user=staff_user,
            origin=origin,
            on_existing_login=on_existing_login,
        )
    except moving_day.ReadingsRefused as refusal:
        if corrections.ask_move_in_correction(
            request_id=request.pk, refused=refusal.refused, organisation=organisation
        ):
            raise refusal.with_note(_("We emailed the applicant to correct the reading.")) from None
        raise


@transaction.atomic
def _approve(
    *, request: MoveInRequest, organisation, staff_user, origin: Origin | None, on_existing_login: str
) -> Approval:
    request = (
        MoveInRequest.objects.select_for_update(of=("self",)).select_related("location").get(pk=request.pk)
    )
    if request.status != RequestStatus.SUBMITTED:
        raise RuleViolation(
            _("Only submitted requests can be approved."), code="not_submitted", http_status=409
        )
    identity, contact, billing = request.steps["3"], request.steps["4"], request.steps["6"]
    move_in = request.move_in_date or date.fromisoformat(request.steps["2"]["move_in_date"])
    location: Location = request.location
    warnings = _overlap_warnings(location, move_in)
    customer, invite = _choose_customer(request, contact, on_existing_login, warnings)
    readings = request.steps["5"]["readings"]
    moment = moving_day.move_in_moment(move_in, organisation)
    due = moving_day.is_due(moment)
    if not due:
        moving_day.raise_if_refused(moving_day.precheck(readings, moment))
    customer = customer or _new_customer(request, identity, contact, billing)
    _living_at(customer, location)
    contract = _contract_at(request, customer, location, move_in)
    if due:
        moving_day.raise_if_refused(moving_day.record(readings, moment, organisation))
        request.readings_recorded_at = timezone.now()
    request.status = RequestStatus.APPROVED
    request.decided_at, request.decided_by = timezone.now(), staff_user
    request.created_customer, request.created_contract = customer, contract
    request.move_in_date = move_in
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
            "readings": readings,
            "readings_recorded": due,
        },
    )
    if invite and customer.email and not hasattr(customer, "portal_account"):
        invite_customer(organisation=organisation, customer=customer, staff_user=staff_user, origin=origin)
    else:
        _notify_approved(request, customer, contract, organisation)
    return Approval(request=request, warnings=warnings)


def _overlap_warnings(location: Location, move_in: date) -> list[dict]:
    """Staff are warned (not stopped) when another contract still supplies the address that day."""
    others = _still_supplied(location, move_in)
    if not others:
        return []
    detail = _(
        "The address is still supplied under contract %(contracts)s on the move-in day; process "
        "its move-out so that the contracts do not overlap."
    ) % {"contracts": ", ".join(others)}
    return [{"code": "location_still_supplied", "detail": detail}]


def _living_at(customer: Customer, location: Location) -> None:
    """The new address becomes the customer's personal (or company) address."""
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


def _contract_at(request: MoveInRequest, customer: Customer, location: Location, move_in: date) -> Contract:
    """A contract from the move-in day for the services of the address' active meters."""
    services = sorted(
        set(Meter.objects.filter(location=location, active=True).values_list("service__code", flat=True))
    ) or ["heating"]
    contract = Contract.objects.create(
        number=f"MIC-{request.pk:06d}", customer=customer, status=Contract.Status.ACTIVE, start_date=move_in
    )
    ContractLocation.objects.create(
        contract=contract, location=location, services=services, move_in_date=move_in
    )
    return contract


def _notify_approved(request: MoveInRequest, customer: Customer, contract: Contract, organisation) -> None:
    """A customer who already has a login (or gets no invitation) still learns of the approval."""
    account = PortalAccount.objects.filter(customer=customer).first()
    to = account.login_email if account else (customer.email or request.email)
    if not to:
        return
    send_update(  # a move update: a resident with a portal account may have turned these off
        organisation=organisation,
        customer_id=customer.pk,
        kind="move_update",
        template="move_in_approved",
        to=to,
        language=account.language if account else customer.language,
        context={
            "customer_name": customer.display_name,
            "address": request.location.one_line,
            "move_in_date": request.move_in_date,
            "contract_number": contract.number,
            "reference": f"MI-{request.pk:06d}",
        },
    )


@transaction.atomic
def reject(*, request: MoveInRequest, organisation, staff_user, reason: str) -> MoveInRequest:
    """Also a request waiting for the applicant's corrected reading."""
    request = MoveInRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.SUBMITTED, RequestStatus.CORRECTION):
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


@transaction.atomic
def record_due_readings(*, request_id: int, organisation) -> bool:
    """The move-in day has begun: store the readings of an approved move-in (refusals stay visible
    on the request for staff). Returns whether anything was recorded."""
    request = (
        MoveInRequest.objects.select_for_update()
        .filter(pk=request_id, status=RequestStatus.APPROVED, readings_recorded_at__isnull=True)
        .first()
    )
    if request is None or request.move_in_date is None:
        return False
    moment = moving_day.move_in_moment(request.move_in_date, organisation)
    if not moving_day.is_due(moment):
        return False
    request.readings_refused = moving_day.record(request.steps["5"]["readings"], moment, organisation)
    request.readings_recorded_at = timezone.now()
    request.save(update_fields=["readings_refused", "readings_recorded_at", "updated_at"])
    if request.readings_refused:
        logger.warning("move-in MI-%06d: readings refused %s", request.pk, request.readings_refused)
    return True
