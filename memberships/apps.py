from django.apps import AppConfig


class MembershipsConfig(AppConfig):
    name = "memberships"
    verbose_name = "Memberships"

    def ready(self):
        # Registers the OpenAPI description of the token scheme (a drf-spectacular extension).
        from . import openapi  # noqa: F401
