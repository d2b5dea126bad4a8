from django.apps import AppConfig


class UpgradeProbeConfig(AppConfig):
    name = "benchmarks.upgrade_app"
    label = "bench_upgrade"
    default_auto_field = "django.db.models.BigAutoField"
