"""Test fixtures: two organisations created once per test session, real PostgreSQL, Redis, SMTP.

Most tests run inside a transaction that is rolled back. Tests that need a second process (a
Celery worker, a server) to see their data use committed data with unique values instead.
"""

from __future__ import annotations

import contextlib
import os

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from tests.support.common import start_smtp_server
from tests.support.organisations import OPERATOR_EMAIL, ORGANISATIONS, PASSWORD, login

# Fixtures that several test modules use, defined next to their helpers in tests/support/ (test
# modules import helpers from tests/support/, never from each other: tests/test_test_layout.py).
pytest_plugins = [
    "tests.support.committed_organisation",  # committed_org, committed_resident: data that commits
    "tests.support.console",  # the staff console in Chromium: console_org, staff_console...
    "tests.support.integration",  # integration: an integration API client
    "tests.support.moves",  # site, home: a moving resident
    "tests.support.resident_browser",  # chromium_browser, portal_server: resident pages in Chromium
    "tests.support.tickets",  # resident: a resident with an API client
    "tests.support.web",  # metered_home, web_resident: residents of the web pages
]


@pytest.fixture(scope="session", autouse=True)
def _media_root(tmp_path_factory):
    """Uploads and generated PDFs of this test session (and of the servers it starts) go to a temporary folder."""
    from django.test.utils import override_settings

    folder = str(tmp_path_factory.mktemp("media"))
    previous = os.environ.get("MEDIA_ROOT")
    os.environ["MEDIA_ROOT"] = folder
    override = override_settings(MEDIA_ROOT=folder)
    override.enable()
    yield folder
    override.disable()
    if previous is None:
        os.environ.pop("MEDIA_ROOT", None)
    else:
        os.environ["MEDIA_ROOT"] = previous


@pytest.fixture(scope="session")
def smtp():
    controller, catcher = start_smtp_server()
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    yield catcher
    controller.stop()


@pytest.fixture(scope="session")
def broker():
    """The Celery broker of this test session: its own redis-server, which tests may stop."""
    from tests.support.live import RedisServer

    server = RedisServer()
    server.start()
    settings.CELERY_BROKER_URL = server.url
    # Celery prefers this environment variable over its configuration.
    os.environ["CELERY_BROKER_URL"] = server.url
    from config.celery import app

    app.conf.broker_url = server.url
    yield server
    server.stop()


@pytest.fixture(scope="session")
def celery_worker(broker, django_db_setup):
    from tests.support.live import CeleryWorker

    worker = CeleryWorker()
    worker.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def django_db_setup(
    request, broker, smtp, django_test_environment, django_db_modify_db_settings, django_db_blocker
):
    """The test database, always (also for sessions whose tests only use committed data).

    pytest-django only creates it when some collected test asks for ``db``; tests that work on
    committed data would otherwise run against the development database. Under pytest-xdist
    (``make test-fast``: ``-n 2``) django_db_modify_db_settings names it per worker (``_gw0``...).
    """
    from django.test.utils import setup_databases, teardown_databases

    from accounts.models import User
    from memberships.services.staff import accept_staff_invitation
    from operators.onboarding import onboard_organisation
    from tenants import provisioning

    # Django's test environment swaps in the in-memory email backend; this suite sends through a
    # real SMTP server on localhost instead (the ``smtp`` fixture).
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    from tests.support import citus_cluster

    test_name = connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        if citus_cluster.ON_CITUS:
            # Every node gets the database and the extension first; Django then migrates it.
            citus_cluster.create_test_database(settings.DATABASE_URL, test_name)
        db_config = setup_databases(
            verbosity=0, interactive=False, aliases={"default"}, keepdb=citus_cluster.ON_CITUS
        )
        assert connection.settings_dict["NAME"].startswith("test_"), "refusing to seed a non-test database"
        provisioning.refresh_template()
        User.objects.create_platform_operator(OPERATOR_EMAIL, PASSWORD)
        for slug, spec in ORGANISATIONS.items():
            result = onboard_organisation(
                name=spec["name"],
                slug=slug,
                domain=spec["domain"],
                admin_email=f"admin@{slug}.test",
                default_language=spec["language"],
            )
            with schema_context(result.organisation.schema_name):
                accept_staff_invitation(raw_token=result.invitation.raw_token, password=PASSWORD)
        connection.set_schema_to_public()
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        if citus_cluster.ON_CITUS:
            connection.close()
            citus_cluster.drop_test_database(settings.DATABASE_URL, test_name)
        else:
            teardown_databases(db_config, verbosity=0)


@pytest.fixture(autouse=True)
def _clean_state(request):
    """Each test starts in the public schema with an empty routing map and no throttle counters."""
    from tenants.data_versions import forget_local_copies
    from tenants.routing import routing_table

    routing_table.clear()
    cache.delete_pattern("*")
    forget_local_copies()
    translation.activate("en")
    yield
    if "django_db_blocker" in request.fixturenames or "db" in request.fixturenames:
        with contextlib.suppress(Exception):  # the connection may already be broken
            connection.set_schema_to_public()


def _organisation(slug: str):
    from tenants.selectors import organisations_with_primary_domain

    return organisations_with_primary_domain().get(slug=slug)


@pytest.fixture
def noord(db):
    return _organisation("noord")


@pytest.fixture
def zuid(db):
    return _organisation("zuid")


@pytest.fixture
def client_for():
    """An API client whose requests go to ``host`` (ask for ``db`` too unless data is committed)."""

    def make(host: str, language: str = "en") -> APIClient:
        # Messages are asserted in English unless a test asks for another language.
        return APIClient(HTTP_HOST=host, HTTP_ACCEPT_LANGUAGE=language)

    return make


@pytest.fixture
def platform_client(db, client_for):
    return client_for(settings.PLATFORM_DOMAIN)


@pytest.fixture
def noord_client(db, client_for):
    return client_for(ORGANISATIONS["noord"]["domain"])


@pytest.fixture
def zuid_client(db, client_for):
    return client_for(ORGANISATIONS["zuid"]["domain"])


@pytest.fixture
def operator_client(db, platform_client):
    body = login(platform_client, OPERATOR_EMAIL)
    platform_client.credentials(HTTP_AUTHORIZATION=f"Token {body['key']}")
    return platform_client
