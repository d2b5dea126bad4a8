"""URLs of every organisation's portal domain (its own schema)."""

from django.urls import include, path

from config.openapi import schema_urls
from configuration import media
from integration.api import readings as consumption_integration
from integration.api import views as integration_views
from memberships.api import auth_views
from memberships.api import views as membership_views
from memberships.api.credential_urls import credential_urls
from portal_api.api import (
    bank,
    billing,
    consumption,
    consumption_download,
    details,
    me,
    moves,
    notifications,
    personal_data,
)
from portal_api.api import help as help_views

auth = [
    # Log in and out, passwords, API tokens, impersonation stop: the same on the platform domain.
    *credential_urls,
    path("register/", auth_views.RegisterView.as_view(), name="register"),
    path("confirm/", auth_views.ConfirmView.as_view(), name="confirm"),
    path("confirmation/resend/", auth_views.ResendConfirmationView.as_view(), name="confirmation-resend"),
    path("activation/", auth_views.ActivateView.as_view(), name="activation"),
    path("activation/<str:token>/", auth_views.ActivationDetailsView.as_view(), name="activation-details"),
    path("email/confirm/", details.ConfirmEmailChangeView.as_view(), name="email-confirm"),
    path("invitations/accept/", membership_views.AcceptInvitationView.as_view(), name="invitation-accept"),
    path("invitations/<str:token>/", membership_views.InvitationDetailsView.as_view(), name="invitation"),
]

portal = [
    path("me/", me.ResidentMeView.as_view(), name="portal-me"),
    path("data-export/", personal_data.DataExportView.as_view(), name="portal-data-export"),
    path(
        "data-export/download/",
        personal_data.DataExportDownloadView.as_view(),
        name="portal-data-export-download",
    ),
    path("account-deletion/", personal_data.AccountDeletionView.as_view(), name="portal-account-deletion"),
    path(
        "account-deletion/confirm/",
        personal_data.ConfirmAccountDeletionView.as_view(),
        name="portal-account-deletion-confirm",
    ),
    path("overview/", billing.OverviewView.as_view(), name="portal-overview"),
    path("contracts/", billing.ContractListView.as_view(), name="portal-contracts"),
    path("contracts/<int:pk>/advance/", billing.AdvanceView.as_view(), name="portal-advance"),
    path("invoices/", billing.InvoiceListView.as_view(), name="portal-invoices"),
    path("invoices/<int:pk>/", billing.InvoiceDetailView.as_view(), name="portal-invoice"),
    path("invoices/<int:pk>/pdf/", billing.InvoicePdfView.as_view(), name="portal-invoice-pdf"),
    path(
        "invoices/<int:pk>/payment-qr.svg",
        billing.InvoicePaymentQRView.as_view(),
        name="portal-invoice-payment-qr",
    ),
    path("statements/", billing.StatementListView.as_view(), name="portal-statements"),
    path("charges/", billing.ChargeListView.as_view(), name="portal-charges"),
    path("transactions/", billing.TransactionListView.as_view(), name="portal-transactions"),
    path("documents/", billing.DocumentListView.as_view(), name="portal-documents"),
    path(
        "documents/<int:pk>/download/",
        billing.DocumentDownloadView.as_view(),
        name="portal-document-download",
    ),
    path("details/", details.MyDetailsView.as_view(), name="portal-details"),
    path("details/email/", details.EmailChangeView.as_view(), name="portal-details-email"),
    path("details/bank-account/", bank.BankAccountView.as_view(), name="portal-bank-account"),
    path(
        "details/notifications/",
        notifications.NotificationPreferencesView.as_view(),
        name="portal-notification-preferences",
    ),
    path("details/bank-account/mandate/", bank.MandateView.as_view(), name="portal-bank-mandate"),
    path("move-in/", moves.ResidentMoveInView.as_view(), name="portal-move-in"),
    path("move-outs/", moves.ResidentMoveOutListView.as_view(), name="portal-move-outs"),
    path("move-outs/options/", moves.ResidentMoveOutOptionsView.as_view(), name="portal-move-out-options"),
    path(
        "move-outs/<int:pk>/photos/",
        moves.ResidentMoveOutPhotoView.as_view(),
        name="portal-move-out-photos",
    ),
    path(
        "move-outs/<int:pk>/readings/",
        moves.ResidentMoveOutReadingsView.as_view(),
        name="portal-move-out-readings",
    ),
    path("tickets/", help_views.ResidentTicketListView.as_view(), name="portal-tickets"),
    path("tickets/<int:pk>/", help_views.ResidentTicketDetailView.as_view(), name="portal-ticket"),
    path("tickets/<int:pk>/reply/", help_views.ResidentTicketReplyView.as_view(), name="portal-ticket-reply"),
    path("consumption/services/", consumption.ServicesView.as_view(), name="portal-consumption-services"),
    path(
        "consumption/download/",
        consumption_download.ConsumptionDownloadView.as_view(),
        name="portal-consumption-download",
    ),
    path("consumption/year/", consumption.YearView.as_view(), name="portal-consumption-year"),
    path("consumption/month/", consumption.MonthView.as_view(), name="portal-consumption-month"),
    path("consumption/compare/", consumption.CompareView.as_view(), name="portal-consumption-compare"),
    path(
        "consumption/register/", consumption.RegisterProfileView.as_view(), name="portal-consumption-register"
    ),
]


integration = [
    path("import/", integration_views.ImportView.as_view(), name="integration-import"),
    path("import-runs/", integration_views.ImportRunListView.as_view(), name="integration-runs"),
    path("readings/", consumption_integration.ReadingsView.as_view(), name="integration-readings"),
    path("changes/", integration_views.PortalChangesView.as_view(), name="integration-changes"),
]

moves = [
    path("locations/", moves.LocationSearchView.as_view(), name="move-in-locations"),
    path("move-in/", moves.StartMoveInView.as_view(), name="move-in-start"),
    path("move-in/resume/", moves.ResumeMoveInView.as_view(), name="move-in-resume"),
    path("move-in/<str:key>/", moves.MoveInDraftView.as_view(), name="move-in-draft"),
    path("move-in/<str:key>/steps/<int:number>/", moves.MoveInStepView.as_view(), name="move-in-step"),
    path("move-in/<str:key>/photos/", moves.MoveInPhotoView.as_view(), name="move-in-photos"),
    path("move-in/<str:key>/send-link/", moves.SendResumeLinkView.as_view(), name="move-in-send-link"),
    path("move-in/<str:key>/submit/", moves.SubmitMoveInView.as_view(), name="move-in-submit"),
]

support = [
    path("tickets/", help_views.NewTicketView.as_view(), name="support-ticket-new"),
    path("faq/", help_views.FaqView.as_view(), name="support-faq"),
]

urlpatterns = [
    path("api/auth/", include(auth)),
    path("api/moves/", include(moves)),
    path("api/support/", include(support)),
    path("api/integration/", include(integration)),
    path("api/portal/", include("portal_api.api.urls")),
    path("api/portal/", include(portal)),
    path("api/admin/", include("staff_api.urls")),
    path("media/<str:schema>/branding/<str:path>", media.branding_file, name="branding-file"),
    # Browsers ask for /favicon.ico on their own (an opened PDF, a bookmark): the portal's favicon.
    path("favicon.ico", media.favicon, name="favicon"),
    *schema_urls("config.urls_tenant", "Customer portal API"),
    path("staff/", include("staff_console.urls")),  # the staff console (docs/staff-console.md)
    path("", include("portal_web.urls")),
]

handler400 = "core.web_errors.bad_request"
handler403 = "core.web_errors.permission_denied"
handler404 = "core.web_errors.not_found"
handler500 = "core.web_errors.server_error"
