"""The move-in wizard (anyone) and the move-out form (residents)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from consumption.models import Meter
from contracts.models import Location
from core.errors import RuleViolation
from moves import move_in
from moves.models import RequestStatus
from moves.photos import checked_photo
from moves.selectors import search_locations
from moves.steps import moving_day_bounds
from moves.throttles import LocationSearchThrottle, MoveInThrottle

from .. import throttling
from ..access import load_resident, safe_next
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


def feature_refusal(request, flag: str):
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
    refusal = feature_refusal(request, "move_in")
    if refusal:
        return refusal
    load_resident(request)
    throttled = throttling.check_post(request, [MoveInThrottle])
    if throttled:
        return throttling.notice(request, throttled, back="/move-in/")
    if request.method == "POST":
        customer = request.resident.customer if request.resident else None  # anyone may move in
        draft = move_in.start_draft(language=request.LANGUAGE_CODE, existing_customer=customer)
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


def flatten_errors(detail, meter_ids=()) -> dict[str, list[str]]:
    """A service's errors as field -> messages, for the templates: an address part as ``<field>_<part>``,
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


def photo_errors(request, meter_ids) -> dict[str, list[str]]:
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


def uploads(request, meter_ids) -> dict:
    """The meter photos uploaded with the form, by meter id."""
    return {
        meter: request.FILES[f"photo_{meter}"] for meter in meter_ids if request.FILES.get(f"photo_{meter}")
    }


def meter_errors(errors: dict, meters) -> dict[int, dict[str, list[str]]]:
    """Per meter, the errors of its reading and of its photo (shown next to each)."""
    return {
        meter.pk: {
            "reading": errors.get(f"reading_{meter.pk}", []),
            "photo": errors.get(f"photo_{meter.pk}", []),
        }
        for meter in meters
    }


def move_in_step(request, number: int):
    refusal = feature_refusal(request, "move_in")
    if refusal:
        return refusal
    load_resident(request)
    draft = _draft(request)
    if draft is None:
        return redirect("/move-in/")
    # Staff sent the readings back (moves.corrections): step 5 opens again, and only step 5.
    correcting = draft.status == RequestStatus.CORRECTION
    if draft.status != RequestStatus.DRAFT and not (correcting and number == 5):
        return redirect("/move-in/done/")
    number = max(1, min(7, number))
    errors, values = {}, draft.steps.get(str(number), {})
    if correcting:
        errors = {f"reading_{row['meter_id']}": [row["reason"]] for row in draft.readings_refused}
    throttled = throttling.check_post(request, [MoveInThrottle])
    if throttled:
        values = _form_values(request, number, draft)  # shown again as typed, nothing saved
        errors = {"__all__": [throttled.message]}
    elif request.method == "POST":
        values = _form_values(request, number, draft)
        errors = _post_step(request, number, values, draft)
        if not errors:
            done = number == 7 or correcting
            return redirect("/move-in/done/" if done else f"/move-in/step/{number + 1}/")
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
    context = _step_context(request, number, draft, values=values, errors=errors)
    context.update({"throttled": throttled is not None, "hits": hits, "query": query})
    response = render(request, "portal/move_in_step.html", context)
    return throttling.respond(response, throttled)


def _step_context(request, number: int, draft, *, values: dict, errors: dict) -> dict:
    """What a step's page shows besides the search: the address and its meters, the moving-day
    bounds, the values and errors per field (per meter for the readings) and the steps done."""
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
    readings = {row.get("meter_id"): row.get("value") for row in values.get("readings", [])}
    return {
        "page": "move_in",
        "number": number,
        "steps": STEP_TITLES,
        "draft": draft,
        "values": values,
        "errors": errors,
        "meters": meters,
        "location": location,
        "first_day": first_day,
        "last_day": last_day,
        "readings": readings if number == 5 else {},
        "meter_errors": meter_errors(errors, meters),
        "done": {int(key) for key in draft.steps if key.isdigit()},
        "title": STEP_TITLES[number],
    }


def _post_step(request, number: int, values: dict, draft) -> dict[str, list[str]]:
    """Save the step with its photos (together or not at all); step 7, or corrected readings,
    submit the request. The errors per field, or none."""
    key = request.session[SESSION_KEY]
    meter_ids = (move_in.meter_ids(draft.location_id) or []) if number == 5 else []
    errors = photo_errors(request, meter_ids)
    if errors:
        return errors
    try:
        move_in.save_step_with_photos(
            key=key,
            number=number,
            data=values,
            organisation=request.organisation,
            photos=uploads(request, meter_ids),
        )
    except RuleViolation as exc:
        return (
            flatten_errors(exc.errors, meter_ids) if exc.errors else {exc.field or "__all__": [exc.message]}
        )
    if number == 7 or draft.status == RequestStatus.CORRECTION:
        try:
            move_in.submit(key=key, organisation=request.organisation)
        except RuleViolation as exc:
            return exc.errors or {"__all__": [exc.message]}
    return {}


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
        if draft.request.status == RequestStatus.CORRECTION:
            return redirect("/move-in/step/5/")  # the link of the email asking for a corrected reading
        steps = [int(key) for key in draft.request.steps if key.isdigit()]
        return redirect(f"/move-in/step/{min(max(steps, default=0) + 1, 7)}/")
    return render(
        request,
        "portal/confirm.html",
        {"action": _("Continue my move-in"), "title": _("Continue your move-in")},
    )
