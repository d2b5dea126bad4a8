"""Move-out: a resident ends a contract at a location; staff process it."""

from __future__ import annotations

import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import serializers

from activity.services import Origin
from communications.services import queue_email
from consumption.entered_readings import check_entered_readings, reading_errors
from consumption.models import Meter
from contracts.models import Contract, ContractLocation
from core.errors import RuleViolation
from integration.changes import record_change
from integration.models import PortalChange
from invoicing.services import end_advances_after
from notifications.services import send_update

from . import corrections
from . import readings as moving_day
from .models import MeterPhoto, MoveOutRequest, RequestStatus
from .photos import checked_photo, delete_photos
from .steps import ReadingSerializer, moving_day_bounds
from .validation import validated

logger = logging.getLogger(__name__)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField(max_length=200)
    house_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    box = serializers.CharField(max_length=20, required=False, allow_blank=True)
    postal_code = serializers.CharField(max_length=20)
    city = serializers.CharField(max_length=100)
    country = serializers.RegexField(r"^[A-Z]{2}$", default="BE")


class MoveOutSerializer(serializers.Serializer):
    contract_id = serializers.IntegerField()
    location_id = serializers.IntegerField()
    move_out_date = serializers.DateField()
    readings = ReadingSerializer(many=True)
    forwarding_address = AddressSerializer()


def recipient(customer) -> tuple[str, str]:
    """The resident's email address and language: their portal login's, else the customer's."""
    account = getattr(customer, "portal_account", None)
    return (account.login_email if account else customer.email), (
        account.language if account else customer.language
    )


def covered_meters(row: ContractLocation):
    """The active meters at the location whose service this contract delivers there."""
    return Meter.objects.filter(
        location_id=row.location_id, active=True, service__code__in=row.services or []
    ).order_by("pk")


def date_bounds(row: ContractLocation, organisation) -> tuple[date, date]:
    """The first and last allowed move-out date: after moving in, within the reporting window."""
    first, last = moving_day_bounds(organisation)
    starts = max(filter(None, (row.contract.start_date, row.move_in_date)))
    return max(first, starts), last


@transaction.atomic
def submit_move_out(*, customer, data: dict, organisation, origin: Origin | None = None) -> MoveOutRequest:
    values = validated(MoveOutSerializer, data)
    row = get_object_or_404(
        ContractLocation.objects.select_related("contract", "location"),
        contract__customer=customer,
        contract_id=values["contract_id"],
        location_id=values["location_id"],
    )
    meters = _check_move_out(row, values, organisation)
    request = _create_move_out(customer, row, values, meters)
    _notify(request, organisation, "move_out_submitted")
    return request


@transaction.atomic
def submit_move_out_with_photos(
    *, customer, data: dict, organisation, origin: Origin | None = None, photos: dict
) -> MoveOutRequest:
    """The move-out with its meter photos (``{meter id: upload}``, the page's form) together or
    not at all: a bad photo leaves no half-made request and no email behind."""
    request = submit_move_out(customer=customer, data=data, organisation=organisation, origin=origin)
    for meter_id, upload in photos.items():
        add_photo(request=request, meter_id=meter_id, upload=upload)
    return request


def _check_move_out(row: ContractLocation, values: dict, organisation) -> dict[int, str]:
    """Every rule of a move-out at once (its date, the address still open, a final reading per
    meter); the meters covered, by id with their numbers, when all pass."""
    errors = {}
    first, last = date_bounds(row, organisation)
    if values["move_out_date"] < first:
        errors["move_out_date"] = [_("Choose a date after you moved in and within the last 60 days.")]
    elif values["move_out_date"] > last:
        errors["move_out_date"] = [_("This date is too far ahead; report moves at most 180 days in advance.")]
    if row.move_out_date or row.contract.status == Contract.Status.ENDED:
        errors["location_id"] = [_("You already moved out of this address.")]
    meters = dict(covered_meters(row).values_list("pk", "number"))
    reading_problems = _final_reading_errors(values, meters, organisation)
    if reading_problems:
        errors["readings"] = reading_problems
    if errors:
        first = next(iter(errors.values()))[0]
        raise RuleViolation(
            first if isinstance(first, str) else _("Check the final readings."), errors=errors
        )
    return meters


def _final_reading_errors(values: dict, meters: dict[int, str], organisation) -> list:
    """One final reading for every meter covered, each checked against the meter's history at
    once (consumption.entered_readings); what is wrong, or nothing."""
    given = [reading["meter_id"] for reading in values["readings"]]
    unknown = sorted(set(given) - set(meters))
    if unknown:
        return [
            _("These meters are not part of this contract at this address: %(ids)s.")
            % {"ids": ", ".join(map(str, unknown))}
        ]
    if set(given) != set(meters) or len(given) != len(set(given)):
        return [
            _("Give one final reading for every meter of this contract at this address: %(numbers)s.")
            % {"numbers": ", ".join(sorted(meters.values()))}
        ]
    moment = moving_day.move_out_moment(values["move_out_date"], organisation)
    problems = check_entered_readings(readings=values["readings"], moment=moment, organisation=organisation)
    return reading_errors(problems, values["readings"]) if problems else []


def _create_move_out(customer, row: ContractLocation, values: dict, meters: dict[int, str]) -> MoveOutRequest:
    """The request as checked; a second one for the same address while one waits is refused."""
    language = recipient(customer)[1]
    try:
        with transaction.atomic():
            return MoveOutRequest.objects.create(
                customer=customer,
                contract_location=row,
                move_out_date=values["move_out_date"],
                readings=[
                    {
                        "meter_id": r["meter_id"],
                        "meter_number": meters[r["meter_id"]],
                        "value": str(r["value"]),
                    }
                    for r in values["readings"]
                ],
                forwarding_address=dict(values["forwarding_address"]),
                language=language,
            )
    except IntegrityError as exc:
        raise RuleViolation(
            _("A move-out for this address is already waiting to be processed."),
            code="already_submitted",
            http_status=409,
        ) from exc


def _notify(request: MoveOutRequest, organisation, template: str) -> None:
    """The receipt of what the resident just sent always goes; what staff decide afterwards is a
    move update, which a resident with a portal account may turn off (notifications)."""
    email, language = recipient(request.customer)
    if not email:
        return
    context = {
        "customer_name": request.customer.display_name,
        "address": request.contract_location.location.one_line,
        "move_out_date": request.move_out_date,
        "reason": request.cancellation_reason or request.rejection_reason,
        "reference": f"MO-{request.pk:06d}",
    }
    if template == "move_out_submitted":
        queue_email(
            template=template, to=email, language=language, organisation=organisation, context=context
        )
        return
    send_update(
        organisation=organisation,
        customer_id=request.customer_id,
        kind="move_update",
        template=template,
        to=email,
        language=language,
        context=context,
    )


def add_photo(*, request: MoveOutRequest, meter_id: int, upload) -> MeterPhoto:
    if request.status != RequestStatus.SUBMITTED:
        raise RuleViolation(
            _("This request is already processed."), code="already_processed", http_status=409
        )
    if meter_id not in {reading["meter_id"] for reading in request.readings}:
        raise RuleViolation(
            _("This meter is not part of the request."), code="unknown_meter", field="meter_id"
        )
    photo = checked_photo(upload)
    with transaction.atomic():
        delete_photos(request.photos.filter(meter_id=meter_id))
        return MeterPhoto.objects.create(
            move_out=request, meter_id=meter_id, file=photo, content_type="image/jpeg"
        )


def process(*, request: MoveOutRequest, organisation, staff_user) -> MoveOutRequest:
    """Staff accept a move-out. A day that is over is completed at once (a refused reading is a 400
    and nothing is written; when the resident can correct it they are asked to, see
    ``moves.corrections``); a day still to come (or today) is scheduled: the location's move-out
    date is set now, and ``complete_scheduled`` does the rest once the day has passed."""
    try:
        return _process(request=request, organisation=organisation, staff_user=staff_user)
    except moving_day.ReadingsRefused as refusal:
        if corrections.ask_move_out_correction(
            request_id=request.pk, refused=refusal.refused, organisation=organisation
        ):
            raise refusal.with_note(_("We emailed the resident to correct the reading.")) from None
        raise


@transaction.atomic
def _process(*, request: MoveOutRequest, organisation, staff_user) -> MoveOutRequest:
    request = (
        MoveOutRequest.objects.select_for_update(of=("self",))
        .select_related("contract_location__contract", "contract_location__location", "customer")
        .get(pk=request.pk)
    )
    if request.status != RequestStatus.SUBMITTED:
        raise RuleViolation(
            _("Only submitted requests can be processed."), code="not_submitted", http_status=409
        )
    request.decided_at, request.decided_by = timezone.now(), staff_user
    moment = moving_day.move_out_moment(request.move_out_date, organisation)
    if moving_day.is_due(moment):
        return _complete(request, organisation, refusal_is_error=True)
    moving_day.raise_if_refused(moving_day.precheck(request.readings, moment))
    row = request.contract_location
    row.move_out_date = request.move_out_date
    row.save(update_fields=["move_out_date"])
    request.status = RequestStatus.SCHEDULED
    request.save(update_fields=["status", "decided_at", "decided_by"])
    _notify(request, organisation, "move_out_scheduled")
    return request


@transaction.atomic
def complete_scheduled(*, request_id: int, organisation) -> bool:
    """The move-out day has passed: record the final readings and close the contract there.
    A reading refused now (data arrived since scheduling) is kept on the request and in the change
    sent to the billing system; the move itself is a fact and is completed."""
    request = (
        MoveOutRequest.objects.select_for_update(of=("self",))
        .select_related("contract_location__contract", "contract_location__location", "customer")
        .filter(pk=request_id, status=RequestStatus.SCHEDULED)
        .first()
    )
    if request is None or not moving_day.is_due(
        moving_day.move_out_moment(request.move_out_date, organisation)
    ):
        return False
    _complete(request, organisation, refusal_is_error=False)
    return True


def _complete(request: MoveOutRequest, organisation, *, refusal_is_error: bool) -> MoveOutRequest:
    moment = moving_day.move_out_moment(request.move_out_date, organisation)
    refused = moving_day.record(request.readings, moment, organisation)
    if refusal_is_error:
        moving_day.raise_if_refused(refused)
    row = request.contract_location
    row.move_out_date = request.move_out_date
    row.save(update_fields=["move_out_date"])
    contract = Contract.objects.select_for_update().get(pk=row.contract_id)
    remaining = (
        ContractLocation.objects.filter(contract=contract)
        .exclude(pk=row.pk)
        .filter(
            Q(move_out_date__isnull=True)
            | Q(move_out_date__gt=request.move_out_date)
            | Q(move_outs__status=RequestStatus.SCHEDULED)
        )
        .exists()
    )
    advances = {"prorated": [], "cancelled": []}
    if not remaining:
        contract.end_date = max(request.move_out_date, contract.start_date)
        contract.status = Contract.Status.ENDED
        advances = end_advances_after(contract=contract, last_day=contract.end_date)
    contract.final_invoice_requested_at = timezone.now()
    contract.save(update_fields=["end_date", "status", "final_invoice_requested_at", "updated_at"])
    request.status = RequestStatus.APPROVED
    request.completed_at, request.readings_refused = timezone.now(), refused
    request.save(update_fields=["status", "decided_at", "decided_by", "completed_at", "readings_refused"])
    record_change(
        kind=PortalChange.Kind.MOVE_OUT,
        customer=request.customer,
        data={
            "request": f"MO-{request.pk:06d}",
            "contract_number": contract.number,
            "location_external_id": row.location.external_id,
            "move_out_date": request.move_out_date,
            "final_readings": request.readings,
            "readings_refused": refused,
            "forwarding_address": request.forwarding_address,
            "contract_ended": not remaining,
            "final_invoice_due": True,
            "advance_invoices": advances,
        },
    )
    _notify(request, organisation, "move_out_processed")
    return request


@transaction.atomic
def reject(*, request: MoveOutRequest, organisation, staff_user, reason: str) -> MoveOutRequest:
    request = MoveOutRequest.objects.select_for_update().get(pk=request.pk)
    if request.status not in (RequestStatus.SUBMITTED, RequestStatus.CORRECTION):
        raise RuleViolation(
            _("Only submitted requests can be rejected."), code="not_submitted", http_status=409
        )
    if not (reason or "").strip():
        raise RuleViolation(
            _("Say why the request is rejected; the resident receives it."), code="required", field="reason"
        )
    request.status = RequestStatus.REJECTED
    request.decided_at, request.decided_by, request.rejection_reason = (
        timezone.now(),
        staff_user,
        reason.strip()[:500],
    )
    request.save(update_fields=["status", "decided_at", "decided_by", "rejection_reason"])
    _notify(request, organisation, "move_out_rejected")
    return request


CANCELLABLE = (RequestStatus.SUBMITTED, RequestStatus.SCHEDULED, RequestStatus.CORRECTION)


@transaction.atomic
def cancel(*, request: MoveOutRequest, organisation, staff_user, reason: str) -> MoveOutRequest:
    """Staff call off a move-out that is not completed yet (submitted or scheduled).

    Scheduling set the location's move-out date ahead of the day; that date goes again, so the
    contract continues there and the resident may report a new move-out. The resident is emailed
    the reason; who cancelled, when and why stay on the request."""
    request = (
        MoveOutRequest.objects.select_for_update(of=("self",))
        .select_related("contract_location__location", "customer")
        .get(pk=request.pk)
    )
    if request.status not in CANCELLABLE:
        raise RuleViolation(
            _("Only a submitted or scheduled move-out can be cancelled."),
            code="not_cancellable",
            http_status=409,
        )
    if not (reason or "").strip():
        raise RuleViolation(
            _("Say why the move-out is cancelled; the resident receives it."), code="required", field="reason"
        )
    if request.status == RequestStatus.SCHEDULED:
        row = ContractLocation.objects.select_for_update().get(pk=request.contract_location_id)
        if row.move_out_date == request.move_out_date:  # not changed since by the billing system
            row.move_out_date = None
            row.save(update_fields=["move_out_date"])
            request.contract_location.move_out_date = None
    request.status = RequestStatus.CANCELLED
    request.cancelled_at, request.cancelled_by = timezone.now(), staff_user
    request.cancellation_reason = reason.strip()[:500]
    request.save(update_fields=["status", "cancelled_at", "cancelled_by", "cancellation_reason"])
    logger.info("move-out MO-%06d cancelled by user %s", request.pk, getattr(staff_user, "pk", None))
    _notify(request, organisation, "move_out_cancelled")
    return request
