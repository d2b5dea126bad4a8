"""Validation and normalisation of portal host names.

A portal domain is a bare host name as RFC 1123 defines it, stored lower case and, when
internationalised, in its ASCII (punycode) form so that it matches the Host header browsers send.
"""

from __future__ import annotations

import ipaddress
import re

import idna
from django.conf import settings
from django.utils.translation import gettext as _

_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


class InvalidDomain(ValueError):
    """The value is not acceptable as a portal domain; the message says why."""


def normalise_domain(value: str) -> str:
    """Return the canonical form of ``value`` or raise :class:`InvalidDomain`."""
    host = _bare_host((value or "").strip())
    host = _ascii(host.removesuffix(".")).lower()
    _refuse_ip_address(host)
    labels = _labels(host)
    if host.startswith("xn--") or any(label.startswith("xn--") for label in labels):
        try:
            idna.decode(host)
        except idna.IDNAError as exc:
            raise InvalidDomain(_("This punycode domain name does not decode to a valid name.")) from exc
    if host == settings.PLATFORM_DOMAIN:
        raise InvalidDomain(_("This is the platform's own domain and cannot be an organisation's portal."))
    return host


def _bare_host(host: str) -> str:
    """``host`` when it is a host name alone: no scheme, path, user, wildcard, space, IP or port."""
    if not host:
        raise InvalidDomain(_("Enter a domain name, for example portal.example.com."))
    if _SCHEME.match(host) or host.lower().startswith(("http:", "https:")):
        raise InvalidDomain(_("Enter the host name only, without http:// or https://."))
    if any(char in host for char in "/?#\\"):
        raise InvalidDomain(_("Enter the host name only, without a path, query or fragment."))
    if "@" in host:
        raise InvalidDomain(_("Enter the host name only, without a user name."))
    if "*" in host:
        raise InvalidDomain(_("Wildcard domains are not allowed; add each portal domain separately."))
    if any(char.isspace() for char in host):
        raise InvalidDomain(_("A domain name cannot contain spaces."))
    if host.startswith("[") or host.count(":") > 1:
        raise InvalidDomain(_("IP addresses are not allowed; use a domain name."))
    if ":" in host:
        raise InvalidDomain(_("Enter the host name without a port number."))
    return host


def _ascii(host: str) -> str:
    """An internationalised name in its punycode form, as browsers send it."""
    if host.isascii():
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidDomain(
            _("This is not a valid internationalised domain name (%(reason)s).") % {"reason": exc}
        ) from exc


def _refuse_ip_address(host: str) -> None:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return
    raise InvalidDomain(_("IP addresses are not allowed; use a domain name."))


def _labels(host: str) -> list[str]:
    """The name's labels, each valid (RFC 1123), at least two, the last not numeric."""
    if len(host) > 253:
        raise InvalidDomain(_("A domain name can be at most 253 characters long."))
    labels = host.split(".")
    if len(labels) < 2:
        raise InvalidDomain(_("Enter a fully qualified domain name, for example portal.example.com."))
    for label in labels:
        if not label:
            raise InvalidDomain(_("A domain name cannot contain empty labels (two dots in a row)."))
        if len(label) > 63:
            raise InvalidDomain(_("Each part of a domain name can be at most 63 characters long."))
        if not _LABEL.match(label):
            raise InvalidDomain(
                _(
                    "“%(label)s” is not a valid part of a domain name: use letters, digits and hyphens, "
                    "not starting or ending with a hyphen."
                )
                % {"label": label}
            )
    if labels[-1].isdigit():
        raise InvalidDomain(_("The last part of a domain name cannot be numeric."))
    return labels
