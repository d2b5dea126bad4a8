"""The Celery application: Redis broker, tasks discovered in every app.

A ``tenant_schemas_celery`` app: a task carries the schema it was sent from (a message header) and
the worker runs it in that schema, with ``connection.tenant`` set (docs/architecture.md, "Storage
and tasks per organisation")."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = CeleryApp("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Task metrics and the task id on every log line of a task (and the worker's /metrics port).
import observability.celery_hooks  # noqa: E402, F401
from observability.celery_liveness import ConsumingHeartbeat  # noqa: E402

# The worker's liveness file, touched while it consumes (CELERY_LIVENESS_FILE; docs/operations.md).
app.steps["consumer"].add(ConsumingHeartbeat)
