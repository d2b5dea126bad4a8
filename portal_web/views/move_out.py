"""The move-out form (residents), and correcting final readings staff could not record."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from activity.services import Origin
from contracts.models import ContractLocation
from core.errors import RuleViolation
from moves import corrections, move_out
from moves.models import MoveOutRequest, RequestStatus
from moves.readings import plain

from ..access import resident_required
from ..countries import country_choices
from ..forms import normalise_decimal
from .moves import feature_refusal, flatten_errors, meter_errors, photo_errors, uploads

FORWARDING_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


def _open_rows(customer) -> list[ContractLocation]:
    return list(
        ContractLocation.objects.filter(
            contract__customer=customer,
            move_out_date__isnull=True,
            contract__status__in=["active", "pending"],
        )
        .select_related("contract", "location")
        .order_by("contract__number", "location__street", "location__house_number", "pk")
    )


def _reported(customer, correction: tuple[int, dict, dict] | None = None) -> list[MoveOutRequest]:
    """The resident's move-outs. One waiting for a correction carries its form's fields: the
    reading given (or just typed) and why it cannot be recorded (or what the new one lacks)."""
    requests = list(
        MoveOutRequest.objects.filter(customer=customer).select_related("contract_location__location")
    )
    for item in requests:
        # A scheduled move-out is completed by the hourly task once its day is over: the day after.
        item.completes_on = item.move_out_date + timedelta(days=1)
        if item.status != RequestStatus.CORRECTION:
            continue
        typed, errors = correction[1:] if correction and correction[0] == item.pk else ({}, None)
        reasons = {row["meter_id"]: [row["reason"]] for row in item.readings_refused}
        item.correction_fields = [
            {
                "id": f"correct_{item.pk}_{row['meter_id']}",
                "name": f"reading_{row['meter_id']}",
                "number": row["meter_number"],
                "value": typed.get(row["meter_id"], plain(row["value"])),
                "errors": (errors if errors is not None else reasons).get(row["meter_id"], []),
            }
            for row in item.readings
        ]
    return requests


def _page(request, *, rows, chosen=None, errors=None, values=None, correction=None):
    meters = list(move_out.covered_meters(chosen).select_related("service")) if chosen else []
    first_day, last_day = move_out.date_bounds(chosen, request.organisation) if chosen else (None, None)
    errors, values = errors or {}, values or {}
    values["country"] = values.get("country") or (chosen.location.country if chosen else "BE")
    return render(
        request,
        "portal/move_out.html",
        {
            "page": "move_out",
            "rows": rows,
            "chosen": chosen,
            "meters": meters,
            "errors": errors,
            "values": values,
            "countries": country_choices(values["country"]),
            "requests": _reported(request.resident.customer, correction),
            "readings": {meter.pk: request.POST.get(f"reading_{meter.pk}", "") for meter in meters},
            "meter_errors": meter_errors(errors, meters),
            "first_day": first_day,
            "last_day": last_day,
        },
    )


@resident_required
def move_out_page(request):
    refusal = feature_refusal(request, "move_out")
    if refusal:
        return refusal
    rows = _open_rows(request.resident.customer)
    chosen = next(
        (row for row in rows if str(row.pk) == (request.POST.get("row") or request.GET.get("row"))), None
    )
    values = request.POST.dict() if request.method == "POST" else {}
    if request.method != "POST" or chosen is None:
        return _page(request, rows=rows, chosen=chosen, values=values)
    errors = _submit(request, chosen, values)
    if not errors:
        messages.success(request, _("We received your move-out. You get an email when it is processed."))
        return redirect("/move-out/")
    return _page(request, rows=rows, chosen=chosen, errors=errors, values=values)


def _submit(request, chosen: ContractLocation, values: dict) -> dict:
    """Report the move-out with its photos; the errors per field, or none when it is saved."""
    meters = list(move_out.covered_meters(chosen))
    post = request.POST
    data = {
        "contract_id": chosen.contract_id,
        "location_id": chosen.location_id,
        "move_out_date": post.get("move_out_date", ""),
        "readings": [
            {"meter_id": meter.pk, "value": normalise_decimal(post.get(f"reading_{meter.pk}", ""))}
            for meter in meters
        ],
        "forwarding_address": {name: values.get(name, "").strip() for name in FORWARDING_FIELDS},
    }
    meter_ids = [meter.pk for meter in meters]
    # Photos are checked first; the service keeps the request only with all its photos.
    errors = photo_errors(request, meter_ids)
    if errors:
        return errors
    try:
        move_out.submit_move_out_with_photos(
            customer=request.resident.customer,
            data=data,
            organisation=request.organisation,
            origin=Origin.of(request),
            photos=uploads(request, meter_ids),
        )
    except RuleViolation as exc:
        # A reading's errors come per reading, in the meters' order (consumption.entered_readings).
        return (
            flatten_errors(exc.errors, meter_ids) if exc.errors else {exc.field or "__all__": [exc.message]}
        )
    return {}


@require_POST
@resident_required
def move_out_correct(request, pk: int):
    """The resident sends the final readings of a move-out waiting for a correction again."""
    refusal = feature_refusal(request, "move_out")
    if refusal:
        return refusal
    item = get_object_or_404(MoveOutRequest.objects.for_customer(request.resident.customer), pk=pk)
    typed = {row["meter_id"]: request.POST.get(f"reading_{row['meter_id']}", "") for row in item.readings}
    readings = [
        {"meter_id": meter_id, "value": normalise_decimal(value)} for meter_id, value in typed.items()
    ]
    try:
        corrections.correct_move_out(
            request=item, readings=corrections.typed_readings(readings), organisation=request.organisation
        )
    except RuleViolation as exc:
        flat = flatten_errors(exc.errors or {"__all__": [exc.message]}, list(typed))
        errors = {meter_id: flat.get(f"reading_{meter_id}", []) for meter_id in typed}
        return _page(
            request,
            rows=_open_rows(request.resident.customer),
            errors=_general(flat),
            correction=(item.pk, typed, errors),
        )
    messages.success(request, _("We received your corrected reading. We process your move-out again."))
    return redirect("/move-out/")


def _general(flat: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors that belong to no single reading (e.g. not waiting for a correction any more), for
    the page's message box."""
    general = [message for key, value in flat.items() if not key.startswith("reading_") for message in value]
    return {"__all__": general} if general else {}
