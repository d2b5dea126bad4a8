"""URLs of every organisation's portal domain (its own schema)."""

from django.urls import include, path

from accounts.api.urls import credential_urls
from config.openapi import schema_urls
from configuration import media
from configuration.api import console as configuration_console
from configuration.api import views as configuration_views
from consumption.api import integration as consumption_integration
from customers.api import details as details_views
from integration.api import admin_views as integration_admin
from integration.api import views as integration_views
from memberships.api import admin_views, auth_views, logout_views, staff_views
from memberships.api import views as membership_views
from moves.api import views as move_views
from portal_api.api import billing, consumption, me
from support.api import views as support_views

auth = [
    # Log in and out, passwords, API tokens, impersonation stop: the same on the platform domain.
    *credential_urls,
    path("register/", auth_views.RegisterView.as_view(), name="register"),
    path("confirm/", auth_views.ConfirmView.as_view(), name="confirm"),
    path("confirmation/resend/", auth_views.ResendConfirmationView.as_view(), name="confirmation-resend"),
    path("activation/", auth_views.ActivateView.as_view(), name="activation"),
    path("activation/<str:token>/", auth_views.ActivationDetailsView.as_view(), name="activation-details"),
    path("email/confirm/", details_views.ConfirmEmailChangeView.as_view(), name="email-confirm"),
    path("invitations/accept/", membership_views.AcceptInvitationView.as_view(), name="invitation-accept"),
    path("invitations/<str:token>/", membership_views.InvitationDetailsView.as_view(), name="invitation"),
]

portal = [
    path("me/", me.ResidentMeView.as_view(), name="portal-me"),
    path("overview/", billing.OverviewView.as_view(), name="portal-overview"),
    path("contracts/", billing.ContractListView.as_view(), name="portal-contracts"),
    path("contracts/<int:pk>/advance/", billing.AdvanceView.as_view(), name="portal-advance"),
    path("invoices/", billing.InvoiceListView.as_view(), name="portal-invoices"),
    path("invoices/<int:pk>/", billing.InvoiceDetailView.as_view(), name="portal-invoice"),
    path("invoices/<int:pk>/pdf/", billing.InvoicePdfView.as_view(), name="portal-invoice-pdf"),
    path("statements/", billing.StatementListView.as_view(), name="portal-statements"),
    path("charges/", billing.ChargeListView.as_view(), name="portal-charges"),
    path("transactions/", billing.TransactionListView.as_view(), name="portal-transactions"),
    path("documents/", billing.DocumentListView.as_view(), name="portal-documents"),
    path(
        "documents/<int:pk>/download/",
        billing.DocumentDownloadView.as_view(),
        name="portal-document-download",
    ),
    path("details/", details_views.MyDetailsView.as_view(), name="portal-details"),
    path("details/email/", details_views.EmailChangeView.as_view(), name="portal-details-email"),
    path("move-in/", move_views.ResidentMoveInView.as_view(), name="portal-move-in"),
    path("move-outs/", move_views.ResidentMoveOutListView.as_view(), name="portal-move-outs"),
    path(
        "move-outs/options/", move_views.ResidentMoveOutOptionsView.as_view(), name="portal-move-out-options"
    ),
    path(
        "move-outs/<int:pk>/photos/",
        move_views.ResidentMoveOutPhotoView.as_view(),
        name="portal-move-out-photos",
    ),
    path(
        "move-outs/<int:pk>/readings/",
        move_views.ResidentMoveOutReadingsView.as_view(),
        name="portal-move-out-readings",
    ),
    path("tickets/", support_views.ResidentTicketListView.as_view(), name="portal-tickets"),
    path("tickets/<int:pk>/", support_views.ResidentTicketDetailView.as_view(), name="portal-ticket"),
    path(
        "tickets/<int:pk>/reply/", support_views.ResidentTicketReplyView.as_view(), name="portal-ticket-reply"
    ),
    path("consumption/services/", consumption.ServicesView.as_view(), name="portal-consumption-services"),
    path("consumption/year/", consumption.YearView.as_view(), name="portal-consumption-year"),
    path("consumption/month/", consumption.MonthView.as_view(), name="portal-consumption-month"),
    path("consumption/compare/", consumption.CompareView.as_view(), name="portal-consumption-compare"),
    path(
        "consumption/register/", consumption.RegisterProfileView.as_view(), name="portal-consumption-register"
    ),
]

admin = [
    path("move-ins/", move_views.AdminMoveInListView.as_view(), name="admin-move-ins"),
    path("move-ins/<int:pk>/", move_views.AdminMoveInDetailView.as_view(), name="admin-move-in"),
    path("move-ins/<int:pk>/approve/", move_views.ApproveMoveInView.as_view()),
    path("move-ins/<int:pk>/reject/", move_views.RejectMoveInView.as_view()),
    path("move-outs/", move_views.AdminMoveOutListView.as_view(), name="admin-move-outs"),
    path("move-outs/<int:pk>/", move_views.AdminMoveOutDetailView.as_view(), name="admin-move-out"),
    path("move-outs/<int:pk>/process/", move_views.ProcessMoveOutView.as_view()),
    path("move-outs/<int:pk>/reject/", move_views.RejectMoveOutView.as_view()),
    path("move-outs/<int:pk>/cancel/", move_views.CancelMoveOutView.as_view()),
    path("meter-photos/<int:pk>/", move_views.AdminPhotoView.as_view(), name="admin-meter-photo"),
    path("tickets/", support_views.AdminTicketListView.as_view(), name="admin-tickets"),
    path("tickets/<int:pk>/", support_views.AdminTicketDetailView.as_view(), name="admin-ticket"),
    path("tickets/<int:pk>/reply/", support_views.ReplyTicketView.as_view()),
    path("tickets/<int:pk>/close/", support_views.CloseTicketView.as_view()),
    path("tickets/<int:pk>/reopen/", support_views.ReopenTicketView.as_view()),
    path(
        "tickets/<int:pk>/messages/<int:message_id>/attachment/",
        support_views.AdminAttachmentView.as_view(),
        name="admin-ticket-attachment",
    ),
    path("faq/categories/", support_views.AdminFaqCategoryListView.as_view(), name="admin-faq-categories"),
    path("faq/categories/<int:pk>/", support_views.AdminFaqCategoryDetailView.as_view()),
    path("faq/entries/", support_views.AdminFaqEntryListView.as_view(), name="admin-faq-entries"),
    path("faq/entries/<int:pk>/", support_views.AdminFaqEntryDetailView.as_view()),
    path("faq/entries/<int:pk>/move/", support_views.AdminFaqEntryMoveView.as_view()),
    path("consumption/", include("consumption.api.urls")),
    # Billing data: customers, contracts and locations, invoices and transactions, documents.
    path("", include("customers.api.admin_urls")),
    path("", include("contracts.api.admin_urls")),
    path("", include("invoicing.api.admin_urls")),
    path("", include("documents.api.admin_urls")),
    path(
        "customers/<int:customer_id>/portal/", admin_views.PortalCardView.as_view(), name="admin-portal-card"
    ),
    path(
        "customers/<int:customer_id>/portal/activity/",
        admin_views.PortalActivityView.as_view(),
        name="admin-portal-activity",
    ),
    path("customers/<int:customer_id>/portal/invite/", admin_views.InviteCustomerView.as_view()),
    path(
        "customers/<int:customer_id>/portal/resend-confirmation/",
        admin_views.ResendConfirmationAdminView.as_view(),
    ),
    path(
        "customers/<int:customer_id>/portal/send-password-reset/",
        admin_views.SendPasswordResetAdminView.as_view(),
    ),
    path("customers/<int:customer_id>/portal/reset/", admin_views.ResetPortalAccountView.as_view()),
    path("customers/<int:customer_id>/portal/impersonate/", admin_views.StartImpersonationView.as_view()),
    path(
        "customers/<int:customer_id>/portal/log-out-everywhere/",
        logout_views.CustomerLogOutEverywhereView.as_view(),
    ),
    path("impersonations/", admin_views.ImpersonationListView.as_view(), name="admin-impersonations"),
    path("impersonations/<int:session_id>/stop/", admin_views.StopImpersonationAdminView.as_view()),
    path("staff/", admin_views.StaffListView.as_view(), name="admin-staff"),
    path("staff/<int:membership_id>/", staff_views.StaffMemberView.as_view(), name="admin-staff-member"),
    path("staff/<int:membership_id>/resend-invitation/", staff_views.ResendStaffInvitationView.as_view()),
    path("staff/<int:membership_id>/log-out-everywhere/", logout_views.StaffLogOutEverywhereView.as_view()),
    path(
        "integration/tokens/",
        integration_views.IntegrationTokenListView.as_view(),
        name="admin-integration-tokens",
    ),
    path("integration/tokens/<int:membership_id>/", integration_views.IntegrationTokenDetailView.as_view()),
    path(
        "integration/import-runs/",
        integration_admin.AdminImportRunListView.as_view(),
        name="admin-import-runs",
    ),
    path("integration/import-runs/<int:pk>/", integration_admin.AdminImportRunDetailView.as_view()),
    path(
        "configuration/preferences/",
        configuration_views.PortalPreferencesView.as_view(),
        name="admin-preferences",
    ),
    path(
        "configuration/general/", configuration_views.GeneralPreferencesView.as_view(), name="admin-general"
    ),
    path("configuration/billing/", configuration_views.BillingSettingsView.as_view(), name="admin-billing"),
    path("configuration/pages/", configuration_views.PageListView.as_view(), name="admin-pages"),
    path("configuration/messages/", configuration_views.PageMessageListView.as_view(), name="admin-messages"),
    path(
        "configuration/messages/preview/",
        configuration_views.PageMessagePreviewView.as_view(),
        name="admin-message-preview",
    ),
    path("configuration/messages/<int:message_id>/", configuration_views.PageMessageDetailView.as_view()),
    path("configuration/emails/", configuration_views.EmailListView.as_view(), name="admin-emails"),
    path(
        "configuration/emails/<str:key>/<str:language>/",
        configuration_views.EmailTemplateView.as_view(),
        name="admin-email-template",
    ),
    path(
        "configuration/emails/<str:key>/<str:language>/preview/",
        configuration_console.EmailPreviewView.as_view(),
        name="admin-email-preview",
    ),
    path("configuration/domains/", configuration_console.OwnDomainListView.as_view(), name="admin-domains"),
    path("configuration/domains/<str:domain>/", configuration_console.OwnDomainDetailView.as_view()),
]

integration = [
    path("import/", integration_views.ImportView.as_view(), name="integration-import"),
    path("import-runs/", integration_views.ImportRunListView.as_view(), name="integration-runs"),
    path("readings/", consumption_integration.ReadingsView.as_view(), name="integration-readings"),
    path("changes/", integration_views.PortalChangesView.as_view(), name="integration-changes"),
]

moves = [
    path("locations/", move_views.LocationSearchView.as_view(), name="move-in-locations"),
    path("move-in/", move_views.StartMoveInView.as_view(), name="move-in-start"),
    path("move-in/resume/", move_views.ResumeMoveInView.as_view(), name="move-in-resume"),
    path("move-in/<str:key>/", move_views.MoveInDraftView.as_view(), name="move-in-draft"),
    path("move-in/<str:key>/steps/<int:number>/", move_views.MoveInStepView.as_view(), name="move-in-step"),
    path("move-in/<str:key>/photos/", move_views.MoveInPhotoView.as_view(), name="move-in-photos"),
    path("move-in/<str:key>/send-link/", move_views.SendResumeLinkView.as_view(), name="move-in-send-link"),
    path("move-in/<str:key>/submit/", move_views.SubmitMoveInView.as_view(), name="move-in-submit"),
]

support = [
    path("tickets/", support_views.NewTicketView.as_view(), name="support-ticket-new"),
    path("faq/", support_views.FaqView.as_view(), name="support-faq"),
]

urlpatterns = [
    path("api/auth/", include(auth)),
    path("api/moves/", include(moves)),
    path("api/support/", include(support)),
    path("api/integration/", include(integration)),
    path("api/portal/", include("portal_api.api.urls")),
    path("api/portal/", include(portal)),
    path("api/admin/", include(admin)),
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
