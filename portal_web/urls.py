"""The resident portal's pages, at the root of every organisation's domain."""

from django.urls import path

from memberships.models import AccountEmailRequest

from .views import auth, bank, billing, help, links, move_out, moves, notifications, pages

urlpatterns = [
    path("", auth.home, name="web-home"),
    path("login/", auth.login_page, name="web-login"),
    path("logout/", auth.logout_page, name="web-logout"),
    path("register/", auth.register_page, name="web-register"),
    path("confirm/<str:token>", links.confirm_page, name="web-confirm"),
    path(
        "resend-confirmation/",
        auth.email_request_page,
        {"kind": AccountEmailRequest.Kind.RESEND_CONFIRMATION},
        name="web-resend-confirmation",
    ),
    path(
        "forgot-password/",
        auth.email_request_page,
        {"kind": AccountEmailRequest.Kind.PASSWORD_RESET},
        name="web-forgot-password",
    ),
    path("reset-password/<str:token>", links.reset_page, name="web-reset-password"),
    path("activate/<str:token>", links.activate_page, name="web-activate"),
    path("invitation/<str:token>", links.staff_invitation_page, name="web-staff-invitation"),
    path("confirm-email/<str:token>", links.confirm_email_page, name="web-confirm-email"),
    path("language/", auth.language_page, name="web-language"),
    path("impersonation/start/", auth.start_impersonation_page, name="web-impersonation-start"),
    path("impersonation/stop/", auth.stop_impersonation_page, name="web-impersonation-stop"),
    path("branding.css", auth.branding_css, name="web-branding"),
    path("overview/", pages.overview, name="web-overview"),
    path("consumption/", pages.consumption_page, name="web-consumption"),
    path("services/", pages.services_page, name="web-services"),
    path("invoices/", billing.invoices_page, name="web-invoices"),
    path("invoices/<int:pk>/pay/", billing.invoice_payment_page, name="web-invoice-pay"),
    path("statements/", billing.statements_page, name="web-statements"),
    path("charges/", billing.charges_page, name="web-charges"),
    path("transactions/", billing.transactions_page, name="web-transactions"),
    path("documents/", billing.documents_page, name="web-documents"),
    path("my-details/", pages.my_details, name="web-my-details"),
    path("my-details/password/", auth.password_page, name="web-password"),
    path("my-details/bank-account/", bank.bank_account_page, name="web-bank-account"),
    path("my-details/notifications/", notifications.notifications_page, name="web-notifications"),
    path("notifications/unsubscribe/<str:token>/", notifications.unsubscribe_page, name="web-unsubscribe"),
    path("move-in/", moves.move_in_start, name="web-move-in"),
    path("move-in/step/<int:number>/", moves.move_in_step, name="web-move-in-step"),
    path("move-in/done/", moves.move_in_done, name="web-move-in-done"),
    path("move-in/send-link/", moves.move_in_send_link, name="web-move-in-send-link"),
    path("move-in/resume/<str:token>", moves.move_in_resume, name="web-move-in-resume"),
    path("move-out/", move_out.move_out_page, name="web-move-out"),
    path("move-out/<int:pk>/readings/", move_out.move_out_correct, name="web-move-out-readings"),
    path("help/", help.help_page, name="web-help"),
    path("faq/", help.faq_page, name="web-faq"),
    path("terms/", help.legal_page, {"kind": "terms"}, name="web-terms"),
    path("privacy/", help.legal_page, {"kind": "privacy"}, name="web-privacy"),
    path("tickets/", help.tickets_page, name="web-tickets"),
    path("tickets/<int:pk>/", help.ticket_page, name="web-ticket"),
    path(
        "tickets/<int:pk>/messages/<int:message_id>/attachment/",
        help.ticket_attachment_page,
        name="web-ticket-attachment",
    ),
]
