"""The page of signed-in devices (/my-details/devices/): list, sign out one or all others, CSRF."""

from __future__ import annotations

import re

from django.conf import settings
from django_tenants.utils import schema_context

from activity.models import ActivityEvent
from tests.support import devices
from tests.support.devices import FIREFOX, IPHONE, csrf_browser, impersonation_key, token_of
from tests.support.web import NOORD, page_client, text

PAGE = "/my-details/devices/"
resident = devices.resident  # the fixture: this module's residents (not tests.support.tickets')


def post(client, data: dict, *, with_csrf: bool = True):
    if with_csrf:
        data = {**data, "csrfmiddlewaretoken": client.cookies[settings.CSRF_COOKIE_NAME].value}
    return client.post(PAGE, data)


def test_my_details_links_the_page_which_lists_the_devices_and_marks_this_one(resident):
    firefox, iphone = csrf_browser(resident, FIREFOX), csrf_browser(resident, IPHONE)
    assert 'href="/my-details/devices/"' in text(firefox.get("/my-details/"))
    page = text(firefox.get(PAGE))
    assert "<h1>Signed-in devices</h1>" in page
    cards = re.findall(r'<section class="card device"[^>]*>(.*?)</section>', page, re.S)
    assert len(cards) == 2
    assert "Firefox 121 · Windows" in cards[0]
    assert "This device" in cards[0]
    assert 'name="device"' not in cards[0]  # no sign-out button for the device in use
    assert "Safari 17 · iPhone" in cards[1]
    assert "This device" not in cards[1]
    assert f'value="{token_of(iphone).key_id}"' in cards[1]
    assert re.search(
        r'aria-label="Sign out Safari 17 · iPhone, signed in on [^"]+">Sign out</button>', cards[1]
    )
    assert "127.0.0.1" in cards[1]
    assert "Phone" in cards[1]
    assert "Sign out all other devices" in page


def test_signing_out_a_device_logs_that_browser_out_and_says_so(resident):
    firefox, iphone = csrf_browser(resident, FIREFOX), csrf_browser(resident, IPHONE)
    done = post(firefox, {"device": token_of(iphone).key_id})
    assert done.status_code == 302
    assert done["Location"] == PAGE
    page = text(firefox.get(PAGE))
    assert "Safari 17 · iPhone was signed out." in page
    assert "Safari 17 · iPhone</h2>" not in page
    logged_out = iphone.get("/overview/")
    assert logged_out.status_code == 302
    assert logged_out["Location"].startswith("/login/")
    assert firefox.get("/overview/").status_code == 200
    with schema_context("org_noord"):
        event = ActivityEvent.objects.get(kind=ActivityEvent.Kind.DEVICE_SIGNED_OUT)
    assert event.user_agent == FIREFOX
    assert event.data["system"] == "iPhone"


def test_a_post_without_the_csrf_token_is_refused_and_signs_nothing_out(resident):
    firefox, iphone = csrf_browser(resident, FIREFOX), csrf_browser(resident, IPHONE)
    assert post(firefox, {"device": token_of(iphone).key_id}, with_csrf=False).status_code == 403
    assert post(firefox, {"action": "others"}, with_csrf=False).status_code == 403
    assert iphone.get("/overview/").status_code == 200


def test_signing_out_all_other_devices(resident):
    firefox, iphone, other = (
        csrf_browser(resident, FIREFOX),
        csrf_browser(resident, IPHONE),
        csrf_browser(resident, ""),
    )
    assert post(firefox, {"action": "others"}).status_code == 302
    page = text(firefox.get(PAGE))
    assert "You were signed out on 2 other devices." in page
    assert len(re.findall(r'<section class="card device"', page)) == 1
    assert "Sign out all other devices" not in page  # nothing left to sign out
    for client in (iphone, other):
        assert client.get("/overview/").status_code == 302


def test_an_unknown_or_current_device_is_refused_with_a_notice(resident):
    firefox = csrf_browser(resident, FIREFOX)
    post(firefox, {"device": "not-mine"})
    assert "You have no such signed-in device here." in text(firefox.get(PAGE))
    post(firefox, {"device": token_of(firefox).key_id})
    assert "This is the device you are using: log out to sign it out." in text(firefox.get(PAGE))
    assert firefox.get("/overview/").status_code == 200


def test_the_page_speaks_dutch_and_french(resident):
    iphone = csrf_browser(resident, IPHONE)
    csrf_browser(resident, FIREFOX)
    for language, words in (
        (
            "nl",
            [
                "Ingelogde apparaten",
                "Dit apparaat",
                "Alle andere apparaten afmelden",
                "Telefoon",
                "afmelden, ingelogd op",
            ],
        ),
        (
            "fr",
            ["Appareils connectés", "Cet appareil", "Déconnecter tous les autres appareils", "Ordinateur"],
        ),
    ):
        iphone.post(
            "/language/",
            {"language": language, "csrfmiddlewaretoken": iphone.cookies[settings.CSRF_COOKIE_NAME].value},
        )
        page = text(iphone.get(PAGE))
        for word in words:
            assert word in page, (language, word)


def test_staff_acting_as_the_resident_cannot_open_the_page(resident, noord_client):
    key = impersonation_key(noord_client, resident)
    acting = page_client(NOORD)
    assert acting.post("/impersonation/start/", {"key": key}).status_code == 302
    assert 'href="/my-details/devices/"' not in text(acting.get("/my-details/"))
    refused = acting.get(PAGE)
    assert refused.status_code == 302
    assert refused["Location"] == "/my-details/"
    assert acting.post(PAGE, {"action": "others"}).status_code == 302
    assert "This cannot be done while logged in as the customer." in text(acting.get("/my-details/"))
    with schema_context("org_noord"):
        assert not ActivityEvent.objects.filter(kind=ActivityEvent.Kind.OTHER_DEVICES_SIGNED_OUT).exists()
