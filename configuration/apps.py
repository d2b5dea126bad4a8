from django.apps import AppConfig


class ConfigurationConfig(AppConfig):
    name = "configuration"
    verbose_name = "Portal configuration"

    def ready(self) -> None:
        from tenants import data_versions  # here: the app registry is ready only now

        from .site import VERSION_NAME  # here: the app registry is ready only now

        # Every page and the overview ask for the configuration's version: read it with the others.
        data_versions.prefetch_with(VERSION_NAME)
