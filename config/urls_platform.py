"""URLs of the platform domain (public schema): operator API and identity endpoints."""

from django.urls import include, path

from accounts.api import views as account_views
from config.openapi import schema_urls

urlpatterns = [
    path("api/auth/login/", account_views.LoginView.as_view(), name="login"),
    path("api/auth/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("api/auth/me/", account_views.MeView.as_view(), name="me"),
    path("api/platform/", include("tenants.api.urls")),
    *schema_urls("config.urls_platform", "Energy portal platform: operator API"),
]

handler400 = "config.web_errors.bad_request"
handler403 = "config.web_errors.permission_denied"
handler404 = "config.web_errors.not_found"
handler500 = "config.web_errors.server_error"
