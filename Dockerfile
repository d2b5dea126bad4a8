# syntax=docker/dockerfile:1
# Multi-stage image: build wheels with the compilers, run without them.
#   docker build -t energy-portal .
#   docker run energy-portal web|worker|beat|migrate|manage <command>

ARG PYTHON_VERSION=3.11
# The staff console's build (staff_console/): Node only in its own stage, never in the image.
ARG NODE_VERSION=20.20.2

# --- console: the staff console's Vite build, from its lock file ------------------------------
FROM node:${NODE_VERSION}-bookworm-slim AS console
WORKDIR /console
COPY staff_console/package.json staff_console/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY staff_console/vite.config.js ./
COPY staff_console/src ./src
RUN npm run build

# --- build: wheels for every pinned dependency ------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /build
# Only the runtime dependencies (make lock writes both files); dev tools never enter the image.
# Every file must match a hash in the lock: nothing unpinned or altered gets in.
COPY requirements-build.lock requirements-runtime.lock ./
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps -r requirements-build.lock \
 && /opt/venv/bin/pip install --require-hashes --no-deps --no-build-isolation -r requirements-runtime.lock

# --- runtime ----------------------------------------------------------------------------------
FROM python:${PYTHON_VERSION}-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    DEBUG=0 \
    LOG_FORMAT=json \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus \
    MEDIA_ROOT=/app/media
# Run-time libraries only: libpq for psycopg, Pango/HarfBuzz for WeasyPrint's invoice PDFs, gettext
# is not needed (compiled catalogues are in the repository).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      fonts-dejavu-core tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 portal \
 && useradd --system --uid 10001 --gid portal --home-dir /app --shell /usr/sbin/nologin portal
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root . /app
# The console's hashed files, served by WhiteNoise under /staff/assets/ (staff_console/assets.py).
COPY --from=console --chown=root:root /console/dist /app/staff_console/dist
# Hashed, compressed static files for WhiteNoise; DEBUG=1 only so that settings need no secrets here.
# Bytecode for every module of the application (the root filesystem is read-only at run time, so
# Python could not cache it there).
RUN DEBUG=1 STATIC_MANIFEST=1 python manage.py collectstatic --noinput --verbosity 0 \
 && python -m compileall -q -j 0 /app \
 && mkdir -p /app/media && chown portal:portal /app/media
USER 10001:10001
EXPOSE 8000 9808
ENTRYPOINT ["/usr/bin/tini", "--", "/app/docker/entrypoint.sh"]
CMD ["web"]
