"""URLs of every organisation's portal domain (its own schema)."""

from django.urls import include, path

from accounts.api import views as account_views
from config.openapi import schema_urls
from memberships.api import views as membership_views

urlpatterns = [
    path("api/auth/login/", account_views.LoginView.as_view(), name="login"),
    path("api/auth/logout/", account_views.LogoutView.as_view(), name="logout"),
    path("api/auth/me/", account_views.MeView.as_view(), name="me"),
    path(
        "api/auth/invitations/accept/",
        membership_views.AcceptInvitationView.as_view(),
        name="invitation-accept",
    ),
    path(
        "api/auth/invitations/<str:token>/",
        membership_views.InvitationDetailsView.as_view(),
        name="invitation",
    ),
    path("api/portal/", include("portal_api.api.urls")),
    *schema_urls("config.urls_tenant", "Customer portal API"),
]

handler400 = "config.api_errors.bad_request"
handler403 = "config.api_errors.permission_denied"
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"
