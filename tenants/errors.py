from __future__ import annotations

from config.errors import RuleViolation


class OrganisationError(RuleViolation):
    """A rule about organisations or domains said no; ``field`` names the input to blame."""
