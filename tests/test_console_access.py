"""The staff console in Chromium: who may log in, what the session leaves behind, the shell page.

An organisation's admin logs in through the console's own form and sees the organisation's name;
a resident, a platform operator and another organisation's staff member are refused with a clear
message; logging out ends the session; nothing is kept in localStorage/sessionStorage but UI
preferences; deep links load; no CSP violation (checked by the staff_console fixture).
"""

from __future__ import annotations

import http.client
import re
import uuid

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.support.organisations import OPERATOR_EMAIL, PASSWORD

pytestmark = pytest.mark.browser

REFUSED = "This console is for the organisation's staff"


def _storage(page) -> dict:
    return page.evaluate(
        """() => ({
            local: Object.fromEntries(Object.entries(localStorage)),
            session: Object.fromEntries(Object.entries(sessionStorage)),
        })"""
    )


def test_admin_logs_in_sees_the_organisation_and_logs_out(console_org, staff_console):
    console = staff_console()
    console.go("")
    expect(console.page).to_have_url(re.compile(r"/staff/login$"))
    expect(console.page.get_by_role("heading", name=f"{console_org.name} staff console")).to_be_visible()
    console.axe()
    console.shot("login")
    console.log_in(console_org.admin_email)
    expect(console.page.get_by_text(f"{console_org.name} staff console").first).to_be_visible()
    console.axe()
    console.shot("dashboard")
    stored = _storage(console.page)
    assert stored["session"] == {}
    assert all(not key.lower().endswith(("token", "key")) for key in stored["local"]), stored
    assert "token" not in str(stored["local"]).lower().replace("csrf", ""), stored
    assert console.api("/api/auth/console/")["json"]["role"] == "admin"

    console.page.get_by_role("button", name=console_org.admin_email).click()
    console.page.get_by_role("menuitem", name="Logout").click()
    expect(console.page).to_have_url(re.compile(r"/staff/login$"))
    assert console.api("/api/auth/console/")["status"] in (401, 403)
    console.page.reload()
    expect(console.page.get_by_role("button", name="Log in")).to_be_visible()


def _refused(
    staff_console, email: str, password: str, host: str | None = None, message: str | None = REFUSED
) -> None:
    console = staff_console(host=host)
    console.log_in(email, password, expect_success=False)
    error = console.page.get_by_test_id("login-error")
    if message is None:
        expect(error).to_be_visible()
    else:
        expect(error).to_have_text(message)
    expect(console.page).to_have_url(re.compile(r"/staff/login$"))
    # Refused: the session the login opened is closed again.
    assert console.api("/api/auth/console/")["status"] in (401, 403)


def test_other_organisations_staff_operators_and_residents_are_refused(
    console_org, staff_console, django_db_blocker
):
    from tests.support.console import add_resident, database

    resident_email = f"resident-{uuid.uuid4().hex[:6]}@example.test"
    with database(django_db_blocker, "public"):
        add_resident(console_org.organisation, email=resident_email)
    # A resident of this organisation logs in (the portal's credentials) and is refused by the console.
    _refused(staff_console, resident_email, console_org.password)
    # Another organisation's administrator and a platform operator: no login on this domain at all.
    _refused(staff_console, "admin@noord.test", PASSWORD, message=None)
    _refused(staff_console, OPERATOR_EMAIL, PASSWORD, message=None)


def test_deep_link_shell_page_and_headers(console_org, console_server, staff_console):
    console = staff_console(console_org.admin_email)
    console.go("staff")
    expect(console.page.get_by_role("columnheader", name="Email address")).to_be_visible()
    status, headers, html = _get(console_server, console_org.host, "/staff/customers/12/show")
    assert status == 200
    assert "no-cache" in headers["Cache-Control"] or "no-store" in headers["Cache-Control"]
    assert '<meta name="csp-nonce"' in html
    assert 'id="console-bootstrap" type="application/json"' in html
    nonce = re.search(r'name="csp-nonce" content="([^"]+)"', html).group(1)
    policy = headers["Content-Security-Policy"]
    assert f"style-src 'self' 'nonce-{nonce}'" in policy
    assert re.search(r"script-src 'self'(;|$)", policy), policy
    script = re.search(r'<script type="module" src="(/staff/assets/[^"]+\.js)"', html).group(1)
    status, headers, _body = _get(console_server, console_org.host, script)
    assert status == 200
    assert "immutable" in headers["Cache-Control"]
    # The resident pages' policy has no nonce: nothing there asked for one.
    _status, headers, _body = _get(console_server, console_org.host, "/login/")
    assert "nonce" not in headers["Content-Security-Policy"]


def _get(server, host: str, path: str) -> tuple[int, dict, str]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode(errors="replace")
    finally:
        connection.close()


def test_platform_console_is_for_operators(console_org, staff_console):
    platform = settings.PLATFORM_DOMAIN
    console = staff_console(OPERATOR_EMAIL, host=platform, password=PASSWORD)
    expect(console.page.get_by_text("Platform operators console").first).to_be_visible()
    console.shot("platform-dashboard")
    _refused(
        staff_console,
        console_org.admin_email,
        console_org.password,
        host=platform,
        message="This console is for platform operators",
    )
