"""A production-mode environment for the processes that deploy tests start."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.support.live import child_environment

METRICS_TOKEN = "metrics-token-for-tests-0123456789"


def production_environment(**extra: str) -> dict[str, str]:
    env = child_environment(
        DEBUG="0",
        TESTING="1",
        SECRET_KEY="production-like-secret-key-for-the-test-suite-0123456789",
        EMAIL_HOST="smtp.invalid",
        METRICS_TOKEN=METRICS_TOKEN,
        # Behind the ingress, as the chart deploys it: its X-Forwarded-Proto counts.
        TRUSTED_PROXIES="1",
        LOG_FORMAT="json",
        REQUEST_LOG_LEVEL="INFO",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",
        **extra,
    )
    env.pop("PORTAL_URL_PORT", None)
    return env


def fetch(port: int, path: str, host: str = "portal.noord.test", headers: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Host": host, **(headers or {})}
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def secure(headers: dict | None = None) -> dict:
    return {"X-Forwarded-Proto": "https", **(headers or {})}
