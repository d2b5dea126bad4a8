#!/bin/sh
# One image, four roles: web (gunicorn), worker (Celery), beat (Celery beat, one replica), migrate.
set -eu
cd "$(dirname "$0")/.."  # /app in the image

# Start with an empty Prometheus multi-process folder (files of a previous run would add old samples).
# In the chart's pods the folder is an emptyDir mount point, which cannot be removed (EBUSY):
# empty it instead of deleting it.
prepare_metrics_dir() {
  if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    find "$PROMETHEUS_MULTIPROC_DIR" -mindepth 1 -delete
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
    # --quiet: no start-up banner, so that every line on stdout is a JSON log line.
    exec celery -A config --quiet worker --loglevel "${LOG_LEVEL:-INFO}" \
      --concurrency "${CELERY_CONCURRENCY:-4}" --max-tasks-per-child 1000 -n "worker@%h" "$@"
    ;;
  beat)
    exec celery -A config --quiet beat --loglevel "${LOG_LEVEL:-INFO}" \
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
