from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from ..features import FEATURES, resolve_features
from ..models import Domain, Organisation, StatusChange


class DomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = Domain
        fields = ["domain", "is_primary", "created_at"]
        read_only_fields = fields


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
