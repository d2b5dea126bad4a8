"""URLs of the platform domain (public schema): operator API and identity endpoints."""

from django.urls import include, path

from config.openapi import schema_urls
from memberships.api.credential_urls import credential_urls
from portal_web.views.links import reset_page

urlpatterns = [
    # Log in and out, passwords, API tokens, impersonation stop: the same as on every portal domain.
    path("api/auth/", include(credential_urls)),
    path("api/platform/", include("operators.api.urls")),
    path("staff/", include("staff_console.urls")),  # the console, for platform operators
    *schema_urls("config.urls_platform", "Energy portal platform: operator API"),
    # Where a platform operator's password reset email links to.
    path(
        "reset-password/<str:token>",
        reset_page,
        {"templates": "accounts/platform"},
        name="web-reset-password",
    ),
]

handler400 = "core.web_errors.bad_request"
handler403 = "core.web_errors.permission_denied"
handler404 = "core.web_errors.not_found"
handler500 = "core.web_errors.server_error"
