"""Staff admin routes for customers, included under /api/admin/ by config.urls_tenant."""

from django.urls import path

from . import views as admin

urlpatterns = [
    path("customers/", admin.CustomerListView.as_view(), name="admin-customers"),
    path("customers/<int:pk>/", admin.CustomerDetailView.as_view(), name="admin-customer"),
]
