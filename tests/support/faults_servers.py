"""Servers that the fault tests start, break and start again: a PostgreSQL of their own, gunicorn.

The PostgreSQL runs from the machine's binaries (or those of the ``pgserver`` package) in a
temporary folder on its own port, so stopping it touches nothing else. It is filled with a copy of
the test database (pg_dump into psql: a second or two) instead of running every migration.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from tests.support.common import free_port
from tests.support.live import PortalServer


def _binaries() -> Path:
    """The newest PostgreSQL binaries on this machine, else the ones pgserver ships."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    if found:
        return Path(found[-1]).parent
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def _run_as() -> str | None:
    """PostgreSQL refuses to run as root: then it runs as the postgres (or pgserver's) user."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam("postgres").pw_name
    except KeyError:
        from pgserver.utils import ensure_user_exists

        return ensure_user_exists("pgserveruser").pw_name


class OwnPostgres:
    def __init__(self) -> None:
        self.bin = _binaries()
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="portal-test-pg-"))
        self.data = self.directory / "data"
        self.user = _run_as()
        if self.user:
            shutil.chown(self.directory, self.user)

    def _run(self, *args: str, check: bool = True, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.bin / args[0]), *args[1:]],
            user=self.user,
            check=check,
            capture_output=True,
            text=True,
            cwd=self.directory,
            **kwargs,
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.directory}'\nfsync = off\n"
                "synchronous_commit = off\nfull_page_writes = off\nmax_connections = 50\n"
            )

    def start(self) -> None:
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.directory / "log"), "-w", "-t", "30", "start"
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "30", "stop", check=False)

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def copy_database(self, name: str) -> None:
        """A copy of the test database (committed data: the organisations of the test session)."""
        source = settings.DATABASES["default"]
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        dump = subprocess.run(
            [
                str(self.bin / "pg_dump"),
                "-h",
                source["HOST"] or "127.0.0.1",
                "-p",
                str(source["PORT"] or 5432),
                "-U",
                source["USER"] or "postgres",
                "--no-owner",
                "--no-privileges",
                source["NAME"],
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PGPASSWORD": source.get("PASSWORD") or ""},
        )
        self._run(
            "psql",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            name,
            input=dump.stdout.decode(),
        )

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


# Production settings (DEBUG off: errors answer as they do in production, not as debug pages),
# without what needs a TLS proxy or collected static files in front.
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "fault-tests-production-like-secret-key-0123456789abcdef",
    "ALLOW_LOCAL_SMTP": "1",
    "SECURE_SSL_REDIRECT": "0",
    "STATIC_MANIFEST": "0",
}


class AppServer(PortalServer):
    """PortalServer (gunicorn, 2 workers) with production settings and extra environment, e.g.
    another DATABASE_URL."""

    def __init__(self, **environment: str) -> None:
        super().__init__(**{**PRODUCTION, **environment})


@dataclass
class Answer:
    status: int
    body: dict | None
    content_type: str
    seconds: float
    raw: bytes


def http(
    server: PortalServer, host: str, method: str, path: str, body: dict | None = None, timeout=15
) -> Answer:
    """One request to the server on 127.0.0.1 with ``host`` as Host header; errors are answers too
    (status 0: no answer at all within ``timeout``)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"http://127.0.0.1:{server.port}{path}",
        data=data,
        method=method,
        headers={"Host": host, "Content-Type": "application/json", "Accept-Language": "en"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http://127.0.0.1 only
            status, raw, content_type = (
                response.status,
                response.read(),
                response.headers.get("Content-Type", ""),
            )
    except urllib.error.HTTPError as error:
        status, raw, content_type = error.code, error.read(), error.headers.get("Content-Type", "")
    except OSError as error:  # no answer at all (refused, reset, timed out): status 0
        status, raw, content_type = 0, str(error).encode(), ""
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    return Answer(status, parsed, content_type, time.monotonic() - started, raw)
