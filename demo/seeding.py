"""Demo organisations and data for `make run` (idempotent: running it twice changes nothing).

Each area of the product adds its own seed step to ``_steps()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django_tenants.utils import schema_context

from credentials.models import OneTimeToken
from credentials.services import issue_one_time_token
from customers.models import Customer
from memberships.models import PortalAccount, StaffMembership
from memberships.services.registration import confirm_registration, register_resident
from memberships.services.staff import accept_staff_invitation, invite_staff_member
from notifications.daily import run as send_notifications
from operators.onboarding import onboard_organisation
from tenants.models import Organisation
from tenants.selectors import base_url_for_host

from .billing_seed import seed_billing
from .configuration_seed import seed_configuration
from .consumption_seed import seed_consumption
from .service_seed import seed_services

User = get_user_model()

DEMO_PASSWORD = "portal-demo-2026"  # noqa: S105 - published demo credentials, local only
OPERATOR_EMAIL = "operator@platform.localhost"


@dataclass
class DemoOrganisation:
    slug: str
    name: str
    domain: str
    language: str
    time_zone: str
    features: dict
    staff: list[tuple[str, str, bool]]  # email, role, can_impersonate
    customers: list[dict] = field(default_factory=list)


ORGANISATIONS = [
    DemoOrganisation(
        slug="noord",
        name="Warmtenet Noord",
        domain="noord.localhost",
        language="nl",
        time_zone="Europe/Brussels",
        features={"cost_visualisation": True},
        staff=[
            ("admin@noord.localhost", StaffMembership.Role.ADMIN, True),
            ("support@noord.localhost", StaffMembership.Role.SUPPORT, False),
        ],
        customers=[
            {
                "customer_number": "N-1001",
                "first_name": "Anna",
                "last_name": "Peeters",
                "email": "anna@noord.localhost",
                "language": "nl",
            },
            {
                "customer_number": "N-1002",
                "first_name": "Bram",
                "last_name": "Claes",
                "email": "bram@noord.localhost",
                "language": "en",
            },
            {
                "customer_number": "N-1003",
                "first_name": "Chloé",
                "last_name": "Dubois",
                "email": "chloe@noord.localhost",
                "language": "fr",
            },
            {
                "customer_number": "N-2001",
                "kind": "company",
                "company_name": "Bakkerij De Molen",
                "email": "info@demolen.localhost",
                "language": "nl",
            },
        ],
    ),
    DemoOrganisation(
        slug="zuid",
        name="Stadswarmte Zuid",
        domain="zuid.localhost",
        language="fr",
        time_zone="Europe/Brussels",
        features={},
        staff=[
            ("admin@zuid.localhost", StaffMembership.Role.ADMIN, True),
            ("support@zuid.localhost", StaffMembership.Role.SUPPORT, False),
        ],
        customers=[
            {
                "customer_number": "Z-5001",
                "first_name": "Lucas",
                "last_name": "Martin",
                "email": "lucas@zuid.localhost",
                "language": "fr",
            },
            {
                "customer_number": "Z-5002",
                "first_name": "Emma",
                "last_name": "Jacobs",
                "email": "emma@zuid.localhost",
                "language": "nl",
            },
        ],
    ),
]


def seed_operator(report: list[str]) -> None:
    if not User.objects.filter(email=OPERATOR_EMAIL).exists():
        User.objects.create_platform_operator(OPERATOR_EMAIL, DEMO_PASSWORD, full_name="Platform Operator")
    report.append(f"operator   {OPERATOR_EMAIL} / {DEMO_PASSWORD}")


def seed_organisation(spec: DemoOrganisation, report: list[str]) -> Organisation:
    organisation = Organisation.objects.filter(slug=spec.slug).first()
    if organisation is None:
        admin_email, _role, _imp = spec.staff[0]
        result = onboard_organisation(
            name=spec.name,
            slug=spec.slug,
            domain=spec.domain,
            admin_email=admin_email,
            time_zone=spec.time_zone,
            default_language=spec.language,
            features=spec.features,
        )
        organisation = result.organisation
        with schema_context(organisation.schema_name):
            accept_staff_invitation(raw_token=result.invitation.raw_token, password=DEMO_PASSWORD)
    organisation.primary_domain = spec.domain
    with schema_context(organisation.schema_name):
        for email, role, can_impersonate in spec.staff:
            membership = StaffMembership.objects.filter(email=email).first()
            if membership is None or membership.status != StaffMembership.Status.ACTIVE:
                invitation = invite_staff_member(
                    organisation=organisation, email=email, role=role, can_impersonate=can_impersonate
                )
                accept_staff_invitation(raw_token=invitation.raw_token, password=DEMO_PASSWORD)
            report.append(
                f"staff      {email} / {DEMO_PASSWORD}  ({role}{', may impersonate' if can_impersonate else ''})"
            )
        for values in spec.customers:
            portal = PORTAL_STATES.get(values["customer_number"])
            customer, _created = Customer.objects.get_or_create(
                customer_number=values["customer_number"], defaults=values
            )
            seed_portal_account(organisation, customer, portal, report)
    return organisation


def seed_portal_account(organisation, customer: Customer, state: str | None, report: list[str]) -> None:
    """``confirmed``: can log in; ``unconfirmed``: registered, waiting for the email link."""
    if state is None or PortalAccount.objects.filter(customer=customer).exists():
        if state:
            report.append(
                f"resident   {customer.email} / {DEMO_PASSWORD}  ({customer.customer_number}, {state})"
            )
        return
    register_resident(
        organisation=organisation,
        customer_number=customer.customer_number,
        email=customer.email,
        password=DEMO_PASSWORD,
        language=customer.language,
    )
    if state == "confirmed":
        account = PortalAccount.objects.get(customer=customer)
        issued = issue_one_time_token(
            purpose=OneTimeToken.Purpose.CONFIRMATION,
            subject=f"portal_account:{account.pk}",
            email=account.login_email,
        )
        confirm_registration(raw_token=issued.raw)
    report.append(f"resident   {customer.email} / {DEMO_PASSWORD}  ({customer.customer_number}, {state})")


# Which demo customers have a portal account, and in which state.
PORTAL_STATES = {"N-1001": "confirmed", "N-1002": "unconfirmed", "N-2001": "confirmed", "Z-5001": "confirmed"}


def _steps() -> list:
    """Each area's seed step: a callable (organisation, spec, report) run in the organisation's schema."""

    return [seed_configuration, seed_billing, seed_consumption, seed_services, seed_notifications]


def seed_notifications(organisation, spec, report: list[str]) -> None:
    """Today's notifications for the seeded bills (a new advance, one overdue...), as the daily task
    would send them: the mail sink shows one after ``make run``; seeding again sends none twice."""
    queued = send_notifications(organisation=organisation)
    report.append(f"notifications queued: {queued} (see the mail sink)")


class DemoNotAllowed(RuntimeError):
    """The demo's published passwords must never exist on a real platform (DEBUG off)."""


def seed_demo() -> list[str]:
    """Seed every demo organisation; refused before anything is written when DEBUG is off."""

    if not settings.DEBUG:
        raise DemoNotAllowed(
            "The demo cannot be seeded with DEBUG off: its published passwords must never exist on a real platform."
        )
    return _seed_all()


@transaction.atomic
def _seed_all() -> list[str]:
    report: list[str] = []
    seed_operator(report)
    for spec in ORGANISATIONS:
        report.append("")
        report.append(f"{spec.name}: {base_url_for_host(spec.domain)}/")
        organisation = seed_organisation(spec, report)
        for step in _steps():
            with schema_context(organisation.schema_name):
                step(organisation, spec, report)
    return report
