from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import serializers

User = get_user_model()


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})


class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_platform_operator"]
        read_only_fields = fields


class TokenResponseSerializer(serializers.Serializer):
    """The token is shown once, at login; only its hash is stored."""

    key = serializers.CharField(help_text="Send as `Authorization: Token <key>` on this domain only.")
    expires_at = serializers.DateTimeField()
    user = IdentitySerializer()
    roles = serializers.ListField(child=serializers.CharField())
    session = serializers.BooleanField(
        help_text="Whether a browser session was started too (a page of this site that sent its CSRF "
        "token); API clients get the token only."
    )

    def to_representation(self, instance):
        return {
            "key": instance.token.raw,
            "expires_at": serializers.DateTimeField().to_representation(instance.token.token.expires_at),
            "user": IdentitySerializer(instance.user).data,
            "roles": login_roles(instance),
            "session": instance.session,
        }


def login_roles(result) -> list[str]:
    roles = []
    membership = result.context.get("staff_membership")
    if membership is not None:
        roles.append(f"staff:{membership.role}")
    if result.context.get("portal_account") is not None:
        roles.append("resident")
    if result.context.get("platform") and result.user.is_platform_operator:
        roles.append("platform_operator")
    return roles


class AccessTokenSerializer(serializers.Serializer):
    """One of the caller's API tokens; the secret is shown only once, at login."""

    id = serializers.CharField(source="key_id", help_text="The token's public part (before the dot).")
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    created_ip = serializers.IPAddressField(allow_null=True)
    user_agent = serializers.CharField()
    current = serializers.SerializerMethodField(
        help_text="The token of this request (or of this session's login)."
    )

    def get_current(self, token) -> bool:
        return token.pk == self.context.get("current_id")


class RevokedTokensSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    revoked = serializers.IntegerField()


class ConsoleUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class ConsoleAccessSerializer(serializers.Serializer):
    """What the staff console needs to know about the logged-in person on this host."""

    kind = serializers.ChoiceField(
        choices=["organisation", "platform"], help_text="An organisation's portal host or the platform host."
    )
    user = ConsoleUserSerializer()
    language = serializers.CharField(help_text="The language of this request (en, nl or fr).")
    role = serializers.CharField(
        allow_null=True,
        help_text="The staff role in this organisation (`admin`, `staff` or `support`); null on the "
        "platform host and for anyone who is not staff here.",
    )
    can_impersonate = serializers.BooleanField()
    is_platform_operator = serializers.BooleanField()
    allowed = serializers.BooleanField(
        help_text="Whether this person may use the console here: an active staff member of this "
        "organisation, or a platform operator on the platform host."
    )
