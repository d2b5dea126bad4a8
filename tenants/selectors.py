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
