"""API views that take a file: the one place that adds multipart/form-data to the JSON parsers.

Every other API view reads JSON only (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"]). A view with this
mixin reads the same JSON parsers plus multipart/form-data, and its request bodies are documented as
multipart/form-data (config.openapi_schema), the media type that carries the file with the rest.
"""

from __future__ import annotations

from .parsers import MultiPartParser  # strict UTF-8, every field checked (core.parsers)


class TakesUploads:
    """Mixin (before the DRF view class): multipart/form-data besides the project's JSON parsers."""

    upload_parser_classes = (MultiPartParser,)

    def get_parsers(self) -> list:
        return [*super().get_parsers(), *(parser() for parser in self.upload_parser_classes)]
