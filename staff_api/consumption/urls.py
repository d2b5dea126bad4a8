"""The staff admin's consumption URLs, under /api/admin/consumption/."""

from django.urls import path

from . import submitted_readings as readings
from . import views as admin

urlpatterns = [
    path("meters/", admin.MeterListView.as_view(), name="admin-meters"),
    path("meters/<int:pk>/", admin.MeterDetailView.as_view(), name="admin-meter"),
    path("meters/<int:pk>/deactivate/", admin.MeterDeactivateView.as_view(), name="admin-meter-deactivate"),
    path("meters/<int:pk>/readings/", admin.MeterReadingsView.as_view(), name="admin-meter-readings"),
    path("meters/<int:pk>/registers/", admin.MeterRegistersView.as_view(), name="admin-meter-registers"),
    path("meters/<int:pk>/recompute/", admin.RecomputeView.as_view(), name="admin-meter-recompute"),
    path("gaps/", admin.GapsView.as_view(), name="admin-gaps"),
    path("readings/", admin.StaffReadingsView.as_view(), name="admin-readings"),
    path("submitted-readings/", readings.SubmittedReadingListView.as_view(), name="admin-submitted-readings"),
    path(
        "submitted-readings/<int:pk>/",
        readings.SubmittedReadingDetailView.as_view(),
        name="admin-submitted-reading",
    ),
    path(
        "submitted-readings/<int:pk>/accept/",
        readings.AcceptSubmittedReadingView.as_view(),
        name="admin-submitted-reading-accept",
    ),
    path(
        "submitted-readings/<int:pk>/reject/",
        readings.RejectSubmittedReadingView.as_view(),
        name="admin-submitted-reading-reject",
    ),
    path(
        "submitted-readings/<int:pk>/photo/",
        readings.SubmittedReadingPhotoView.as_view(),
        name="admin-submitted-reading-photo",
    ),
]
