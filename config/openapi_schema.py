"""How each operation is described in the OpenAPI documents (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]).

Two rules, decided here once for every view, so that a client generated from the documents works:

- **One media type per request body.** ``application/json`` for every operation, except those whose
  view takes uploads (core.api_uploads.TakesUploads): ``multipart/form-data``, the one media type
  that carries everything they take. Generators cannot tell several media types with one schema
  apart (openapi-python-client makes modules that do not import).
- **Summary and description from the docstring** of the operation's handler (``get``, ``post``, a
  viewset action) or, failing that, of the view class itself (not of a base class, which says
  nothing about this operation): the first paragraph is the summary (one short line), the
  paragraphs after it the description. ``extend_schema(summary=..., description=...)`` still wins where a view sets it.
  config.openapi_contract.check_operation_texts warns about any operation left without either.
"""

from __future__ import annotations

import inspect

from drf_spectacular.openapi import AutoSchema

MULTIPART = "multipart/form-data"
# Handlers defined by these packages carry no text meant for the portal's API users.
_LIBRARIES = {"rest_framework", "dj_rest_auth", "django", "drf_spectacular"}


def _own_docstring(obj) -> str:
    """The docstring written on ``obj`` itself (a class or function of the project), cleaned."""
    if obj is None or (getattr(obj, "__module__", "") or "").split(".")[0] in _LIBRARIES:
        return ""
    text = obj.__dict__.get("__doc__") if inspect.isclass(obj) else getattr(obj, "__doc__", None)
    return inspect.cleandoc(text) if text else ""


def split_docstring(text: str) -> tuple[str, str]:
    """(summary, description): the first paragraph without its full stop, and the ones after it.

    A first paragraph of several lines stays whole (and too long for a summary, which
    check_operation_texts reports) rather than being cut mid-sentence.
    """
    first, _, rest = text.strip().partition("\n\n")
    summary = " ".join(line.strip() for line in first.splitlines()).removesuffix(".")
    return summary, inspect.cleandoc(rest) if rest.strip() else ""


class PortalAutoSchema(AutoSchema):
    def map_parsers(self) -> list[str]:
        media_types = super().map_parsers()
        if MULTIPART in media_types:
            return [MULTIPART]
        return [media_type for media_type in media_types if media_type.endswith("json")] or media_types

    def _docstrings(self) -> tuple[str, str]:
        """The handler's own docstring and the view class's own docstring."""
        name = getattr(self.view, "action", None) or self.method.lower()
        handler = getattr(self.view.__class__, name, None)
        return _own_docstring(handler), _own_docstring(self.view.__class__)

    def get_summary(self) -> str | None:
        handler, view = self._docstrings()
        return split_docstring(handler or view)[0] or None

    def get_description(self) -> str:
        handler, view = self._docstrings()
        if handler:
            description = split_docstring(handler)[1]
            # A one-line handler docstring: the view's own text says what the operations are about.
            return description or split_docstring(view)[1] or view
        return split_docstring(view)[1]
