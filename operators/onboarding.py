"""Onboarding an organisation: its row, schema and primary domain (tenants) and the invitation of its
first administrator (memberships), in one transaction, then how far it got."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from memberships.models import StaffMembership
from memberships.services.staff import invite_staff_member
from tenants.errors import OrganisationError
from tenants.features import resolve_features
from tenants.models import SLUG_VALIDATOR, Domain, Organisation
from tenants.services import (
    check_features,
    check_language,
    check_time_zone,
    clean_new_domain,
    create_organisation,
)


@dataclass(frozen=True)
class OnboardingResult:
    organisation: Organisation
    domain: Domain
    schema_method: str
    seconds: float
    invitation: object


def _check_name_and_slug(name: str, slug: str) -> str:
    name = (name or "").strip()
    if not name:
        raise OrganisationError(_("Enter the organisation's name."), code="required", field="name")
    try:
        SLUG_VALIDATOR(slug)
    except ValidationError as exc:
        raise OrganisationError(exc.messages[0], code="invalid_slug", field="slug") from exc
    if Organisation.objects.filter(slug=slug).exists():
        raise OrganisationError(
            _("An organisation with this slug already exists."), code="slug_taken", field="slug"
        )
    return name


def _check_admin_email(admin_email: str) -> None:
    try:
        validate_email(admin_email)
    except ValidationError as exc:
        raise OrganisationError(
            _("Enter a valid email address."), code="invalid_email", field="admin_email"
        ) from exc


def onboard_organisation(
    *,
    name: str,
    slug: str,
    domain: str,
    admin_email: str,
    time_zone: str = "Europe/Brussels",
    default_language: str = "nl",
    features: dict | None = None,
) -> OnboardingResult:
    """Create the organisation, its schema and primary domain, and invite its first administrator.

    Everything happens in one transaction (PostgreSQL DDL is transactional): a failure leaves no
    organisation, schema, domain or invitation behind.
    """
    started = time.perf_counter()
    name = _check_name_and_slug(name, slug)
    clean_domain = clean_new_domain(domain)
    check_time_zone(time_zone)
    check_language(default_language)
    _check_admin_email(admin_email)
    stored_features = resolve_features(check_features(features or {}))
    try:
        with transaction.atomic():
            organisation, primary, method = create_organisation(
                name=name,
                slug=slug,
                domain=clean_domain,
                time_zone=time_zone,
                default_language=default_language,
                features=stored_features,
            )
            with schema_context(organisation.schema_name):
                invitation = invite_staff_member(
                    organisation=organisation,
                    email=admin_email,
                    role=StaffMembership.Role.ADMIN,
                    can_impersonate=True,
                )
    except IntegrityError as exc:
        raise OrganisationError(
            _("This organisation or domain was just created by someone else."),
            code="conflict",
            http_status=409,
        ) from exc
    return OnboardingResult(
        organisation=organisation,
        domain=primary,
        schema_method=method,
        seconds=time.perf_counter() - started,
        invitation=invitation,
    )
