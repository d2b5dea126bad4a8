"""Rotating SECRET_KEY: with the old key among the fallbacks, sessions and API tokens keep working."""

from __future__ import annotations

from tests.support.organisations import login


def test_api_token_survives_a_key_rotation_only_with_the_old_key_as_fallback(noord_client, settings):
    key = login(noord_client, "admin@noord.test")["key"]
    noord_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert noord_client.get("/api/auth/me/").status_code == 200
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "a-brand-new-secret-key-after-rotation-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old]
    me = noord_client.get("/api/auth/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "admin@noord.test"
    settings.SECRET_KEY_FALLBACKS = []
    assert noord_client.get("/api/auth/me/").status_code == 401
