"""Local orchestration behind `make run` and `make test`.

Finds (or starts) PostgreSQL and Redis, then either runs the platform with demo data or the tests.

PostgreSQL: ``DATABASE_URL`` if set; else the machine's server on 127.0.0.1:5432 if it answers;
else an embedded PostgreSQL from the ``pgserver`` package, kept under ``.var/pgdata``.
Redis: ``REDIS_URL`` if set; else 127.0.0.1:6379 if it answers; else a ``redis-server`` started
from the machine's binary (installed with apt-get when missing and allowed).
With ``CITUS=1`` (and no DATABASE_URL) PostgreSQL is the local Citus cluster of scripts/citus.py
(a coordinator and two workers under ``.var/citus``); a DATABASE_URL at a Citus coordinator is
recognised as such, and tests then prepare their database on every node (tests/support/citus_cluster.py).
The staff console: built with npm (staff_console/build.py); Node.js and npm installed with apt-get
when missing and allowed.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / ".var"
PYTHON = sys.executable
DB_NAME = "energy_portal"


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def port_open(host: str, port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


# -- PostgreSQL ------------------------------------------------------------------------------------
def postgres_url() -> str:
    if os.environ.get("CITUS") == "1" and not os.environ.get("DATABASE_URL"):
        say("PostgreSQL: the local Citus cluster (scripts/citus.py; built and started when needed)")
        subprocess.run([PYTHON, str(ROOT / "scripts" / "citus.py"), "start"], check=True)
        return f"postgres://postgres@127.0.0.1:9700/{DB_NAME}"
    if os.environ.get("DATABASE_URL"):
        say("PostgreSQL: using DATABASE_URL")
        return os.environ["DATABASE_URL"]
    if port_open("127.0.0.1", 5432):
        say("PostgreSQL: using the local server on 127.0.0.1:5432")
        return f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
    say("PostgreSQL: none answers on 127.0.0.1:5432; starting the embedded one (pgserver) in .var/pgdata")
    import pgserver

    VAR.mkdir(exist_ok=True)
    server = pgserver.get_server(VAR / "pgdata", cleanup_mode=None)
    socket_dir = str(server.pgdata)
    return f"postgres://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"


def ensure_database(url: str) -> None:
    import psycopg
    from django_dsn import database_name, to_conninfo

    name = database_name(url)
    with psycopg.connect(to_conninfo(url, dbname="postgres"), autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
            say(f"PostgreSQL: created database {name}")


def is_citus_coordinator(url: str) -> bool:
    """The database has the Citus extension with worker nodes registered: tests prepare theirs alike."""
    import psycopg
    from django_dsn import to_conninfo

    with psycopg.connect(to_conninfo(url), autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'citus'").fetchone():
            return False
        return bool(connection.execute("SELECT count(*) FROM pg_dist_node WHERE groupid > 0").fetchone()[0])


# -- Redis -----------------------------------------------------------------------------------------
def redis_url() -> str:
    if os.environ.get("REDIS_URL"):
        say("Redis: using REDIS_URL")
        return os.environ["REDIS_URL"]
    if not port_open("127.0.0.1", 6379):
        binary = shutil.which("redis-server")
        if binary is None and shutil.which("apt-get") and os.geteuid() == 0:
            say("Redis: installing redis-server with apt-get")
            subprocess.run(["apt-get", "install", "-y", "-q", "redis-server"], check=False)
            binary = shutil.which("redis-server")
        if binary is None:
            sys.exit(
                "Redis is not running on 127.0.0.1:6379 and redis-server is not installed; set REDIS_URL."
            )
        say("Redis: starting redis-server on 127.0.0.1:6379")
        VAR.mkdir(exist_ok=True)
        subprocess.run(
            [
                binary,
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(VAR),
                "--logfile",
                str(VAR / "redis.log"),
            ],
            check=True,
        )
        for _ in range(50):
            if port_open("127.0.0.1", 6379):
                break
            time.sleep(0.1)
    else:
        say("Redis: using the local server on 127.0.0.1:6379")
    return "redis://127.0.0.1:6379/0"


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env["DATABASE_URL"] = postgres_url()
    ensure_database(env["DATABASE_URL"])
    if is_citus_coordinator(env["DATABASE_URL"]):
        say("PostgreSQL: a Citus coordinator (schema-based sharding): CITUS=1")
        env["CITUS"] = "1"
    else:
        env.pop("CITUS", None)
    env["REDIS_URL"] = redis_url()
    env.setdefault("PYTHONUNBUFFERED", "1")
    # Settings default to production (DEBUG off); these are development tools. Tests that need
    # production mode set DEBUG=0 for the processes they start.
    env["DEBUG"] = "1"
    return env


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def compile_messages(env: dict[str, str]) -> None:
    if (ROOT / "locale").exists() and shutil.which("msgfmt"):
        subprocess.run(
            [PYTHON, "manage.py", "compilemessages", "--ignore", ".venv"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def build_console() -> None:
    """The staff console's Vite build (staff_console/build.py): npm ci when needed, then vite build."""
    sys.path.insert(0, str(ROOT))
    from staff_console.build import ConsoleBuildError, ensure_built

    if shutil.which("npm") is None and shutil.which("apt-get") and os.geteuid() == 0:
        say("Node.js: installing nodejs and npm with apt-get (the staff console's build)")
        subprocess.run(["apt-get", "install", "-y", "-q", "nodejs", "npm"], check=False)

    try:
        ensure_built(say=say)
    except ConsoleBuildError as exc:
        sys.exit(str(exc))


# -- commands ----------------------------------------------------------------------------------------
def run() -> None:
    env = environment()
    compile_messages(env)
    build_console()
    say("Migrating the public schema, every organisation's schema and the tenant template")
    manage(env, "migrate_platform", "--verbosity", "0")
    say("Seeding demo organisations")
    manage(env, "seed_demo")
    children: list[subprocess.Popen] = []
    smtp_port = int(env.get("EMAIL_PORT", "1025"))
    if not port_open("127.0.0.1", smtp_port):
        children.append(
            subprocess.Popen(
                [PYTHON, "-m", "demo.mailsink", "--port", str(smtp_port), "--dir", str(VAR / "mail")],
                cwd=ROOT,
                env=env,
            )
        )
    children.append(
        subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--beat",
                "--loglevel",
                "WARNING",
                "--concurrency",
                "2",
                "--schedule",
                str(VAR / "celerybeat-schedule"),
            ],
            cwd=ROOT,
            env=env,
        )
    )
    children.append(subprocess.Popen([PYTHON, "manage.py", "runserver", "0.0.0.0:8000"], cwd=ROOT, env=env))
    say(
        "Running: portals on http://noord.localhost:8000/ and http://zuid.localhost:8000/, operator API on "
        "http://platform.localhost:8000/api/docs/; staff console on <portal>/staff/; emails are printed here and saved in .var/mail. Ctrl-C stops."
    )

    def stop(*_):
        for child in children:
            child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
        sys.exit(0)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while all(child.poll() is None for child in children):
        time.sleep(1)
    stop()


def test(args: list[str]) -> None:
    env = environment()
    compile_messages(env)
    build_console()
    os.chdir(ROOT)
    os.execvpe(PYTHON, [PYTHON, "-m", "pytest", *args], env)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    command = sys.argv[1] if len(sys.argv) > 1 else "run"
    if command == "run":
        run()
    elif command == "test":
        test(sys.argv[2:])
    else:
        sys.exit(f"unknown command {command}")
