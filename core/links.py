"""Absolute links back to the platform, on the address the client used: scheme, host and port.

Django's ``build_absolute_uri`` takes the Host header as it is, so a client (or a proxy) that leaves
the port out of it gets links to the default port. The scheme is ``request.scheme``, which honours
``X-Forwarded-Proto`` only behind trusted proxies (settings.SECURE_PROXY_SSL_HEADER follows
TRUSTED_PROXIES). A port missing from Host is, behind trusted proxies, the one the proxy forwards
(``X-Forwarded-Port``; none means the scheme's default), and without proxies the port the request
came in on.
"""

from __future__ import annotations

from django.conf import settings
from django.http.request import split_domain_port

DEFAULT_PORTS = {"http": "80", "https": "443"}


def request_origin(request) -> str:
    """``scheme://host[:port]`` of the request, the port left out only when it is the default."""
    scheme = request.scheme
    host = request.get_host()
    _domain, port = split_domain_port(host)
    if not port:
        if settings.TRUSTED_PROXIES > 0:
            forwarded = request.META.get("HTTP_X_FORWARDED_PORT", "")
            port = forwarded.split(",")[-1].strip()  # the nearest proxy's word
        else:
            port = str(request.META.get("SERVER_PORT", ""))
        if port.isdigit() and port != DEFAULT_PORTS.get(scheme):
            host = f"{host}:{port}"
    return f"{scheme}://{host}"


def absolute_uri(request, location: str | None = None) -> str:
    """The absolute form of ``location`` (a path), or of the request's own path and query."""
    return request_origin(request) + (location if location is not None else request.get_full_path())
