"""gunicorn settings for the web container (docker/entrypoint.sh web). Values come from the environment."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# gthread: chosen by measurement (benchmarks/http_load.py --worker-models, docs/performance.md).
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so that a slow leak never takes a pod down.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
# The ingress terminates TLS and sets X-Forwarded-Proto. It counts only behind trusted proxies
# (TRUSTED_PROXIES, as Django's SECURE_PROXY_SSL_HEADER): then gunicorn sets the WSGI scheme from it
# too, which is what WSGI-level readers (Sentry's request URL) see; else nothing derives a scheme.
forwarded_allow_ips = "*"
secure_scheme_headers: dict[str, str] = (
    {"X-FORWARDED-PROTO": "https"} if int(os.environ.get("TRUSTED_PROXIES", "0") or 0) > 0 else {}
)
# The root filesystem is read-only; heartbeat files go to memory.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
# gunicorn 25.1+ opens a control socket in $HOME/.gunicorn by default: /app is read-only and
# nothing here uses gunicornc, so there is none.
control_socket_disable = True

# Logs: one JSON object per line, like the application's (observability.logs). Django logs one
# line per request (observability.middleware); gunicorn's access log would repeat it, so it is off
# unless GUNICORN_ACCESS_LOG=1, and then it is JSON too and never carries the raw path (tokens in
# links) or the client's address.
_access_log_on = os.environ.get("GUNICORN_ACCESS_LOG", "0") == "1"
accesslog = None  # the "access" handler below writes it (to stdout) when _access_log_on is set
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "observability.logs.ContextFilter"},
        "access": {"()": "observability.logs.GunicornAccessFilter"},
    },
    "formatters": {
        "json": {
            "()": "observability.logs.PortalJsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(schema)s %(request_id)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["context"],
            "stream": "ext://sys.stderr",
        },
        "access": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "filters": ["access", "context"],
            "stream": "ext://sys.stdout",
        },
    },
    "root": {"handlers": ["console"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {
            "handlers": ["access"] if _access_log_on else [],
            "level": "INFO" if _access_log_on else "CRITICAL",
            "propagate": False,
        },
    },
}


def _empty_folder(directory: str) -> None:
    """Remove what is inside ``directory`` but not the folder itself (an emptyDir mount point in the pods)."""
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    for entry in folder.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def on_starting(server) -> None:
    """Start each run with an empty Prometheus multi-process folder (stale files would add old samples)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        _empty_folder(directory)


def child_exit(server, worker) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
