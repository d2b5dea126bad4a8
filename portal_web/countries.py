"""Countries offered for postal addresses, and which one an organisation is in by default."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# The countries a forwarding or billing address is most likely in; a stored address in any other
# country keeps its code (it is added to the choices) instead of being rewritten.
COUNTRIES = {
    "BE": _("Belgium"),
    "NL": _("Netherlands"),
    "LU": _("Luxembourg"),
    "FR": _("France"),
    "DE": _("Germany"),
    "AT": _("Austria"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "GR": _("Greece"),
    "HU": _("Hungary"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LT": _("Lithuania"),
    "MT": _("Malta"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
    "GB": _("United Kingdom"),
    "CH": _("Switzerland"),
    "NO": _("Norway"),
    "IS": _("Iceland"),
    "LI": _("Liechtenstein"),
}

# Organisations have a time zone, not a country: the zone tells where they (and most of their
# residents' addresses) are.
_ZONE_COUNTRY = {
    "Europe/Brussels": "BE",
    "Europe/Amsterdam": "NL",
    "Europe/Luxembourg": "LU",
    "Europe/Paris": "FR",
    "Europe/Berlin": "DE",
}


def organisation_country(organisation) -> str:
    return _ZONE_COUNTRY.get(getattr(organisation, "time_zone", ""), "BE")


def country_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The choices for a country select; ``current`` is kept even when it is not in the list."""
    choices = sorted(
        ((code, str(name)) for code, name in COUNTRIES.items()), key=lambda item: item[1].casefold()
    )
    if current and current not in COUNTRIES:
        choices.append((current, current))
    return choices
