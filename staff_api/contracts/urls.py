"""Staff admin routes for contracts and locations, included under /api/admin/ by config.urls_tenant."""

from django.urls import path

from . import views as admin

urlpatterns = [
    path("contracts/", admin.AdminContractListView.as_view(), name="admin-contracts"),
    path("contracts/<int:pk>/", admin.AdminContractDetailView.as_view(), name="admin-contract"),
    path("locations/", admin.AdminLocationListView.as_view(), name="admin-locations"),
    path("locations/<int:pk>/", admin.AdminLocationDetailView.as_view(), name="admin-location"),
]
