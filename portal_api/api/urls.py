from django.urls import path

from . import devices, meter_readings, views

urlpatterns = [
    path("site/", views.PortalSiteView.as_view(), name="portal-site"),
    path("devices/", devices.DeviceListView.as_view(), name="portal-devices"),
    path(
        "devices/sign-out-others/",
        devices.SignOutOtherDevicesView.as_view(),
        name="portal-devices-sign-out-others",
    ),
    path("devices/<str:key_id>/", devices.DeviceDetailView.as_view(), name="portal-device"),
    path("meter-readings/", meter_readings.ResidentReadingListView.as_view(), name="portal-meter-readings"),
    path(
        "meter-readings/options/",
        meter_readings.ResidentReadingOptionsView.as_view(),
        name="portal-meter-reading-options",
    ),
    path(
        "meter-readings/<int:pk>/photo/",
        meter_readings.ResidentReadingPhotoView.as_view(),
        name="portal-meter-reading-photo",
    ),
]
