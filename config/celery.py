"""The Celery application: Redis broker, tasks discovered in every app."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task metrics and the task id on every log line of a task (and the worker's /metrics port).
import observability.celery_hooks  # noqa: E402, F401
from observability.celery_liveness import ConsumingHeartbeat  # noqa: E402

# The worker's liveness file, touched while it consumes (CELERY_LIVENESS_FILE; docs/operations.md).
app.steps["consumer"].add(ConsumingHeartbeat)
