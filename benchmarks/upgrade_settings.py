"""The platform's settings plus one throwaway tenant app (benchmarks/upgrade_app), for upgrades.py.

The app's migration 0002 is the release the benchmark applies to every organisation's schema; the
application itself is unchanged. Used as DJANGO_SETTINGS_MODULE=benchmarks.upgrade_settings.
"""

from config.settings import *  # noqa: F403 - the platform's own settings, unchanged
from config.settings import INSTALLED_APPS, TENANT_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks.upgrade_app"]
TENANT_APPS = [*TENANT_APPS, "benchmarks.upgrade_app"]
