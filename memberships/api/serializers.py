from __future__ import annotations

from rest_framework import serializers

from ..models import StaffMembership


class InvitationDetailsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=StaffMembership.Role.choices)
    needs_password = serializers.BooleanField(
        help_text="False when this address already has an identity: its existing password stays."
    )
    expires_at = serializers.DateTimeField()


class AcceptInvitationSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(
        max_length=256,
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        style={"input_type": "password"},
    )
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AcceptedInvitationSerializer(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.CharField()
    created_identity = serializers.BooleanField()
