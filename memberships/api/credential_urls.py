"""Credential operations: one list, included by the platform's and by every portal's URLconf.

An operation added here exists on every kind of host; its view and services must therefore work
without an organisation (the platform domain, public schema) as well as with one.
"""

from django.urls import path

from memberships.api.auth_views import StopImpersonationView

from . import login_views as views
from . import passwords, tokens

credential_urls = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("me/", views.MeView.as_view(), name="me"),
    path("csrf/", views.CsrfView.as_view(), name="csrf"),
    path("console/", views.ConsoleAccessView.as_view(), name="console-access"),
    path("password/change/", passwords.PasswordChangeView.as_view(), name="password-change"),
    path("password/reset/", passwords.PasswordResetRequestView.as_view(), name="password-reset"),
    path(
        "password/reset/confirm/",
        passwords.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
    path("tokens/", tokens.TokenListView.as_view(), name="tokens"),
    path("tokens/revoke-others/", tokens.RevokeOtherTokensView.as_view(), name="tokens-revoke-others"),
    path("tokens/<str:key_id>/", tokens.TokenRevokeView.as_view(), name="token"),
    path("impersonation/stop/", StopImpersonationView.as_view(), name="impersonation-stop"),
]
