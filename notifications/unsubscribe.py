"""One-click unsubscribe links: a signed (schema, account, kind), valid for that kind and account only.

Signed rather than stored: every optional email carries one, and a link keeps working however old
the email is. The schema is in it, so a link from one organisation means nothing on another's host.
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

from .kinds import KINDS

SALT = "notifications.unsubscribe"


def make_token(*, account, kind: str) -> str:
    return signing.dumps([connection.schema_name, account.pk, kind], salt=SALT, compress=True)


def read_token(token: str) -> tuple[int, str] | None:
    """The account id and kind of a valid link for the current organisation, else None."""
    try:
        schema_name, account_id, kind = signing.loads(token, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if schema_name != connection.schema_name or kind not in KINDS or not isinstance(account_id, int):
        return None
    return account_id, kind
