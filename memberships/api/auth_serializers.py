from __future__ import annotations

from django.conf import settings
from rest_framework import serializers


class PasswordField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 256)
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("style", {"input_type": "password"})
        super().__init__(**kwargs)


class RegisterSerializer(serializers.Serializer):
    customer_number = serializers.CharField(max_length=40, help_text="As printed on your invoices.")
    email = serializers.EmailField(
        max_length=254, help_text="The email address we have on your customer record."
    )
    password = PasswordField()
    login_email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        help_text="Log in with another address than the one on your record.",
    )
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class ResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    new_password = PasswordField()


class ChangePasswordSerializer(serializers.Serializer):
    old_password = PasswordField()
    new_password = PasswordField()


class ActivateSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = PasswordField(required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=settings.LANGUAGES, required=False)


class MessageSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


class ConfirmedSerializer(MessageSerializer):
    email = serializers.EmailField()
    existing_identity = serializers.BooleanField(
        help_text="True when the address already had a login: its existing password stays."
    )


class ActivationDetailsSerializer(serializers.Serializer):
    email = serializers.EmailField()
    customer_number = serializers.CharField()
    needs_password = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class NewTokenSerializer(MessageSerializer):
    key = serializers.CharField(
        help_text="A new API token: the old ones stopped working with the old password."
    )
