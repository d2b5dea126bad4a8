"""Feature flags a platform operator switches per organisation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# key -> (default, description)
FEATURES: dict[str, tuple[bool, str]] = {
    "cost_visualisation": (False, _("Consumption costs, estimates and peer comparison")),
    "move_in": (True, _("Online move-in requests")),
    "move_out": (True, _("Online move-out requests")),
    "help_requests": (True, _("Help and contact requests")),
}


def default_features() -> dict[str, bool]:
    return {key: default for key, (default, _label) in FEATURES.items()}


def resolve_features(stored: dict | None) -> dict[str, bool]:
    """Known flags with defaults filled in; unknown keys are dropped."""
    resolved = default_features()
    for key, value in (stored or {}).items():
        if key in resolved:
            resolved[key] = bool(value)
    return resolved
