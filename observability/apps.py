import logging

from django.apps import AppConfig
from django.conf import settings


class ObservabilityConfig(AppConfig):
    name = "observability"
    verbose_name = "Logs, metrics and error reporting"

    def ready(self) -> None:
        # Python warnings (e.g. from Celery or a library at start-up) become log records, so that
        # with JSON logs every line on stdout/stderr is one JSON object.
        if getattr(settings, "LOG_FORMAT", "") == "json":
            logging.captureWarnings(True)
