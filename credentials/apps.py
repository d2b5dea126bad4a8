from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credentials"
    verbose_name = "Credentials"

    def ready(self) -> None:
        from tenants import data_versions

        from .models import AccessToken

        # Every API request's token is kept under its table's version: read it with the others.
        data_versions.prefetch_with(AccessToken._meta.db_table)
