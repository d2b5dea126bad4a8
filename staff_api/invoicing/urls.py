"""Staff admin routes for invoices and transactions, included under /api/admin/ by config.urls_tenant."""

from django.urls import path

from . import views as admin

urlpatterns = [
    path("invoices/", admin.AdminInvoiceListView.as_view(), name="admin-invoices"),
    path("invoices/<int:pk>/", admin.AdminInvoiceDetailView.as_view(), name="admin-invoice"),
    path("invoices/<int:pk>/pdf/", admin.AdminInvoicePdfView.as_view(), name="admin-invoice-pdf"),
    path("transactions/", admin.AdminTransactionListView.as_view(), name="admin-transactions"),
    path("transactions/<int:pk>/", admin.AdminTransactionDetailView.as_view(), name="admin-transaction"),
]
