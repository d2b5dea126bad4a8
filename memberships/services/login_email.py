"""A login address is one per person across the platform: whether an address is taken anywhere, and
moving an identity's address in every organisation it belongs to, in one transaction.

The checks read this app's own tables in every organisation's schema in one statement (a UNION over
the schemas, tenants.selectors.rows_over_tenant_schemas); the table and column names come from the
models, so a renamed field cannot leave a stale name here."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from core.errors import RuleViolation
from tenants.selectors import rows_over_tenant_schemas

from ..models import PortalAccount, StaffMembership

User = get_user_model()


def _table_and_columns(model, *fields: str) -> tuple[str, ...]:
    return (model._meta.db_table, *(model._meta.get_field(name).column for name in fields))


def _logins_of_others_sql() -> str:
    accounts, account_email, account_user = _table_and_columns(PortalAccount, "login_email", "user")
    staff, staff_email, staff_user = _table_and_columns(StaffMembership, "email", "user")
    return (
        f"SELECT 1 FROM {{schema}}.{accounts} WHERE lower({account_email}) = %s "  # noqa: S608 - names from _meta
        f"AND {account_user} IS DISTINCT FROM %s "
        f"UNION ALL SELECT 1 FROM {{schema}}.{staff} WHERE lower({staff_email}) = %s "
        f"AND {staff_user} IS DISTINCT FROM %s"
    )


def _memberships_of_sql() -> str:
    accounts, account_user = _table_and_columns(PortalAccount, "user")
    staff, staff_user = _table_and_columns(StaffMembership, "user")
    return (
        f"SELECT 1 FROM {{schema}}.{accounts} WHERE {account_user} = %s "  # noqa: S608 - names from _meta
        f"UNION ALL SELECT 1 FROM {{schema}}.{staff} WHERE {staff_user} = %s"
    )


def address_in_use(field: str) -> RuleViolation:
    return RuleViolation(
        _("This address is already used for another login. Choose another address."),
        code="address_in_use",
        field=field,
    )


def address_used_by_someone_else(*, email: str, user_id: int | None) -> bool:
    """Another identity has the address, or a portal account or staff membership of another
    identity (or of nobody yet: a pending registration or invitation) uses it to log in, in any
    organisation. Always the same two queries, whatever the answer or the number of organisations
    (an email change request must not reveal by its cost whether the address is taken)."""
    has_identity = User.objects.filter(email=email).exclude(pk=user_id).exists()
    has_login = bool(
        rows_over_tenant_schemas(_logins_of_others_sql(), [email, user_id, email, user_id], limit=1)
    )
    return has_identity or has_login


def _schemas_with_memberships(user_id: int) -> list[str]:
    rows = rows_over_tenant_schemas(_memberships_of_sql(), [user_id, user_id])
    return sorted({schema for schema, _row in rows})


def move_login_email(*, user, email: str) -> None:
    """The identity's login address changes everywhere it is a member: its portal accounts and
    staff memberships in every organisation follow in the same transaction."""
    try:
        with transaction.atomic():
            for schema in _schemas_with_memberships(user.pk):
                with schema_context(schema):
                    PortalAccount.objects.filter(user=user).update(login_email=email)
                    StaffMembership.objects.filter(user=user).update(email=email)
            user.email = email
            user.save(update_fields=["email"])
    except IntegrityError as exc:  # taken between the check and the change
        raise address_in_use("token") from exc
