"""Create (or re-activate) a platform operator: the identity that may use the operator API."""

from __future__ import annotations

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import normalise_email


class Command(BaseCommand):
    help = "Create a platform operator. The password comes from OPERATOR_PASSWORD or a prompt."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--full-name", default="")

    def handle(self, *args, email: str, full_name: str, **options) -> None:
        User = get_user_model()
        email = normalise_email(email)
        password = os.environ.get("OPERATOR_PASSWORD") or getpass.getpass("Password: ")
        try:
            validate_password(password, user=User(email=email, full_name=full_name))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        user = User.objects.filter(email=email).first()
        if user is None:
            User.objects.create_platform_operator(email, password, full_name=full_name)
            self.stdout.write(f"Platform operator {email} created.")
            return
        user.is_platform_operator, user.is_active = True, True
        user.set_password(password)
        user.save(update_fields=["is_platform_operator", "is_active", "password"])
        self.stdout.write(f"{email} is now a platform operator (password set).")
