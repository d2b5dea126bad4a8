from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from tenants import data_versions  # here: the app registry is ready only now

        from .models import AccessToken  # here: the app registry is ready only now

        # Every API request's token is kept under its table's version: read it with the others.
        data_versions.prefetch_with(AccessToken._meta.db_table)
