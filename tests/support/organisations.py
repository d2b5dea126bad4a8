"""The two organisations and the operator that conftest creates once per test session, and the staff password."""

from __future__ import annotations

from rest_framework.test import APIClient

PASSWORD = "correct-horse-battery-9"
ORGANISATIONS = {
    "noord": {"name": "Warmtenet Noord", "domain": "portal.noord.test", "language": "nl"},
    "zuid": {"name": "Stadswarmte Zuid", "domain": "portal.zuid.test", "language": "fr"},
}
OPERATOR_EMAIL = "operator@platform.test"


def login(client: APIClient, email: str, password: str = PASSWORD) -> dict:
    """Log in through the API (must succeed); the body holds the token ``key``."""
    response = client.post("/api/auth/login/", {"email": email, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()
