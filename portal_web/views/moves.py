"""The move-in wizard (anyone) and the move-out form (residents)."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST
from rest_framework.exceptions import ValidationError

from activity.services import Origin
from config.errors import RuleViolation
from consumption.models import Meter
from contracts.models import ContractLocation, Location
from moves import move_in, move_out
from moves.models import MoveOutRequest
from moves.photos import checked_photo
from moves.selectors import search_locations
from moves.steps import moving_day_bounds
from moves.throttles import LocationSearchThrottle, MoveInThrottle

from .. import throttling
from ..access import load_resident, resident_required, safe_next
from ..countries import country_choices
from ..forms import normalise_decimal

SESSION_KEY = "move_in_key"
STEP_TITLES = {
    1: _lazy("Address"),
    2: _lazy("Moving date"),
    3: _lazy("Who is moving in"),
    4: _lazy("Contact details"),
    5: _lazy("Meter readings"),
    6: _lazy("Billing and payment"),
    7: _lazy("Review and submit"),
}


def _feature(request, flag: str):
    if not request.organisation.feature_enabled(flag):
        return render(
            request,
            "portal/notice.html",
            {"title": _("Not available"), "text": _("This is not offered by this portal.")},
            status=403,
        )
    return None


def _draft(request):
    key = request.session.get(SESSION_KEY)
    if not key:
        return None
    try:
        return move_in.draft_for_key(key)
    except RuleViolation:
        request.session.pop(SESSION_KEY, None)
        return None


def move_in_start(request):
    refusal = _feature(request, "move_in")
    if refusal:
        return refusal
    load_resident(request)
    throttled = throttling.check_post(request, [MoveInThrottle])
    if throttled:
        return throttling.notice(request, throttled, back="/move-in/")
    if request.method == "POST":
        draft = move_in.start_draft(language=request.LANGUAGE_CODE, existing_customer=request.customer)
        request.session[SESSION_KEY] = draft.key
        return redirect("/move-in/step/1/")
    return render(request, "portal/move_in_start.html", {"page": "move_in", "draft": _draft(request)})


def _form_values(request, number: int, draft) -> dict:
    post = request.POST
    if number == 5:
        meters = move_in.meter_ids(draft.location_id) or []
        return {
            "readings": [
                {"meter_id": meter, "value": normalise_decimal(post.get(f"reading_{meter}", ""))}
                for meter in meters
            ]
        }
    fields = {
        1: ["location_id"],
        2: ["move_in_date"],
        3: ["kind", "first_name", "last_name", "company_name", "vat_number"],
        4: ["email", "phone", "language"],
        6: ["billing_preference", "payment_method", "iban", "account_holder"],
        7: [],
    }[number]
    values = {name: post.get(name, "") for name in fields}
    if number == 6:
        values["direct_debit_consent"] = post.get("direct_debit_consent") == "on"
    if number == 7:
        values = {
            "accept_terms": post.get("accept_terms") == "on",
            "accept_privacy": post.get("accept_privacy") == "on",
        }
    return values


def _messages(detail) -> list[str]:
    if isinstance(detail, dict):
        return [message for value in detail.values() for message in _messages(value)]
    if isinstance(detail, list):
        return [message for value in detail for message in _messages(value)]
    return [str(detail)]


def _flatten(detail, meter_ids=()) -> dict[str, list[str]]:
    """DRF errors as field -> messages, for the templates: an address part as ``<field>_<part>``,
    a reading's error as ``reading_<meter id>`` (readings are sent in the order of ``meter_ids``)."""
    if not isinstance(detail, dict):
        return {"__all__": _messages(detail)}
    flat: dict[str, list[str]] = {}
    for key, value in detail.items():
        if key == "readings" and isinstance(value, (dict, list)) and not _is_message_list(value):
            # Per reading, by position: DRF gives {index: errors} (or a list with {} for good rows).
            items = value.items() if isinstance(value, dict) else enumerate(value)
            meters = list(meter_ids)
            for index, inner in items:
                if inner and isinstance(index, int) and index < len(meters):
                    flat[f"reading_{meters[index]}"] = _messages(inner)
        elif isinstance(value, dict):
            for part, inner in value.items():
                flat[f"{key}_{part}"] = _messages(inner)
        else:
            flat[key] = _messages(value)
    return flat


def _is_message_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _photo_errors(request, meter_ids) -> dict[str, list[str]]:
    """Every uploaded meter photo checked before anything is saved, its error next to its meter."""
    errors = {}
    for meter in meter_ids:
        upload = request.FILES.get(f"photo_{meter}")
        if upload:
            try:
                checked_photo(upload)
            except RuleViolation as exc:
                errors[f"photo_{meter}"] = [exc.message]
            finally:
                upload.seek(0)
    return errors


def _meter_errors(errors: dict, meters) -> dict[int, dict[str, list[str]]]:
    """Per meter, the errors of its reading and of its photo (shown next to each)."""
    return {
        meter.pk: {
            "reading": errors.get(f"reading_{meter.pk}", []),
            "photo": errors.get(f"photo_{meter.pk}", []),
        }
        for meter in meters
    }


def move_in_step(request, number: int):
    refusal = _feature(request, "move_in")
    if refusal:
        return refusal
    load_resident(request)
    draft = _draft(request)
    if draft is None:
        return redirect("/move-in/")
    if draft.status != "draft":
        return redirect("/move-in/done/")
    number = max(1, min(7, number))
    errors, values = {}, draft.steps.get(str(number), {})
    throttled = throttling.check_post(request, [MoveInThrottle])
    if throttled:
        values = _form_values(request, number, draft)  # shown again as typed, nothing saved
        errors = {"__all__": [throttled.message]}
    elif request.method == "POST":
        values = _form_values(request, number, draft)
        key = request.session[SESSION_KEY]
        meter_ids = (move_in.meter_ids(draft.location_id) or []) if number == 5 else []
        try:
            errors = _photo_errors(request, meter_ids)
            if errors:
                raise RuleViolation(next(iter(errors.values()))[0], code="invalid", errors=errors)
            with transaction.atomic():  # the step and its photos are saved together or not at all
                draft = move_in.save_step(
                    key=key, number=number, data=values, organisation=request.organisation
                )
                for meter in meter_ids:
                    upload = request.FILES.get(f"photo_{meter}")
                    if upload:
                        move_in.add_photo(key=key, meter_id=meter, upload=upload)
        except ValidationError as exc:
            errors = _flatten(exc.detail, meter_ids)
        except RuleViolation as exc:
            errors = exc.errors or {exc.field or "__all__": [exc.message]}
        else:
            if number < 7:
                return redirect(f"/move-in/step/{number + 1}/")
            try:
                move_in.submit(key=key, organisation=request.organisation)
            except RuleViolation as exc:
                errors = exc.errors or {"__all__": [exc.message]}
            else:
                return redirect("/move-in/done/")
    # The POST form carries the search, so a refused step 1 shows its results again.
    query = request.GET.get("q") or request.POST.get("q", "")
    hits = []
    if number == 1 and len(query.replace(" ", "")) >= 3 and throttled is None:
        # The search as you type has its own counter, like the API's address search.
        throttled = throttling.check(request, [LocationSearchThrottle])
        if throttled:
            errors = {"__all__": [throttled.message]}
        else:
            hits = search_locations(query)
    meters = (
        list(
            Meter.objects.filter(location_id=draft.location_id, active=True)
            .select_related("service")
            .order_by("pk")
        )
        if draft.location_id
        else []
    )
    location = Location.objects.filter(pk=draft.location_id).first() if draft.location_id else None
    first_day, last_day = moving_day_bounds(request.organisation)
    response = render(
        request,
        "portal/move_in_step.html",
        {
            "page": "move_in",
            "throttled": throttled is not None,
            "number": number,
            "steps": STEP_TITLES,
            "draft": draft,
            "values": values,
            "errors": errors,
            "hits": hits,
            "query": query,
            "meters": meters,
            "location": location,
            "first_day": first_day,
            "last_day": last_day,
            "readings": {row.get("meter_id"): row.get("value") for row in values.get("readings", [])}
            if number == 5
            else {},
            "meter_errors": _meter_errors(errors, meters),
            "done": {int(key) for key in draft.steps if key.isdigit()},
            "title": STEP_TITLES[number],
        },
    )
    return throttling.respond(response, throttled)


def move_in_done(request):
    draft = _draft(request)
    return render(request, "portal/move_in_done.html", {"page": "move_in", "draft": draft})


@require_POST
def move_in_send_link(request):
    back = safe_next(request, "/move-in/", field="back")
    throttled = throttling.check(request, [MoveInThrottle])
    if throttled:
        return throttling.notice(request, throttled, back=back, title=_("The link was not sent"))
    draft = _draft(request)
    if draft is not None and draft.email:
        move_in.send_resume_link(request=draft, organisation=request.organisation)
        messages.success(
            request, _("We sent a link to %(email)s to continue later.") % {"email": draft.email}
        )
    return redirect(back)


def move_in_resume(request, token: str):
    throttled = throttling.check_post(request, [MoveInThrottle])
    if throttled:
        return throttling.notice(request, throttled, back=request.path)
    if request.method == "POST":
        try:
            draft = move_in.resume(raw_token=token)
        except RuleViolation as exc:
            return render(
                request,
                "portal/notice.html",
                {"title": _("This link cannot be used"), "text": exc.message, "error": True},
            )
        request.session[SESSION_KEY] = draft.key
        steps = [int(key) for key in draft.request.steps if key.isdigit()]
        return redirect(f"/move-in/step/{min(max(steps, default=0) + 1, 7)}/")
    return render(
        request,
        "portal/confirm.html",
        {"action": _("Continue my move-in"), "title": _("Continue your move-in")},
    )


FORWARDING_FIELDS = ("street", "house_number", "box", "postal_code", "city", "country")


@resident_required
def move_out_page(request):
    refusal = _feature(request, "move_out")
    if refusal:
        return refusal
    rows = list(
        ContractLocation.objects.filter(
            contract__customer=request.customer,
            move_out_date__isnull=True,
            contract__status__in=["active", "pending"],
        )
        .select_related("contract", "location")
        .order_by("contract__number", "location__street", "location__house_number", "pk")
    )
    chosen = next(
        (row for row in rows if str(row.pk) == (request.POST.get("row") or request.GET.get("row"))), None
    )
    # Only the meters of the services this contract delivers there need a final reading.
    meters = list(move_out.covered_meters(chosen).select_related("service")) if chosen else []
    first_day, last_day = move_out.date_bounds(chosen, request.organisation) if chosen else (None, None)
    errors = {}
    values = request.POST.dict() if request.method == "POST" else {}
    values["country"] = values.get("country") or (chosen.location.country if chosen else "BE")
    if request.method == "POST" and chosen is not None:
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
        try:
            # Photos are checked first, and the request is only kept with all its photos: a bad
            # photo leaves no half-made request and no email behind.
            errors = _photo_errors(request, [meter.pk for meter in meters])
            if errors:
                raise RuleViolation(next(iter(errors.values()))[0], code="invalid", errors=errors)
            with transaction.atomic():
                created = move_out.submit_move_out(
                    customer=request.customer,
                    data=data,
                    organisation=request.organisation,
                    origin=Origin.of(request),
                )
                for meter in meters:
                    upload = request.FILES.get(f"photo_{meter.pk}")
                    if upload:
                        move_out.add_photo(request=created, meter_id=meter.pk, upload=upload)
        except ValidationError as exc:
            errors = _flatten(exc.detail, [meter.pk for meter in meters])
        except RuleViolation as exc:
            errors = exc.errors or {exc.field or "__all__": [exc.message]}
        else:
            messages.success(request, _("We received your move-out. You get an email when it is processed."))
            return redirect("/move-out/")
    requests = list(
        MoveOutRequest.objects.filter(customer=request.customer).select_related("contract_location__location")
    )
    for item in requests:
        # A scheduled move-out is completed by the hourly task once its day is over: the day after.
        item.completes_on = item.move_out_date + timedelta(days=1)
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
            "requests": requests,
            "readings": {meter.pk: request.POST.get(f"reading_{meter.pk}", "") for meter in meters},
            "meter_errors": _meter_errors(errors, meters),
            "first_day": first_day,
            "last_day": last_day,
        },
    )
