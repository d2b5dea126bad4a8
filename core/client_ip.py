"""The client's IP address, for throttling and the activity log.

Behind reverse proxies (the ingress) ``REMOTE_ADDR`` is the last proxy, and ``X-Forwarded-For``
is a list the client starts and every proxy appends to. Only the entries added by proxies we run
can be trusted, so exactly ``settings.TRUSTED_PROXIES`` hops are counted from the right; with 0 the
header is ignored (a client could otherwise pick a fresh address for every request and never be
throttled).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _address(value: str | None) -> str | None:
    """``value`` as a plain IP address (ports and IPv6 brackets dropped), or None if it is not one."""
    value = (value or "").strip()
    if not value:
        return None
    candidates = [value]
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        candidates.append(value[1 : value.index("]")])
    elif value.count(":") == 1:  # "203.0.113.7:51234"
        candidates.append(value.split(":", 1)[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def client_ip(request) -> str | None:
    """The address of the client as seen by the outermost trusted proxy (or by us, without proxies)."""
    meta = getattr(request, "META", None) or {}
    remote = _address(meta.get("REMOTE_ADDR"))
    hops = max(int(getattr(settings, "TRUSTED_PROXIES", 0) or 0), 0)
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    if hops == 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",")]
    # Our proxies appended the last ``hops`` entries; the first of those is the client they saw.
    chosen = entries[-min(hops, len(entries))]
    return _address(chosen) or remote
