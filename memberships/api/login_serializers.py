"""The auth API's serializers; those named in settings.REST_AUTH are dj-rest-auth's, run by its views."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from rest_framework import exceptions, serializers

from credentials.login_throttle import LoginThrottled
from memberships.services.login import LoginResult, log_in_through_api

User = get_user_model()


# dj-rest-auth's LOGIN_SERIALIZER: validating it is logging in (log_in_through_api). Its
# validated_data holds what dj-rest-auth's LoginView reads (``user``) and the whole ``login``, which
# the TOKEN_CREATOR below hands on as the answer. (No docstring: it would become the OpenAPI text.)
class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=256, trim_whitespace=False, style={"input_type": "password"})

    def validate(self, attrs: dict) -> dict:
        try:
            login = log_in_through_api(
                request=self.context["request"], email=attrs["email"], password=attrs["password"]
            )
        except LoginThrottled as exc:
            raise exceptions.Throttled(wait=exc.wait) from exc
        return {"user": login.user, "login": login}


def issued_login(token_model, user, serializer: LoginSerializer) -> LoginResult:
    """dj-rest-auth's TOKEN_CREATOR: the token was already issued by log_in, with credentials' model.

    dj-rest-auth's own creator keeps one token per user (``get_or_create``), stored as it is; ours are
    one per login, hashed, expiring and bound to the domain, and log_in ties a session's token to the
    session. The login itself is handed on: TokenResponseSerializer answers with its token, identity,
    roles and whether a session started.
    """
    return serializer.validated_data["login"]


# dj-rest-auth's USER_DETAILS_SERIALIZER (``GET /api/auth/me/``), also inside the login's answer.
class IdentitySerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_platform_operator"]
        read_only_fields = fields


# dj-rest-auth's TOKEN_SERIALIZER: its LoginView's answer, given the login that issued_login hands on.
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
