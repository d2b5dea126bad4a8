"""Issuing, checking and revoking credentials."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.db import connection, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from core.errors import RuleViolation
from tenants import data_versions

from .models import AccessToken, OneTimeToken

# Fixed work for unknown key ids, so a miss and a wrong secret cost the same.
_DUMMY_HASH = hashlib.sha256(b"dummy").hexdigest()


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _split(raw: str) -> tuple[str, str] | None:
    if not raw or raw.count(".") != 1:
        return None
    key_id, secret = raw.split(".")
    if not key_id or not secret or len(key_id) > 24 or len(secret) > 128:
        return None
    return key_id, secret


def _new_pair() -> tuple[str, str]:
    return secrets.token_urlsafe(9), secrets.token_urlsafe(32)


# -- API access tokens ---------------------------------------------------------------------------
@dataclass(frozen=True)
class IssuedToken:
    token: AccessToken
    raw: str


def credential_fingerprint(user, *, secret: str | None = None) -> str:
    """Changes whenever the identity's password changes."""
    return salted_hmac(
        "credentials.AccessToken", user.password or "", secret=secret, algorithm="sha256"
    ).hexdigest()


def fingerprint_matches(stored: str, user) -> bool:
    """Also under the previous SECRET_KEYs, so that rotating the key does not log out every API client."""
    return any(
        hmac.compare_digest(stored, credential_fingerprint(user, secret=key))
        for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)
    )


def issue_access_token(
    *,
    user,
    ip: str | None = None,
    user_agent: str = "",
    lifetime_seconds: int | None = None,
    impersonated_by=None,
) -> IssuedToken:
    key_id, secret = _new_pair()
    lifetime = lifetime_seconds or settings.ACCESS_TOKEN_LIFETIME_SECONDS
    token = AccessToken.objects.create(
        key_id=key_id,
        secret_hash=_hash(secret),
        user=user,
        expires_at=timezone.now() + timedelta(seconds=lifetime),
        created_ip=ip,
        user_agent=(user_agent or "")[:300],
        credential_fingerprint=credential_fingerprint(user),
        impersonated_by=impersonated_by,
    )
    return IssuedToken(token=token, raw=f"{key_id}.{secret}")


# A token's last use (time and IP) is written at most this often: the list of signed-in devices
# needs no more precision, and a request within it costs no write.
LAST_USED_EVERY = timedelta(minutes=5)


def authenticate_access_token(raw: str, *, ip: str | None = None) -> AccessToken | None:
    """The live token matching ``raw`` in the current schema, or None (its last use noted, throttled)."""
    parts = _split(raw)
    if parts is None:
        return None
    key_id, secret = parts
    token = data_versions.remembered(
        "access_token",
        lambda: AccessToken.objects.select_related("user").filter(key_id=key_id).first(),
        key_id,
        scopes=_token_scopes(),
    )
    stored = token.secret_hash if token else _DUMMY_HASH
    if not hmac.compare_digest(stored, _hash(secret)) or token is None:
        return None
    now = timezone.now()
    if token.expires_at <= now or not token.user.is_active:
        return None
    if not fingerprint_matches(token.credential_fingerprint, token.user):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
        changes = {"last_used_at": now} if ip is None else {"last_used_at": now, "last_ip": ip}
        AccessToken.objects.filter(pk=token.pk).update(**changes)
        token.last_used_at = now
        token.last_ip = ip or token.last_ip
        # The last use has a scope of its own (tenants.written_tables): refresh the kept copy.
        data_versions.remember("access_token", token, key_id, scopes=_token_scopes())
    return token


def _token_scopes() -> tuple[str, str]:
    """What a token row depends on: the token table (its writes but the last use) and its user."""
    return (
        data_versions.table_scope(connection.schema_name, AccessToken._meta.db_table),
        data_versions.SHARED,
    )


def note_token_use(*, token_id: int, user, ip: str | None) -> bool:
    """A browser session's request: note its token's last use; False when that token no longer works
    (revoked, expired, or another user's), so that the session must end too."""
    now = timezone.now()
    changes = {"last_used_at": now} if ip is None else {"last_used_at": now, "last_ip": ip}
    return bool(AccessToken.objects.filter(pk=token_id, user=user, expires_at__gt=now).update(**changes))


def expired_impersonation_token(raw: str) -> AccessToken | None:
    """The impersonation token ``raw`` names if it ran out, so that its session can be closed."""
    parts = _split(raw)
    if parts is None:
        return None
    key_id, secret = parts
    token = AccessToken.objects.filter(key_id=key_id, impersonated_by__isnull=False).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        return None
    return token if token.expires_at <= timezone.now() else None


def revoke_access_token(*, token: AccessToken) -> None:
    AccessToken.objects.filter(pk=token.pk).delete()


def revoke_session_token(*, user, token_id: int | None) -> None:
    """The token a browser session's login issued (its id is kept in the session) ends with it."""
    if token_id is not None:
        AccessToken.objects.filter(pk=token_id, user=user).delete()


class TokenNotFound(RuleViolation):
    def __init__(self):
        super().__init__(str(_("No such API token of yours here.")), code="not_found", http_status=404)


def revoke_own_access_token(*, user, key_id: str) -> None:
    """One of the caller's own API tokens in this schema (not an impersonation's: that is stopped)."""
    deleted, _count = AccessToken.objects.filter(
        user=user, key_id=key_id, impersonated_by__isnull=True
    ).delete()
    if not deleted:
        raise TokenNotFound()


def revoke_other_access_tokens(*, user, keep_id: int | None) -> int:
    """Every API token of the caller in this schema but the one in use (impersonations stay)."""
    queryset = AccessToken.objects.filter(user=user, impersonated_by__isnull=True)
    if keep_id is not None:
        queryset = queryset.exclude(pk=keep_id)
    deleted, _count = queryset.delete()
    return deleted


def revoke_access_tokens(*, user, token_ids) -> int:
    """These tokens of ``user`` in this schema (ids of another user's are ignored)."""
    deleted, _count = AccessToken.objects.filter(user=user, pk__in=list(token_ids)).delete()
    return deleted


def revoke_user_access_tokens(*, user) -> int:
    """Every token of ``user`` in the current schema (other schemas' tokens die with the password)."""
    deleted, _ = AccessToken.objects.filter(user=user).delete()
    return deleted


def delete_user_sessions(*, user) -> int:
    """Every live browser session of ``user`` in the current schema (sessions are per schema)."""
    return delete_sessions(user=user)


def delete_sessions(*, user, where=None, keep_session_key: str | None = None) -> int:
    """The live browser sessions of ``user`` in the current schema whose data ``where`` accepts
    (all without it), except the session ``keep_session_key``.

    Session data is signed and encoded, so the live sessions are read once and decoded here; they
    live at most ``SESSION_COOKIE_AGE``, which bounds the work. Used for rare actions only (staff
    logging someone out, a resident signing out a device).
    """
    keys = []
    for session in (
        Session.objects.filter(expire_date__gt=timezone.now())
        .only("session_key", "session_data")
        .iterator(chunk_size=500)
    ):
        if session.session_key == keep_session_key:
            continue
        data = session.get_decoded()
        if str(data.get(SESSION_KEY)) == str(user.pk) and (where is None or where(data)):
            keys.append(session.session_key)
    deleted, _ = Session.objects.filter(session_key__in=keys).delete()
    return deleted


def subject_id(token: OneTimeToken) -> str:
    return token.subject.split(":", 1)[1]


# -- single-use email tokens ---------------------------------------------------------------------
class TokenError(RuleViolation):
    messages = {
        "token_invalid": _("This link is not valid. Ask for a new one."),
        "token_expired": _("This link has expired. Ask for a new one."),
        "token_used": _("This link has already been used. Ask for a new one if you still need it."),
    }

    def __init__(self, code: str):
        super().__init__(str(self.messages[code]), code=code, field="token")


@dataclass(frozen=True)
class IssuedOneTimeToken:
    token: OneTimeToken
    raw: str


def issue_one_time_token(
    *,
    purpose: str,
    subject: str,
    email: str,
    payload: dict | None = None,
    lifetime_seconds: int | None = None,
) -> IssuedOneTimeToken:
    """A new token for ``subject``; every older unused token for the same purpose stops working."""
    now = timezone.now()
    OneTimeToken.objects.filter(purpose=purpose, subject=subject, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    key_id, secret = _new_pair()
    lifetime = lifetime_seconds or settings.TOKEN_LIFETIMES[purpose]
    token = OneTimeToken.objects.create(
        key_id=key_id,
        secret_hash=_hash(secret),
        purpose=purpose,
        subject=subject,
        email=email,
        payload=payload or {},
        expires_at=now + timedelta(seconds=lifetime),
    )
    return IssuedOneTimeToken(token=token, raw=f"{key_id}.{secret}")


def check_one_time_token(
    *, raw: str, purpose: str, subject_prefix: str = "", for_update: bool = False
) -> OneTimeToken:
    """The token for ``raw`` if it may still be used; raises :class:`TokenError` otherwise.

    ``subject_prefix`` keeps a token for one kind of subject (``"staff:"``) from being accepted
    where another is expected (``"customer:"``).
    """
    parts = _split(raw or "")
    if parts is None:
        raise TokenError("token_invalid")
    key_id, secret = parts
    queryset = OneTimeToken.objects.filter(key_id=key_id, purpose=purpose)
    if for_update:
        queryset = queryset.select_for_update()
    token = queryset.first()
    stored = token.secret_hash if token else _DUMMY_HASH
    if not hmac.compare_digest(stored, _hash(secret)) or token is None:
        raise TokenError("token_invalid")
    if not token.subject.startswith(subject_prefix):
        raise TokenError("token_invalid")
    if token.used_at is not None:
        raise TokenError("token_used")
    if token.revoked_at is not None:
        raise TokenError("token_invalid")
    if token.expires_at <= timezone.now():
        raise TokenError("token_expired")
    return token


@transaction.atomic
def consume_one_time_token(*, raw: str, purpose: str, subject_prefix: str = "") -> OneTimeToken:
    """Check and mark used in one step; a concurrent second use waits on the row lock and fails."""
    token = check_one_time_token(raw=raw, purpose=purpose, subject_prefix=subject_prefix, for_update=True)
    token.used_at = timezone.now()
    token.save(update_fields=["used_at"])
    return token


def revoke_one_time_tokens(*, subject: str, purpose: str | None = None) -> int:
    queryset = OneTimeToken.objects.filter(subject=subject, used_at=None, revoked_at=None)
    if purpose:
        queryset = queryset.filter(purpose=purpose)
    return queryset.update(revoked_at=timezone.now())
