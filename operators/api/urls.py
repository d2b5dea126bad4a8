from django.urls import path

from . import views

urlpatterns = [
    path("cluster/", views.ClusterView.as_view(), name="platform-cluster"),
    path("organisations/", views.OrganisationListView.as_view(), name="platform-organisations"),
    path("organisations/<slug:slug>/", views.OrganisationDetailView.as_view(), name="platform-organisation"),
    path(
        "organisations/<slug:slug>/suspend/", views.SuspendOrganisationView.as_view(), name="platform-suspend"
    ),
    path(
        "organisations/<slug:slug>/reactivate/",
        views.ReactivateOrganisationView.as_view(),
        name="platform-reactivate",
    ),
    path(
        "organisations/<slug:slug>/status-changes/",
        views.StatusChangeListView.as_view(),
        name="platform-status-changes",
    ),
    path(
        "organisations/<slug:slug>/progress/",
        views.OnboardingProgressView.as_view(),
        name="platform-onboarding-progress",
    ),
    path(
        "organisations/<slug:slug>/placement/",
        views.PlacementView.as_view(),
        name="platform-organisation-placement",
    ),
    path("organisations/<slug:slug>/domains/", views.DomainListView.as_view(), name="platform-domains"),
    path(
        "organisations/<slug:slug>/domains/<str:domain>/",
        views.DomainDetailView.as_view(),
        name="platform-domain",
    ),
    path(
        "organisations/<slug:slug>/domains/<str:domain>/set-primary/",
        views.SetPrimaryDomainView.as_view(),
        name="platform-domain-primary",
    ),
]
