"""Production fails closed: DEBUG is off unless turned on, the demo never exists in production.

Each check starts Django in a child process with an environment as a deployment gives it (no
DEBUG variable at all, or DEBUG=0), so that what is tested is what settings.py decides at start-up.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support.common import free_port, wait_until
from tests.support.live import ROOT, child_environment

pytestmark = pytest.mark.slow

PRODUCTION_SECRET = "production-like-secret-key-for-the-test-suite-0123456789"
SHOW_SETTINGS = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps({'debug': settings.DEBUG, 'apps': settings.INSTALLED_APPS}))"
)


def production_environment(**extra: str) -> dict[str, str]:
    """The test session's services with DEBUG unset: what a deployment that forgot DEBUG runs with."""
    env = child_environment(SECRET_KEY=PRODUCTION_SECRET, EMAIL_HOST="smtp.invalid")
    env.pop("DEBUG", None)
    return {**env, **extra}


def run_python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_debug_is_off_and_the_demo_app_absent_when_the_environment_says_nothing(django_db_setup):
    shown = run_python(production_environment(), "-c", SHOW_SETTINGS)
    assert shown.returncode == 0, shown.stderr
    decided = json.loads(shown.stdout)
    assert decided["debug"] is False
    assert "demo" not in decided["apps"]


def test_debug_on_is_asked_for_explicitly_and_brings_the_demo_app(django_db_setup):
    shown = run_python(production_environment(DEBUG="1"), "-c", SHOW_SETTINGS)
    assert shown.returncode == 0, shown.stderr
    decided = json.loads(shown.stdout)
    assert decided["debug"] is True
    assert "demo" in decided["apps"]


@pytest.mark.parametrize("missing", ["SECRET_KEY", "DATABASE_URL"])
def test_without_debug_a_missing_secret_stops_the_start(django_db_setup, missing):
    env = production_environment()
    env.pop(missing)
    shown = run_python(env, "-c", SHOW_SETTINGS)
    assert shown.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in shown.stderr


def _counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tenants.models import Organisation

    connection.set_schema_to_public()
    return {
        "organisations": Organisation.objects.count(),
        "users": get_user_model().objects.count(),
        "demo operator": get_user_model().objects.filter(email="operator@platform.localhost").count(),
    }


@pytest.mark.parametrize("debug", [None, "0"])
def test_seed_demo_refuses_in_production_and_writes_nothing(django_db_setup, django_db_blocker, debug):
    env = production_environment(**({"DEBUG": debug} if debug is not None else {}))
    with django_db_blocker.unblock():
        before = _counts()
    command = run_python(env, "manage.py", "seed_demo")
    assert command.returncode != 0
    assert "Unknown command: 'seed_demo'" in command.stderr, command.stderr
    # The seeding function itself, reached without the command, refuses too.
    direct = run_python(env, "manage.py", "shell", "-c", "from demo.seeding import seed_demo; seed_demo()")
    assert direct.returncode != 0
    assert "The demo cannot be seeded with DEBUG off" in direct.stderr, direct.stderr[-2000:]
    with django_db_blocker.unblock():
        assert _counts() == before
    assert before["demo operator"] == 0


def test_make_run_and_make_test_turn_debug_on_themselves(django_db_setup, monkeypatch):
    """devstack (``make run``, ``make test``) is a development tool: it asks for DEBUG, whatever the shell says."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    import devstack

    test_env = child_environment()
    monkeypatch.setenv("DATABASE_URL", test_env["DATABASE_URL"])
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/4")
    monkeypatch.setenv("DEBUG", "0")
    assert devstack.environment()["DEBUG"] == "1"


@pytest.fixture(scope="module")
def forgetful_web(django_db_setup):
    """gunicorn as the image starts it, for a deployment that set neither DEBUG nor METRICS_TOKEN."""
    env = production_environment(
        PORT=str(free_port()),
        WEB_CONCURRENCY="1",
        PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}",  # gunicorn of this venv
    )
    env.pop("METRICS_TOKEN", None)
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    process = subprocess.Popen(
        [str(ROOT / "docker" / "entrypoint.sh"), "web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    port = int(env["PORT"])
    try:
        wait_until(
            lambda: urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).status == 200
        )
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


@pytest.mark.parametrize("host", ["platform.localhost", "portal.noord.test", "unknown.example"])
def test_metrics_are_readable_by_nobody_when_production_sets_no_token(forgetful_web, host):
    for headers in ({}, {"Authorization": "Bearer "}, {"Authorization": "Bearer anything"}):
        request = urllib.request.Request(
            f"http://127.0.0.1:{forgetful_web}/metrics", headers={"Host": host, **headers}
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)  # noqa: S310 - a URL made here
        assert refused.value.code == 404
