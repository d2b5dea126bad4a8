"""The energy services a contract can cover at a location, and the units they are measured in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ENERGY_SERVICES = {
    "heating": _("Heating"),
    "hot_tap_water": _("Hot tap water"),
    "cooling": _("Cooling"),
    "electricity": _("Electricity"),
    "gas": _("Gas"),
    "water": _("Water"),
}
SERVICE_CHOICES = list(ENERGY_SERVICES.items())
