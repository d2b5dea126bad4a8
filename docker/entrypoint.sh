#!/bin/sh
# One image, four roles: web (gunicorn), worker (Celery), beat (Celery beat, one replica), migrate.
set -eu
cd "$(dirname "$0")/.."  # /app in the image

prepare_metrics_dir() {
  if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
  fi
}

role="${1:-web}"
[ $# -gt 0 ] && shift
case "$role" in
  web)
    exec gunicorn config.wsgi:application --config config/gunicorn.py "$@"
    ;;
  worker)
    prepare_metrics_dir
    exec celery -A config worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --max-tasks-per-child 1000 -n "worker@%h" "$@"
    ;;
  beat)
    exec celery -A config beat --loglevel "${LOG_LEVEL:-INFO}" \
      --schedule "${CELERY_BEAT_SCHEDULE_FILE:-/tmp/celerybeat-schedule}" "$@"
    ;;
  migrate)
    exec python manage.py migrate_platform "$@"
    ;;
  manage)
    exec python manage.py "$@"
    ;;
  *)
    echo "usage: entrypoint.sh web|worker|beat|migrate|manage <command>" >&2
    exit 64
    ;;
esac
