"""Organisations and their domains: creation (for operators.onboarding), suspension, domains."""

from __future__ import annotations

import zoneinfo
from functools import partial

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.publishing import publish

from . import cluster, provisioning
from .domains import InvalidDomain, normalise_domain
from .errors import OrganisationError
from .features import FEATURES, resolve_features
from .models import Domain, Organisation, StatusChange
from .routing import bump_version

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def schema_name_for(slug: str) -> str:
    return "org_" + slug.replace("-", "_")


def clean_new_domain(value: str, *, field: str = "domain") -> str:
    try:
        domain = normalise_domain(value)
    except InvalidDomain as exc:
        raise OrganisationError(str(exc), code="invalid_domain", field=field) from exc
    if Domain.objects.filter(domain=domain).exists():
        raise OrganisationError(_("This domain is already in use."), code="domain_taken", field=field)
    return domain


def check_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise OrganisationError(
            _("“%(value)s” is not a known time zone, e.g. Europe/Brussels.") % {"value": value},
            code="invalid_time_zone",
            field="time_zone",
        )


def check_language(value: str) -> None:
    if value not in LANGUAGE_CODES:
        raise OrganisationError(
            _("Choose one of: %(codes)s.") % {"codes": ", ".join(sorted(LANGUAGE_CODES))},
            code="invalid_language",
            field="default_language",
        )


def check_features(features: dict) -> dict:
    unknown = sorted(set(features) - set(FEATURES))
    if unknown:
        raise OrganisationError(
            _("Unknown feature flags: %(keys)s.") % {"keys": ", ".join(unknown)},
            code="unknown_feature",
            field="features",
        )
    if any(not isinstance(value, bool) for value in features.values()):
        raise OrganisationError(
            _("Feature flags are true or false."), code="invalid_feature", field="features"
        )
    return features


def create_organisation(
    *, name: str, slug: str, domain: str, time_zone: str, default_language: str, features: dict
) -> tuple[Organisation, Domain, str]:
    """The organisation row, its schema and primary domain, in the caller's transaction.

    Inputs are checked by the caller (operators.onboarding); returns how the schema was made.
    Spare schemas are renewed, and on Citus the new schema placed, after commit.
    """
    organisation = Organisation.objects.create(
        schema_name=schema_name_for(slug),
        name=name,
        slug=slug,
        time_zone=time_zone,
        default_language=default_language,
        features=features,
    )
    method = provisioning.create_schema(organisation.schema_name)
    primary = Domain.objects.create(domain=domain, tenant=organisation, is_primary=True)
    organisation.primary_domain = primary.domain
    bump_version()
    transaction.on_commit(_replenish_spare_schemas)
    if method != provisioning.SPARE and cluster.citus_enabled():
        # Citus put the new schema on a node by its colocation id, not by load. Spares
        # were placed when they were made (provisioning.replenish_spare_schemas).
        transaction.on_commit(partial(_place_new_organisation, organisation.schema_name))
    return organisation, primary, method


def _replenish_spare_schemas() -> None:
    if settings.TENANT_SPARE_SCHEMAS:
        from .tasks import replenish_spare_schemas  # tasks import this module

        publish(replenish_spare_schemas)


def _place_new_organisation(schema_name: str) -> None:
    from .tasks import place_new_organisation  # tasks import this module

    # Where Citus put it: the task leaves the schema alone if an operator moved it meanwhile.
    publish(place_new_organisation, schema_name, cluster.node_of(schema_name))


@transaction.atomic
def update_organisation(
    *,
    organisation: Organisation,
    name: str | None = None,
    portal_status: str | None = None,
    time_zone: str | None = None,
    default_language: str | None = None,
    features: dict | None = None,
) -> Organisation:
    fields = []
    if name is not None:
        if not name.strip():
            raise OrganisationError(_("Enter the organisation's name."), code="required", field="name")
        organisation.name = name.strip()
        fields.append("name")
    if portal_status is not None:
        if portal_status not in Organisation.PortalStatus.values:
            raise OrganisationError(
                _("Choose active or inactive."), code="invalid_choice", field="portal_status"
            )
        organisation.portal_status = portal_status
        fields.append("portal_status")
    if time_zone is not None:
        check_time_zone(time_zone)
        organisation.time_zone = time_zone
        fields.append("time_zone")
    if default_language is not None:
        check_language(default_language)
        organisation.default_language = default_language
        fields.append("default_language")
    if features is not None:
        organisation.features = resolve_features({**organisation.features, **check_features(features)})
        fields.append("features")
    if fields:
        organisation.save(update_fields=fields)
        bump_version()
    return organisation


def _record_status_change(*, organisation: Organisation, action: str, reason: str, actor) -> None:
    """Keep who suspended or reactivated an organisation and why: the organisation row only holds now."""
    StatusChange.objects.create(
        organisation=organisation,
        action=action,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_email=getattr(actor, "email", "") or "",
    )


@transaction.atomic
def suspend_organisation(*, organisation: Organisation, reason: str, actor=None) -> Organisation:
    if not (reason or "").strip():
        raise OrganisationError(_("Say why the organisation is suspended."), code="required", field="reason")
    organisation.status = Organisation.Status.SUSPENDED
    organisation.suspension_reason = reason.strip()[:500]
    organisation.suspended_at = timezone.now()
    organisation.save(update_fields=["status", "suspension_reason", "suspended_at"])
    _record_status_change(
        organisation=organisation,
        action=StatusChange.Action.SUSPENDED,
        reason=organisation.suspension_reason,
        actor=actor,
    )
    bump_version()
    return organisation


@transaction.atomic
def reactivate_organisation(*, organisation: Organisation, reason: str, actor=None) -> Organisation:
    """Serve the organisation's portal again; the reason is kept with the suspension's in the history."""
    if not (reason or "").strip():
        raise OrganisationError(
            _("Say why the organisation is reactivated."), code="required", field="reason"
        )
    organisation.status = Organisation.Status.ACTIVE
    organisation.suspension_reason = ""
    organisation.suspended_at = None
    organisation.save(update_fields=["status", "suspension_reason", "suspended_at"])
    _record_status_change(
        organisation=organisation,
        action=StatusChange.Action.REACTIVATED,
        reason=reason.strip()[:500],
        actor=actor,
    )
    bump_version()
    return organisation


@transaction.atomic
def add_domain(*, organisation: Organisation, domain: str, make_primary: bool = False) -> Domain:
    clean = clean_new_domain(domain)
    try:
        with transaction.atomic():
            if make_primary:
                Domain.objects.filter(tenant=organisation, is_primary=True).update(is_primary=False)
            created = Domain.objects.create(domain=clean, tenant=organisation, is_primary=make_primary)
    except IntegrityError as exc:
        raise OrganisationError(
            _("This domain is already in use."), code="domain_taken", field="domain"
        ) from exc
    bump_version()
    return created


def _domain_of(organisation: Organisation, domain: str) -> Domain:
    found = (
        Domain.objects.select_for_update().filter(tenant=organisation, domain=(domain or "").lower()).first()
    )
    if found is None:
        raise OrganisationError(_("This organisation has no such domain."), code="not_found", http_status=404)
    return found


@transaction.atomic
def remove_domain(*, organisation: Organisation, domain: str) -> None:
    found = _domain_of(organisation, domain)
    if found.is_primary:
        raise OrganisationError(
            _("This is the primary domain. Make another domain primary first."),
            code="primary_domain",
            field="domain",
        )
    found.delete()
    bump_version()


@transaction.atomic
def set_primary_domain(*, organisation: Organisation, domain: str) -> Domain:
    found = _domain_of(organisation, domain)
    if not found.is_primary:
        Domain.objects.filter(tenant=organisation, is_primary=True).update(is_primary=False)
        found.is_primary = True
        found.save(update_fields=["is_primary"])
        bump_version()
    return found


@transaction.atomic
def remove_own_domain(*, organisation: Organisation, domain: str) -> None:
    """An organisation's administrator removes one of its domains: never the primary, never the last.

    The same rules as the operator's removal, plus the last one: a portal without a domain could
    not be reached to add another.
    """
    found = _domain_of(organisation, domain)
    if not found.is_primary and Domain.objects.filter(tenant=organisation).count() <= 1:
        raise OrganisationError(
            _("This is the portal's last domain; it cannot be removed."), code="last_domain", field="domain"
        )
    remove_domain(organisation=organisation, domain=found.domain)
