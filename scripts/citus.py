"""A local Citus cluster behind `make citus`, `make run CITUS=1` and `make test CITUS=1`.

``build``  installs Citus into the machine's PostgreSQL when it is missing: from
           ``../shared/vendor/citus`` when present, else the upstream release of the same tag;
           build dependencies with apt-get (as root).
``start``  a coordinator and two workers under ``.var/citus`` on ports 9700-9702, registered, with
           schema-based sharding on; PgBouncer (session pooling) on 9760 when installed.
``stop``   stops them; ``status`` prints the nodes; ``url`` prints the coordinator's DATABASE_URL.

The servers run as the ``postgres`` user when this runs as root (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITUS_DIR = ROOT / ".var" / "citus"
VERSION = "13.2.2"
VENDOR = ROOT.parent / "shared" / "vendor" / "citus"
UPSTREAM = f"https://github.com/citusdata/citus/archive/refs/tags/v{VERSION}.tar.gz"
BUILD_PACKAGES = ["libcurl4-openssl-dev", "liblz4-dev", "libzstd-dev", "libkrb5-dev", "make", "gcc"]
HOST = "127.0.0.1"
COORDINATOR_PORT = 9700
WORKER_PORTS = (9701, 9702)
PGBOUNCER_PORT = 9760
DATABASE = "energy_portal"


def say(message: str) -> None:
    print(f"==> citus: {message}", flush=True)


def as_root() -> bool:
    return os.geteuid() == 0


def apt_install(packages: list[str]) -> None:
    if not packages:
        return
    if not (shutil.which("apt-get") and as_root()):
        sys.exit(f"citus: needs the Debian packages {' '.join(packages)}; install them (as root) and retry")
    say(f"installing {' '.join(packages)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", *packages], env=env, check=False)
    missing = [package for package in packages if not _package_installed(package)]
    if missing:
        subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], env=env, check=True)


def _package_installed(package: str) -> bool:
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True, check=False
    )
    return "install ok installed" in result.stdout


# -- the machine's PostgreSQL --------------------------------------------------------------------
def pg_major() -> str:
    """The major version of the machine's newest installed PostgreSQL server (Debian layout)."""
    versions = sorted(
        (path.name for path in Path("/usr/lib/postgresql").glob("*") if (path / "bin" / "postgres").exists()),
        key=int,
    )
    if not versions:
        sys.exit("citus: no PostgreSQL server under /usr/lib/postgresql; install postgresql first")
    return versions[-1]


def pg_bin(name: str) -> str:
    return f"/usr/lib/postgresql/{pg_major()}/bin/{name}"


def citus_installed() -> bool:
    major = pg_major()
    return (
        Path(f"/usr/lib/postgresql/{major}/lib/citus.so").exists()
        and Path(f"/usr/share/postgresql/{major}/extension/citus.control").exists()
    )


# -- build ------------------------------------------------------------------------------------------
def build() -> None:
    if citus_installed():
        say(f"Citus is installed in PostgreSQL {pg_major()}")
        return
    major = pg_major()
    apt_install([f"postgresql-server-dev-{major}", *BUILD_PACKAGES])
    work = Path(tempfile.mkdtemp(prefix="citus-build-"))
    source = _unpack_source(work)
    header = Path(f"/usr/include/postgresql/{major}/server/commands/dbcommands.h")
    vendor_patch = VENDOR / "pg15.20-have_createdb_privilege.patch"
    # PostgreSQL 15.20 exports have_createdb_privilege(), which Citus 13.2.2 also defines as a
    # static function for 15 ("static declaration follows non-static declaration").
    if header.exists() and "have_createdb_privilege" in header.read_text() and vendor_patch.exists():
        say("applying the have_createdb_privilege patch (PostgreSQL exports that function)")
        subprocess.run(["patch", "-p1", "-i", str(vendor_patch)], cwd=source, check=True)
    jobs = str(os.cpu_count() or 1)
    env = dict(os.environ, PG_CONFIG=pg_bin("pg_config"))
    say(f"building Citus {VERSION} (several minutes)")
    subprocess.run(["./configure", "--quiet"], cwd=source, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["make", "-s", "-j", jobs], cwd=source, env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["make", "-s", "install"], cwd=source, env=env, check=True, stdout=subprocess.DEVNULL)
    shutil.rmtree(work, ignore_errors=True)
    if not citus_installed():
        sys.exit("citus: the build finished but citus.so is not installed")
    say(f"Citus {VERSION} installed")


def _unpack_source(work: Path) -> Path:
    archive = VENDOR / f"citus-{VERSION}.tar.gz"
    if not archive.exists():
        say(f"downloading {UPSTREAM}")
        archive = work / "citus.tar.gz"
        urllib.request.urlretrieve(UPSTREAM, archive)
    with tarfile.open(archive) as bundle:
        bundle.extractall(work, filter="data")
    configure = next(work.glob("**/configure"))
    return configure.parent


# -- cluster ----------------------------------------------------------------------------------------
NODES = {"coordinator": COORDINATOR_PORT, "worker1": WORKER_PORTS[0], "worker2": WORKER_PORTS[1]}
SETTINGS = {
    "shared_preload_libraries": "'citus'",
    "listen_addresses": f"'{HOST}'",
    "unix_socket_directories": "''",
    "wal_level": "logical",  # citus_schema_move copies with logical replication
    "max_prepared_transactions": "100",  # writes to reference tables commit in two phases
    "max_connections": "300",
    # Citus keeps a maintenance daemon per database on every node, and each schema move needs a
    # logical replication worker: with PostgreSQL's default 8 background workers a move waits
    # (up to citus.logical_replication_timeout) once a few databases exist (tests, benchmarks).
    "max_worker_processes": "64",
    "max_logical_replication_workers": "16",
    "max_wal_senders": "40",
    "max_replication_slots": "40",
    "fsync": "off",  # a development and test cluster: throw-away data, speed over durability
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "citus.enable_schema_based_sharding": "on",
    "citus.max_shared_pool_size": "200",
    "log_min_messages": "warning",
}


def _run_as_postgres(command: list[str], **kwargs) -> subprocess.CompletedProcess:
    if as_root():
        command = ["runuser", "-u", "postgres", "--", *command]
    kwargs.setdefault("cwd", "/")  # the postgres user may not enter the current folder
    return subprocess.run(command, **kwargs)


def _ready(port: int) -> bool:
    result = subprocess.run(
        [pg_bin("pg_isready"), "-h", HOST, "-p", str(port), "-q"], check=False, capture_output=True
    )
    return result.returncode == 0


def _ensure_cluster_dir() -> None:
    """``.var/citus``, reachable by the ``postgres`` user the servers run as.

    A checkout whose parent folders the ``postgres`` user may not enter (a root-only home, say)
    gets its cluster under /var/lib/postgresql instead, with ``.var/citus`` a link to it.
    """
    if CITUS_DIR.exists() or not as_root():
        CITUS_DIR.mkdir(parents=True, exist_ok=True)
        return
    CITUS_DIR.parent.mkdir(parents=True, exist_ok=True)
    reachable = _run_as_postgres(["test", "-x", str(CITUS_DIR.parent)], check=False).returncode == 0
    if reachable:
        CITUS_DIR.mkdir()
        return
    digest = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    elsewhere = Path("/var/lib/postgresql/energy-portal") / f"citus-{digest}"
    elsewhere.mkdir(parents=True, exist_ok=True)
    shutil.chown(elsewhere.parent, "postgres", "postgres")
    CITUS_DIR.symlink_to(elsewhere, target_is_directory=True)
    say(f"{CITUS_DIR} links to {elsewhere} (the postgres user cannot enter this checkout)")


def _initdb(name: str, port: int) -> Path:
    data = CITUS_DIR.resolve() / name
    if (data / "PG_VERSION").exists():
        return data
    data.mkdir(parents=True, exist_ok=True)
    if as_root():
        shutil.chown(CITUS_DIR.resolve(), "postgres", "postgres")
        shutil.chown(data, "postgres", "postgres")
    _run_as_postgres(
        [
            pg_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# energy portal: local Citus cluster (scripts/citus.py)\ninclude 'energy_portal.conf'\n"
        )
    return data


def _write_settings(data: Path, port: int) -> bool:
    """Writes this script's settings for a node; True when they changed (the node must restart)."""
    conf = data / "postgresql.conf"
    if "include 'energy_portal.conf'" not in conf.read_text():
        with open(conf, "a") as handle:
            handle.write("\ninclude 'energy_portal.conf'\n")
    wanted = "".join(f"{key} = {value}\n" for key, value in SETTINGS.items()) + f"port = {port}\n"
    path = data / "energy_portal.conf"
    if path.exists() and path.read_text() == wanted:
        return False
    path.write_text(wanted)
    if as_root():
        shutil.chown(path, "postgres", "postgres")
    return True


def _psql(port: int, sql: str, database: str = DATABASE) -> str:
    result = subprocess.run(
        [pg_bin("psql"), "-h", HOST, "-p", str(port), "-U", "postgres", "-d", database, "-Atqc", sql],
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()


def prepare_database(database: str) -> None:
    """Creates ``database`` on every node with the extension, and registers the nodes in it.

    Citus keeps its metadata per database: a test database needs the same set-up as the main one.
    """
    for port in NODES.values():
        exists = _psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{database}'", "postgres")  # noqa: S608 - our own name
        if not exists:
            _psql(port, f'CREATE DATABASE "{database}"', "postgres")
        _psql(port, "CREATE EXTENSION IF NOT EXISTS citus", database)
    _psql(COORDINATOR_PORT, f"SELECT citus_set_coordinator_host('{HOST}', {COORDINATOR_PORT})", database)
    for port in WORKER_PORTS:
        _psql(COORDINATOR_PORT, f"SELECT citus_add_node('{HOST}', {port})", database)


def start() -> None:
    build()
    _ensure_cluster_dir()
    for name, port in NODES.items():
        data = _initdb(name, port)
        changed = _write_settings(data, port)
        if _ready(port):
            if changed and (data / "postmaster.pid").exists():
                say(f"restarting {name}: its settings changed")
                _run_as_postgres(
                    [
                        pg_bin("pg_ctl"),
                        "-D",
                        str(data),
                        "-l",
                        str(data / "server.log"),
                        "-w",
                        "-m",
                        "fast",
                        "restart",
                    ],
                    check=True,
                    stdout=subprocess.DEVNULL,
                )
            continue
        say(f"starting {name} on {HOST}:{port}")
        _run_as_postgres(
            [pg_bin("pg_ctl"), "-D", str(data), "-l", str(data / "server.log"), "-w", "-t", "60", "start"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    for port in NODES.values():
        for _ in range(100):
            if _ready(port):
                break
            time.sleep(0.1)
    prepare_database(DATABASE)
    start_pgbouncer()
    say(f"cluster ready: coordinator {HOST}:{COORDINATOR_PORT}, workers {', '.join(map(str, WORKER_PORTS))}")


def stop() -> None:
    stop_pgbouncer()
    for name in NODES:
        data = CITUS_DIR.resolve() / name
        if (data / "postmaster.pid").exists():
            say(f"stopping {name}")
            _run_as_postgres([pg_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False)


def url(database: str = DATABASE) -> str:
    return f"postgres://postgres@{HOST}:{COORDINATOR_PORT}/{database}"


# -- PgBouncer ---------------------------------------------------------------------------------------


def _pgbouncer_dir() -> Path:
    return CITUS_DIR.resolve() / "pgbouncer"


def start_pgbouncer() -> bool:
    """PgBouncer in session mode in front of the coordinator (docs/scaling.md, section 3)."""
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).exists():
        apt_install(["pgbouncer"])
    if not Path(binary).exists():
        say("PgBouncer is not installed; skipping it")
        return False
    if _ready(PGBOUNCER_PORT):
        return True
    _pgbouncer_dir().mkdir(parents=True, exist_ok=True)
    (_pgbouncer_dir() / "userlist.txt").write_text('"postgres" ""\n')
    (_pgbouncer_dir() / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={HOST} port={COORDINATOR_PORT}\n"
        "[pgbouncer]\n"
        f"listen_addr = {HOST}\n"
        f"listen_port = {PGBOUNCER_PORT}\n"
        "unix_socket_dir =\n"
        "auth_type = trust\n"
        f"auth_file = {_pgbouncer_dir() / 'userlist.txt'}\n"
        "pool_mode = session\n"
        "max_client_conn = 400\n"
        "default_pool_size = 40\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {_pgbouncer_dir() / 'pgbouncer.log'}\n"
        f"pidfile = {_pgbouncer_dir() / 'pgbouncer.pid'}\n"
    )
    if as_root():
        for path in [_pgbouncer_dir(), *_pgbouncer_dir().iterdir()]:
            shutil.chown(path, "postgres", "postgres")
    say(f"starting PgBouncer (session pooling) on {HOST}:{PGBOUNCER_PORT}")
    _run_as_postgres([binary, "-d", str(_pgbouncer_dir() / "pgbouncer.ini")], check=True)
    for _ in range(50):
        if _ready(PGBOUNCER_PORT):
            return True
        time.sleep(0.1)
    return False


def stop_pgbouncer() -> None:
    pidfile = _pgbouncer_dir() / "pgbouncer.pid"
    if pidfile.exists():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(pidfile.read_text().strip()), 15)


def status() -> None:
    for name, port in NODES.items():
        print(f"{name:12} {HOST}:{port} {'up' if _ready(port) else 'down'}")
    print(f"{'pgbouncer':12} {HOST}:{PGBOUNCER_PORT} {'up' if _ready(PGBOUNCER_PORT) else 'down'}")


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else "start"
    actions = {"build": build, "start": start, "stop": stop, "status": status, "url": lambda: print(url())}
    if command not in actions:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(actions)}}}")
    actions[command]()
