from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from tenants.features import FEATURES, resolve_features
from tenants.models import Organisation, SchemaMove, StatusChange
from tenants.serializers import DomainSerializer


class FeaturesField(serializers.DictField):
    child = serializers.BooleanField()

    def to_representation(self, value):
        return resolve_features(value)


class OrganisationSerializer(serializers.ModelSerializer):
    domains = DomainSerializer(many=True, read_only=True)
    primary_domain = serializers.CharField(read_only=True, allow_null=True)
    features = FeaturesField(help_text="Known flags: " + ", ".join(sorted(FEATURES)))

    class Meta:
        model = Organisation
        fields = [
            "slug",
            "name",
            "schema_name",
            "status",
            "suspension_reason",
            "suspended_at",
            "portal_status",
            "features",
            "time_zone",
            "default_language",
            "primary_domain",
            "domains",
            "created_at",
        ]
        read_only_fields = fields


class OnboardSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=40)
    domain = serializers.CharField(
        max_length=300, help_text="Primary portal host name, e.g. portaal.example.be"
    )
    admin_email = serializers.EmailField(
        max_length=254, help_text="Receives the invitation to become the first administrator."
    )
    time_zone = serializers.CharField(max_length=64, default="Europe/Brussels")
    default_language = serializers.ChoiceField(choices=settings.LANGUAGES, default="nl")
    features = serializers.DictField(child=serializers.BooleanField(), required=False)


class OnboardingResultSerializer(serializers.Serializer):
    organisation = OrganisationSerializer()
    schema_method = serializers.ChoiceField(choices=["spare", "clone", "migrate"])
    seconds = serializers.FloatField()


class OrganisationUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    portal_status = serializers.ChoiceField(choices=Organisation.PortalStatus.choices, required=False)
    time_zone = serializers.CharField(max_length=64, required=False)
    default_language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)
    features = serializers.DictField(child=serializers.BooleanField(), required=False)


class SuspendSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AddDomainSerializer(serializers.Serializer):
    domain = serializers.CharField(max_length=300)
    is_primary = serializers.BooleanField(default=False)


class ReactivateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=500, help_text="Why the portal is served again (kept in the history)."
    )


class StatusChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StatusChange
        fields = ["id", "action", "reason", "actor_email", "created_at"]
        read_only_fields = fields


class ProgressStepSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=["organisation", "schema", "domain", "invitation", "portal"])
    done = serializers.BooleanField()
    detail = serializers.CharField(
        help_text="The schema, the primary domain, the invitation email's state (missing, queued, sent, "
        "failed, accepted) or the organisation's status."
    )


class OnboardingProgressSerializer(serializers.Serializer):
    ready = serializers.BooleanField(
        help_text="Every step is done: the portal answers on its primary domain."
    )
    steps = ProgressStepSerializer(many=True)


class NodeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="`host:port` of the node; `local` on a single PostgreSQL server.")
    schemas = serializers.IntegerField(
        help_text="Schemas on the node: organisations (on a Citus cluster also spare schemas)."
    )
    size_bytes = serializers.IntegerField(help_text="Bytes of those schemas' tables and indexes.")
    accepts_organisations = serializers.BooleanField(
        help_text="Organisations live here and can be moved here (not the Citus coordinator)."
    )


class ClusterSerializer(serializers.Serializer):
    distributed = serializers.BooleanField(
        help_text="A Citus cluster: each organisation lives on one worker node and can be moved."
    )
    nodes = NodeSerializer(many=True)


class SchemaMoveSerializer(serializers.ModelSerializer):
    requested_by = serializers.CharField(
        read_only=True, help_text="The operator's email address; empty for the command line."
    )

    class Meta:
        model = SchemaMove
        fields = [
            "id",
            "source_node",
            "target_node",
            "status",
            "error",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "seconds",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "seconds": {"help_text": "How long the move took, switch-over included."},
        }


class PlacementSerializer(serializers.Serializer):
    distributed = serializers.BooleanField(
        help_text="The organisation's schema is a Citus distributed schema."
    )
    node = serializers.CharField(
        allow_null=True,
        help_text="`host:port` of its node; `local` on a single PostgreSQL server; null for a schema "
        "Citus does not distribute (it stays on the coordinator).",
    )
    size_bytes = serializers.IntegerField()
    moves = SchemaMoveSerializer(many=True, help_text="The last ten moves, newest first.")


class MoveRequestSerializer(serializers.Serializer):
    node = serializers.CharField(
        max_length=255,
        help_text="`host:port` of the node to move to: one with `accepts_organisations` in "
        "`GET /api/platform/cluster/`.",
    )
