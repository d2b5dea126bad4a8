"""Staff admin routes for documents, included under /api/admin/ by config.urls_tenant."""

from django.urls import path

from . import viewed as admin_viewed
from . import views as admin

urlpatterns = [
    path("documents/", admin.AdminDocumentListView.as_view(), name="admin-documents"),
    path("documents/<int:pk>/", admin.AdminDocumentDetailView.as_view(), name="admin-document"),
    path(
        "documents/<int:pk>/download/",
        admin.AdminDocumentDownloadView.as_view(),
        name="admin-document-download",
    ),
    path("documents/<int:pk>/views/", admin.AdminDocumentViewsView.as_view(), name="admin-document-views"),
    path(
        "customers/<int:customer_id>/portal/documents-viewed/",
        admin_viewed.CustomerDocumentViewsView.as_view(),
        name="admin-portal-documents-viewed",
    ),
]
