"""The staff admin API's routes, under /api/admin/ on every portal domain (config.urls_tenant)."""

from django.urls import include, path

from staff_api.configuration import console as configuration_console
from staff_api.configuration import views as configuration_views
from staff_api.integration import import_runs as integration_admin
from staff_api.integration import tokens as integration_views
from staff_api.memberships import admin_views, logout_views, staff_views
from staff_api.moves import views as move_views
from staff_api.notifications import views as notification_views
from staff_api.personal_data import views as deletion_views
from staff_api.support import faq as faq_views
from staff_api.support import tickets as support_views

urlpatterns = [
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
    path(
        "account-deletions/", deletion_views.AdminDeletionListView.as_view(), name="admin-account-deletions"
    ),
    path(
        "account-deletions/<int:pk>/",
        deletion_views.AdminDeletionDetailView.as_view(),
        name="admin-account-deletion",
    ),
    path("account-deletions/<int:pk>/cancel/", deletion_views.AdminCancelDeletionView.as_view()),
    path("faq/categories/", faq_views.AdminFaqCategoryListView.as_view(), name="admin-faq-categories"),
    path("faq/categories/<int:pk>/", faq_views.AdminFaqCategoryDetailView.as_view()),
    path("faq/entries/", faq_views.AdminFaqEntryListView.as_view(), name="admin-faq-entries"),
    path("faq/entries/<int:pk>/", faq_views.AdminFaqEntryDetailView.as_view()),
    path("faq/entries/<int:pk>/move/", faq_views.AdminFaqEntryMoveView.as_view()),
    path("consumption/", include("staff_api.consumption.urls")),
    # Billing data: customers, contracts and locations, invoices and transactions, documents.
    path("", include("staff_api.customers.urls")),
    path("", include("staff_api.contracts.urls")),
    path("", include("staff_api.invoicing.urls")),
    path("", include("staff_api.documents.urls")),
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
    path("configuration/payment/", configuration_views.PaymentSettingsView.as_view(), name="admin-payment"),
    path(
        "configuration/notifications/",
        notification_views.NotificationDefaultsView.as_view(),
        name="admin-notification-defaults",
    ),
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
