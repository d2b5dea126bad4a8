"""Per-host OpenAPI documents: each URLconf serves only the operations of its own host."""

from __future__ import annotations

from django.conf import settings
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def schema_urls(urlconf: str, title: str) -> list:
    return [
        path(
            "api/schema/",
            SpectacularAPIView.as_view(urlconf=urlconf, custom_settings={"TITLE": title}),
            name="schema",
        ),
        path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    ]


# Named once for the OpenAPI documents (settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]).
LANGUAGE_CHOICES = settings.LANGUAGES
