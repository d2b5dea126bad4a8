from __future__ import annotations


class OrganisationError(Exception):
    """A rule about organisations or domains said no; ``field`` names the input to blame."""

    def __init__(
        self, message: str, *, code: str = "invalid", field: str | None = None, http_status: int = 400
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field
        self.http_status = http_status
