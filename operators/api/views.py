"""The platform-operator API (platform domain only)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api_lists import FilteredList
from operators.onboarding import onboard_organisation
from operators.progress import onboarding_progress
from tenants import placement, selectors, services
from tenants.models import Organisation, StatusChange
from tenants.serializers import DomainSerializer

from .filters import OrganisationFilter, StatusChangeFilter
from .permissions import IsPlatformOperator
from .serializers import (
    AddDomainSerializer,
    ClusterSerializer,
    MoveRequestSerializer,
    OnboardingProgressSerializer,
    OnboardingResultSerializer,
    OnboardSerializer,
    OrganisationSerializer,
    OrganisationUpdateSerializer,
    PlacementSerializer,
    ReactivateSerializer,
    SchemaMoveSerializer,
    StatusChangeSerializer,
    SuspendSerializer,
)


class OperatorView:
    permission_classes = [IsPlatformOperator]

    def get_organisation(self, slug: str) -> Organisation:
        return get_object_or_404(selectors.organisations_with_primary_domain(), slug=slug)


@extend_schema(tags=["platform: organisations"])
class OrganisationListView(OperatorView, FilteredList, generics.ListAPIView):
    """The organisations of the platform."""

    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    search_fields = ["name", "slug", "domains__domain"]
    ordering_fields = ["name", "slug", "status", "portal_status", "created_at"]
    ordering = ["name"]

    def get(self, request, *args, **kwargs):
        """List organisations

        Paginated; search by part of the name, slug or a domain; filter by status, portal status
        and creation date; order by name, slug, status or creation date.
        """
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return selectors.organisations_with_primary_domain()

    @extend_schema(request=OnboardSerializer, responses={201: OnboardingResultSerializer})
    def post(self, request):
        """Onboard an organisation

        Creates the organisation, its schema and primary domain in one transaction, and invites its
        first administrator by email.
        """
        serializer = OnboardSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = onboard_organisation(**serializer.validated_data)
        organisation = self.get_organisation(result.organisation.slug)
        return Response(
            OnboardingResultSerializer(
                {
                    "organisation": organisation,
                    "schema_method": result.schema_method,
                    "seconds": result.seconds,
                }
            ).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema(tags=["platform: organisations"])
class OrganisationDetailView(OperatorView, APIView):
    """One organisation of the platform."""

    @extend_schema(responses={200: OrganisationSerializer})
    def get(self, request, slug: str):
        """Get an organisation"""
        return Response(OrganisationSerializer(self.get_organisation(slug)).data)

    @extend_schema(request=OrganisationUpdateSerializer, responses={200: OrganisationSerializer})
    def patch(self, request, slug: str):
        """Change an organisation

        Its name, portal status, time zone, default language or features; only what is sent changes.
        """
        organisation = self.get_organisation(slug)
        serializer = OrganisationUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        services.update_organisation(organisation=organisation, **serializer.validated_data)
        return Response(OrganisationSerializer(self.get_organisation(slug)).data)


@extend_schema(
    tags=["platform: organisations"], request=SuspendSerializer, responses={200: OrganisationSerializer}
)
class SuspendOrganisationView(OperatorView, APIView):
    """Suspend an organisation

    Every request on the organisation's domains gets 403 `organisation_suspended`; the reason is kept.
    """

    def post(self, request, slug: str):
        organisation = self.get_organisation(slug)
        serializer = SuspendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.suspend_organisation(
            organisation=organisation, reason=serializer.validated_data["reason"], actor=request.user
        )
        return Response(OrganisationSerializer(self.get_organisation(slug)).data)


@extend_schema(
    tags=["platform: organisations"], request=ReactivateSerializer, responses={200: OrganisationSerializer}
)
class ReactivateOrganisationView(OperatorView, APIView):
    """Reactivate an organisation

    Its domains answer again, as before the suspension; the reason is kept in its history.
    """

    def post(self, request, slug: str):
        organisation = self.get_organisation(slug)
        serializer = ReactivateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.reactivate_organisation(
            organisation=organisation, reason=serializer.validated_data["reason"], actor=request.user
        )
        return Response(OrganisationSerializer(self.get_organisation(slug)).data)


@extend_schema(tags=["platform: organisations"])
class StatusChangeListView(OperatorView, FilteredList, generics.ListAPIView):
    """An organisation's suspensions and reactivations

    Newest first, with the reason and the operator's email address; filter by action, search the
    reason or the operator's address.
    """

    serializer_class = StatusChangeSerializer
    filterset_class = StatusChangeFilter
    search_fields = ["reason", "actor_email"]
    ordering_fields = ["created_at", "action"]
    ordering = ["-created_at", "-id"]
    queryset = StatusChange.objects.none()  # the model for the document's filters; see get_queryset

    def get_queryset(self):
        return selectors.status_changes_of(self.get_organisation(self.kwargs["slug"]))


@extend_schema(tags=["platform: organisations"], responses={200: OnboardingProgressSerializer})
class OnboardingProgressView(OperatorView, APIView):
    """Onboarding progress of an organisation

    Schema, primary domain routed to it, the first administrator's invitation email, and whether
    the portal answers; `ready` once every step is done. The console polls it after onboarding.
    """

    def get(self, request, slug: str):
        progress = onboarding_progress(self.get_organisation(slug))
        return Response(OnboardingProgressSerializer(progress).data)


@extend_schema(tags=["platform: domains"])
class DomainListView(OperatorView, APIView):
    """The domains an organisation's portal answers on."""

    @extend_schema(responses={200: DomainSerializer(many=True)})
    def get(self, request, slug: str):
        """List an organisation's domains"""
        organisation = self.get_organisation(slug)
        return Response(DomainSerializer(organisation.domains.all(), many=True).data)

    @extend_schema(request=AddDomainSerializer, responses={201: DomainSerializer})
    def post(self, request, slug: str):
        """Add a domain to an organisation

        The portal answers on it at once (point its DNS and certificate at the platform); optionally
        it becomes the primary domain, the one emails link to.
        """
        organisation = self.get_organisation(slug)
        serializer = AddDomainSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        domain = services.add_domain(
            organisation=organisation,
            domain=serializer.validated_data["domain"],
            make_primary=serializer.validated_data["is_primary"],
        )
        return Response(DomainSerializer(domain).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["platform: domains"])
class DomainDetailView(OperatorView, APIView):
    """Remove a domain from an organisation

    The portal stops answering on it; the primary domain cannot be removed (make another one
    primary first).
    """

    @extend_schema(responses={204: None})
    def delete(self, request, slug: str, domain: str):
        services.remove_domain(organisation=self.get_organisation(slug), domain=domain)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["platform: domains"], request=None, responses={200: DomainSerializer})
class SetPrimaryDomainView(OperatorView, APIView):
    """Make a domain the primary one

    Links in the organisation's emails point to its primary domain.
    """

    def post(self, request, slug: str, domain: str):
        found = services.set_primary_domain(organisation=self.get_organisation(slug), domain=domain)
        return Response(DomainSerializer(found).data)


@extend_schema(tags=["platform: cluster"], responses={200: ClusterSerializer})
class ClusterView(OperatorView, APIView):
    """List the database's nodes

    Each node with how many schemas and bytes it holds, and whether organisations live there: on
    plain PostgreSQL one node, `local`; on a Citus cluster the coordinator (no organisations) and
    the workers.
    """

    def get(self, request):
        return Response(ClusterSerializer(placement.placement_overview()).data)


@extend_schema(tags=["platform: cluster"])
class PlacementView(OperatorView, APIView):
    """Where an organisation lives among the database's nodes, and moving it to another one."""

    @extend_schema(responses={200: PlacementSerializer})
    def get(self, request, slug: str):
        """Get an organisation's placement

        Its node, its size in bytes and its last ten moves, newest first.
        """
        return Response(
            PlacementSerializer(placement.organisation_placement(self.get_organisation(slug))).data
        )

    @extend_schema(request=MoveRequestSerializer, responses={202: SchemaMoveSerializer})
    def post(self, request, slug: str):
        """Move an organisation to another node

        Only on a Citus cluster. The move is queued and runs in the background: Citus copies the
        schema with logical replication and blocks its writes only for the switch-over. Follow it
        with the GET (`status`: queued, moving, done or failed, with the error).
        """
        organisation = self.get_organisation(slug)
        serializer = MoveRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        move = placement.request_move(
            organisation=organisation,
            node=serializer.validated_data["node"],
            requested_by=request.user.email,
        )
        return Response(SchemaMoveSerializer(move).data, status=status.HTTP_202_ACCEPTED)
