"""Turn a DATABASE_URL into a libpq connection string, the way Django's settings read it."""

from __future__ import annotations

import dj_database_url


def database_name(url: str) -> str:
    return dj_database_url.parse(url)["NAME"]


def to_conninfo(url: str, dbname: str | None = None) -> str:
    config = dj_database_url.parse(url)
    parts = {
        "dbname": dbname or config.get("NAME"),
        "user": config.get("USER"),
        "password": config.get("PASSWORD"),
        "host": config.get("HOST"),
        "port": config.get("PORT"),
    }
    return " ".join(f"{key}='{value}'" for key, value in parts.items() if value)
