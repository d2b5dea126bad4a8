from __future__ import annotations

from core.errors import RuleViolation


class OrganisationError(RuleViolation):
    """A rule about organisations or domains said no; ``field`` names the input to blame."""


class PlacementError(RuleViolation):
    """A request to place or move an organisation's schema on the cluster was refused.

    Same shape as OrganisationError: ``code`` for clients, ``field`` to blame, ``http_status``.
    """
