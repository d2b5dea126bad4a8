"""Reads about organisations and their domains."""

from __future__ import annotations

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from .models import Domain, Organisation, StatusChange


def organisations_with_primary_domain() -> QuerySet[Organisation]:
    primary = Domain.objects.filter(tenant=OuterRef("pk"), is_primary=True).values("domain")[:1]
    return Organisation.objects.annotate(primary_domain=Subquery(primary)).prefetch_related("domains")


def status_changes_of(organisation: Organisation) -> QuerySet[StatusChange]:
    """Suspensions and reactivations, newest first."""
    return StatusChange.objects.filter(organisation=organisation).order_by("-created_at", "-id")


def _first_admin_invitation(organisation: Organisation) -> tuple[bool, str]:
    """Whether an administrator was invited, and how far the invitation email got.

    ``queued`` until the outbox task has sent it, then ``sent`` (or ``failed`` when the relay gave up).
    """
    from django_tenants.utils import schema_context

    from communications.models import OutboundEmail
    from memberships.models import StaffMembership

    with schema_context(organisation.schema_name):
        admin = StaffMembership.objects.filter(role=StaffMembership.Role.ADMIN).order_by("invited_at").first()
        if admin is None:
            return False, "missing"
        if admin.status == StaffMembership.Status.ACTIVE:
            return True, "accepted"
        email = OutboundEmail.objects.filter(template="staff_invitation", to__iexact=admin.email).first()
    if email is None:
        return True, "missing"
    if email.sent_at:
        return True, "sent"
    return True, "failed" if email.gave_up_at else "queued"


def onboarding_progress(organisation: Organisation) -> dict:
    """Each step an onboarding goes through, and whether the portal now answers on its domain.

    Creating the schema and domain happens in the onboarding request; the invitation email leaves
    with the outbox task afterwards, and routing follows the shared version key. The console polls
    this until ``ready``.
    """
    from . import provisioning
    from .middleware import unavailability
    from .routing import routing_table

    schema_ready = provisioning.schema_is_current(organisation.schema_name)
    primary = primary_domain_of(organisation)
    routed = routing_table.resolve(primary) if primary else None
    domain_routed = routed is not None and routed.pk == organisation.pk
    invited, email_state = _first_admin_invitation(organisation) if schema_ready else (False, "missing")
    answers = domain_routed and schema_ready and unavailability(routed, "/") is None
    steps = [
        {"key": "organisation", "done": True, "detail": organisation.slug},
        {"key": "schema", "done": schema_ready, "detail": organisation.schema_name},
        {"key": "domain", "done": domain_routed, "detail": primary or ""},
        {"key": "invitation", "done": invited and email_state in ("sent", "accepted"), "detail": email_state},
        {"key": "portal", "done": answers, "detail": organisation.status},
    ]
    return {"ready": all(step["done"] for step in steps), "steps": steps}


def primary_domain_of(organisation: Organisation) -> str | None:
    cached = getattr(organisation, "primary_domain", None)
    if cached:
        return cached
    return (
        Domain.objects.filter(tenant=organisation, is_primary=True).values_list("domain", flat=True).first()
    )


def base_url_for_host(host: str) -> str:
    port = settings.PORTAL_URL_PORT
    return f"{settings.PORTAL_URL_SCHEME}://{host}{':' + port if port else ''}"


def portal_base_url(organisation: Organisation) -> str:
    """Where links in this organisation's emails point: its primary portal domain."""
    return base_url_for_host(primary_domain_of(organisation) or settings.PLATFORM_DOMAIN)


def tenant_schema_names() -> list[str]:
    return list(Organisation.objects.order_by("schema_name").values_list("schema_name", flat=True))


def _quoted(schema: str) -> str:
    return '"' + schema.replace('"', '""') + '"'


def rows_over_tenant_schemas(
    sql_template: str,
    params: list,
    *,
    limit: int | None = None,
    include_public: bool = False,
    chunk: int = 200,
) -> list[tuple[str, tuple]]:
    """Run one query in many schemas with ``UNION ALL``, 200 schemas per round trip.

    ``sql_template`` names its tables as ``{schema}.table``; each result row comes back with the
    schema it was found in. Used by periodic sweeps and metrics, which must not cost one query per
    organisation.
    """
    from django.db import connection

    schemas = ([settings.PUBLIC_SCHEMA_NAME] if include_public else []) + tenant_schema_names()
    found: list[tuple[str, tuple]] = []
    for start in range(0, len(schemas), chunk):
        part_sql, part_params = [], []
        for schema in schemas[start : start + chunk]:
            inner = sql_template.format(schema=_quoted(schema))
            part_sql.append(f"(SELECT %s AS schema_name, q.* FROM ({inner}) q)")  # noqa: S608 - quoted schema names
            part_params += [schema, *params]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(part_sql), part_params)
            found += [(row[0], tuple(row[1:])) for row in cursor.fetchall()]
        if limit is not None and len(found) >= limit:
            return found[:limit]
    return found


def organisation_domains(*, organisation: Organisation) -> QuerySet[Domain]:
    """The domains of one organisation only, primary first."""
    return Domain.objects.filter(tenant=organisation).order_by("-is_primary", "domain")
