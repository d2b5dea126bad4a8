"""Optional error reporting: on only when SENTRY_DSN is set."""

from __future__ import annotations


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float, release: str | None = None) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        traces_sample_rate=traces_sample_rate,
        # Residents' names, emails and IP addresses stay out of error reports.
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
