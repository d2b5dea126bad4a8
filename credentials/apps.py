from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"

    def ready(self):
        from . import openapi  # noqa: F401 - registers the OpenAPI description of the token scheme
