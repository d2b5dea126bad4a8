from django.urls import path

from . import views

urlpatterns = [
    path("site/", views.PortalSiteView.as_view(), name="portal-site"),
]
