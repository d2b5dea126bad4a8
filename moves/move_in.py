"""Move-in use cases: the draft, its steps, resuming it and submitting it (staff decide in ``approval``)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communications.services import queue_email
from consumption.models import Meter
from core.errors import RuleViolation
from credentials.models import OneTimeToken
from credentials.services import consume_one_time_token, issue_one_time_token, subject_id
from customers.models import Customer
from memberships.services.common import portal_link

from . import readings as moving_day
from .models import MeterPhoto, MoveInRequest, RequestStatus
from .photos import checked_photo, delete_photos
from .steps import STEPS
from .validation import validated


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Draft:
    request: MoveInRequest
    key: str  # returned to the client once; only its hash is stored


def _key_expiry():
    return timezone.now() + timedelta(days=settings.MOVE_IN_DRAFT_KEY_DAYS)


def start_draft(*, language: str, existing_customer: Customer | None = None) -> Draft:
    key = secrets.token_urlsafe(32)
    request = MoveInRequest.objects.create(
        key_hash=_hash(key),
        key_expires_at=_key_expiry(),
        language=language,
        existing_customer=existing_customer,
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
    """The draft the key opens, while the key is valid (it expires; the emailed link gives a new one)."""
    queryset = MoveInRequest.objects.filter(key_hash=_hash(key or ""))
    if lock:
        queryset = queryset.select_for_update()
    request = queryset.first()
    if request is None or not hmac.compare_digest(request.key_hash, _hash(key or "")):
        raise RuleViolation(_("This move-in request does not exist."), code="not_found", http_status=404)
    if request.key_expires_at is not None and request.key_expires_at <= timezone.now():
        raise RuleViolation(
            _("This move-in link has expired. Open the link we emailed you to continue, or start again."),
            code="draft_expired",
            http_status=410,
        )
    return request


def meter_ids(location_id: int | None) -> list[int] | None:
    if location_id is None:
        return None
    return list(
        Meter.objects.filter(location_id=location_id, active=True).order_by("pk").values_list("pk", flat=True)
    )


def _reading_moment(request: MoveInRequest, organisation):
    """When the move-in readings count: 00:00 of the move-in day (step 2), else now."""
    day = (request.steps.get("2") or {}).get("move_in_date")
    return moving_day.move_in_moment(date.fromisoformat(day), organisation) if day else None


def _validate_step(request: MoveInRequest, number: int, data: dict, organisation) -> dict:
    location_id = (request.steps.get("1") or {}).get("location_id")
    context = {"organisation": organisation, "meter_ids": meter_ids(location_id)}
    if number == 5:
        context["moment"] = _reading_moment(request, organisation)
    return validated(STEPS[number], data, context=context)


def _plain(data: dict) -> dict:
    return {key: (value.isoformat() if hasattr(value, "isoformat") else value) for key, value in data.items()}


@transaction.atomic
def save_step(*, key: str, number: int, data: dict, organisation) -> MoveInRequest:
    """Save one step of a draft; a request waiting for corrected readings takes step 5 only."""
    request = draft_for_key(key, lock=True)
    correcting = request.status == RequestStatus.CORRECTION and number == 5
    if request.status != RequestStatus.DRAFT and not correcting:
        raise RuleViolation(
            _("This request was already submitted."), code="already_submitted", http_status=409
        )
    if number not in STEPS:
        raise RuleViolation(_("There are seven steps."), code="not_found", http_status=404)
    cleaned = _plain(_validate_step(request, number, data, organisation))
    if number == 1 and (request.steps.get("1") or {}).get("location_id") != cleaned["location_id"]:
        request.steps.pop("5", None)  # readings belong to the previous address
        delete_photos(request.photos.all())
        request.location_id = cleaned["location_id"]
    first_email = number == 4 and not request.email
    if number == 4:
        request.email, request.language = cleaned["email"], cleaned["language"]
    if number == 2:
        request.move_in_date = date.fromisoformat(cleaned["move_in_date"])
    request.steps[str(number)] = cleaned
    request.key_expires_at = _key_expiry()  # the key lives on while the applicant works on it
    request.save()
    if first_email:
        send_resume_link(request=request, organisation=organisation)
    return request


def add_photo(*, key: str, meter_id: int, upload) -> MeterPhoto:
    request = draft_for_key(key)
    if request.status not in (RequestStatus.DRAFT, RequestStatus.CORRECTION):  # a photo with a correction
        raise RuleViolation(
            _("This request was already submitted."), code="already_submitted", http_status=409
        )
    if meter_id not in (meter_ids(request.location_id) or []):
        raise RuleViolation(
            _("This meter is not at the chosen address."), code="unknown_meter", field="meter_id"
        )
    photo = checked_photo(upload)
    with transaction.atomic():
        delete_photos(request.photos.filter(meter_id=meter_id))
        return MeterPhoto.objects.create(
            move_in=request, meter_id=meter_id, file=photo, content_type="image/jpeg"
        )


@transaction.atomic
def save_step_with_photos(*, key: str, number: int, data: dict, organisation, photos: dict) -> MoveInRequest:
    """A step and its meter photos (``{meter id: upload}``, the page's step 5) together or not at
    all: a refused photo leaves the step unsaved."""
    request = save_step(key=key, number=number, data=data, organisation=organisation)
    for meter_id, upload in photos.items():
        add_photo(key=key, meter_id=meter_id, upload=upload)
    return request


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
    request = MoveInRequest.objects.select_for_update().filter(pk=subject_id(token)).first()
    if request is None:  # purged after the retention period
        raise RuleViolation(_("This move-in request does not exist."), code="not_found", http_status=404)
    key = secrets.token_urlsafe(32)
    request.key_hash, request.key_expires_at = _hash(key), _key_expiry()
    request.save(update_fields=["key_hash", "key_expires_at", "updated_at"])
    return Draft(request=request, key=key)


@dataclass(frozen=True)
class Submission:
    request: MoveInRequest
    already_submitted: bool


@transaction.atomic
def submit(*, key: str, organisation) -> Submission:
    """Check every step again and submit; a second submit returns the same request. A request
    waiting for corrected readings is submitted again once step 5 passes (``moves.corrections``)."""
    request = draft_for_key(key, lock=True)
    if request.status == RequestStatus.CORRECTION:
        return _resubmit(request, organisation)
    if request.status != RequestStatus.DRAFT:
        return Submission(request=request, already_submitted=True)
    errors = {}
    for number in STEPS:
        if str(number) not in request.steps:
            errors[f"step_{number}"] = [_("This step is not complete yet.")]
            continue
        try:
            _validate_step(request, number, request.steps[str(number)], organisation)
        except RuleViolation as exc:
            errors[f"step_{number}"] = [
                str(message) for messages in _flatten(exc.errors) for message in messages
            ]
    if errors:
        raise RuleViolation(_("Some steps need attention."), code="incomplete", errors=errors)
    request.status = RequestStatus.SUBMITTED
    request.submitted_at = timezone.now()
    request.move_in_date = date.fromisoformat(request.steps["2"]["move_in_date"])
    request.save(update_fields=["status", "submitted_at", "move_in_date", "updated_at"])
    queue_email(
        template="move_in_submitted",
        to=request.email,
        language=request.language,
        organisation=organisation,
        context={
            "address": request.location.one_line,
            "move_in_date": request.move_in_date,
            "reference": f"MI-{request.pk:06d}",
        },
    )
    return Submission(request=request, already_submitted=False)


def _resubmit(request: MoveInRequest, organisation) -> Submission:
    """The corrected readings go back to staff: checked again, the request is submitted anew."""
    try:
        _validate_step(request, 5, request.steps["5"], organisation)
    except RuleViolation as exc:
        raise RuleViolation(
            _("Some steps need attention."),
            code="incomplete",
            errors={"step_5": [str(message) for messages in _flatten(exc.errors) for message in messages]},
        ) from exc
    request.status, request.readings_refused = RequestStatus.SUBMITTED, []
    request.submitted_at = timezone.now()
    request.save(update_fields=["status", "readings_refused", "submitted_at", "updated_at"])
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
def purge_drafts(*, request_ids: list[int], cutoff) -> int:
    """Delete abandoned drafts (still untouched since ``cutoff``), their photos and resume links."""
    drafts = list(
        MoveInRequest.objects.select_for_update()
        .filter(pk__in=request_ids, status=RequestStatus.DRAFT, updated_at__lt=cutoff)
        .values_list("pk", flat=True)
    )
    return _delete_drafts(drafts)


def _delete_drafts(drafts: list[int]) -> int:
    if not drafts:
        return 0
    delete_photos(MeterPhoto.objects.filter(move_in_id__in=drafts))
    OneTimeToken.objects.filter(
        purpose=OneTimeToken.Purpose.MOVE_IN_RESUME, subject__in=[f"move_in:{pk}" for pk in drafts]
    ).delete()
    MoveInRequest.objects.filter(pk__in=drafts).delete()
    return len(drafts)


@transaction.atomic
def delete_drafts_of(*, customer: Customer, email: str) -> int:
    """Delete the drafts (not yet submitted) a person started: as this logged-in customer, or with
    this address given in step 4; with their photos (files after commit) and resume links. Used when
    a resident deletes their portal account (personal_data)."""
    theirs = models.Q(existing_customer=customer)
    if email:
        theirs |= models.Q(email__iexact=email)
    drafts = list(
        MoveInRequest.objects.select_for_update()
        .filter(theirs, status=RequestStatus.DRAFT)
        .values_list("pk", flat=True)
    )
    return _delete_drafts(drafts)
