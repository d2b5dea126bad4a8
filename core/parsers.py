"""How request bodies are read, and refused when they cannot be read safely.

Decided here once and used by the API's parsers (REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] and
core.api_uploads), by the input guard (core.input_guard), which reads every JSON body before a
throttle or a view can meet it, and by the bulk endpoints that read their own bodies (the billing
import, readings ingestion):

- JSON is UTF-8, valid, nested at most ``settings.JSON_MAX_DEPTH`` levels, and no key or string in
  it holds a character that core.characters refuses;
- form fields (multipart) are decoded as strict UTF-8 and checked the same way, names and file
  names included.

Refusals are :class:`core.errors.RequestRefused`: 400 ``parse_error`` or ``invalid_characters``
with the messages per field (nested as the body nests), 413 ``request_too_large``.
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from rest_framework import parsers

from . import characters
from .errors import RequestRefused

# Where the input guard leaves the JSON body it has read, for the API's parser to hand on.
PARSED_JSON = "_portal_json_body"
# A refusal names at most this many fields: enough to fix a form, bounded for a hostile body.
MAX_REPORTED = 20
# Cheap tests on the raw body (C speed) before any Python walks the parsed document: bytes that may
# start a refused character written as such (a surrogate's or non-character's UTF-8 form), or a \u
# escape of a control character, a surrogate (also the halves of anything beyond U+FFFF) or a
# non-character. Control characters written as such are not valid JSON text in the first place.
_MAY_HOLD_INVALID_BYTES = (b"\xed", b"\xef\xb7", b"\xbf\xbe", b"\xbf\xbf")
_ESCAPE = re.compile(
    rb"\\u(?:00[01][0-9a-fA-F]|[dD][89a-fA-F][0-9a-fA-F]{2}|[fF][dD][dDeE][0-9a-fA-F]|[fF]{3}[eEfF])"
)
_NOT_STRUCTURE = bytes(byte for byte in range(256) if byte not in b'[]{}"')
_INNERMOST = re.compile(rb"\[\]|\{\}")


def too_large(limit: int) -> RequestRefused:
    return RequestRefused(
        _("The request is larger than %(size)s; send less at once.") % {"size": filesizeformat(limit)},
        code="request_too_large",
        http_status=413,
    )


def _too_deep() -> RequestRefused:
    return RequestRefused(
        _("The JSON body is nested more than %(depth)s levels deep.") % {"depth": settings.JSON_MAX_DEPTH},
        code="parse_error",
    )


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def load_json(raw: bytes | str) -> object:
    """The JSON document in ``raw``, or :class:`RequestRefused` saying what is wrong with it."""
    if isinstance(raw, str):
        text, raw = raw, raw.encode("utf-8", "surrogatepass")
    else:
        text = characters.decode(raw)
        if text is None:
            raise RequestRefused(_("The body is not valid UTF-8 text."), code="invalid_characters")
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except RecursionError:  # deeper than the interpreter's stack: far beyond the limit
        raise _too_deep() from None
    except ValueError as exc:
        raise RequestRefused(
            _("The body is not valid JSON: %(reason)s") % {"reason": exc}, code="parse_error"
        ) from None
    if _nests_deeper(raw, settings.JSON_MAX_DEPTH):
        raise _too_deep()
    if any(part in raw for part in _MAY_HOLD_INVALID_BYTES) or (b"\\u" in raw and _ESCAPE.search(raw)):
        problems = _invalid_strings(value)
        if problems:
            raise RequestRefused(
                _("The body holds text with characters that are not allowed."),
                code="invalid_characters",
                errors=problems,
            )
    return value


def _nests_deeper(raw: bytes, limit: int) -> bool:
    """Whether the (valid) JSON ``raw`` nests more than ``limit`` levels, from its brackets outside
    strings: without recursion (the limit is the point) and at C speed (import bodies are large)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    if b"\\" in raw:  # escaped backslashes, then escaped quotes, are string content
        raw = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    # Quotes and brackets only; empty strings (and a closing quote next to an opening one) go at once;
    # what is left between the remaining quotes is string content too.
    reduced = raw.translate(None, _NOT_STRUCTURE).replace(b'""', b"")
    brackets = b"".join(reduced.split(b'"')[::2])
    for _level in range(limit):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)  # one level: only the pairs innermost now
    return bool(brackets)


def _invalid_strings(value) -> dict:
    """The keys and strings of ``value`` that hold refused characters, as field messages."""
    found: dict = {}
    reported = 0
    stack = [(value, ())]
    while stack and reported < MAX_REPORTED:
        node, path = stack.pop()
        if isinstance(node, dict):
            for key, item in node.items():
                name = characters.readable(key)
                problem = characters.problem_with(key)
                if problem:
                    _put(found, (*path, name), problem)
                    reported += 1
                else:
                    stack.append((item, (*path, name)))
        elif isinstance(node, list):
            stack.extend((item, (*path, str(index))) for index, item in enumerate(node))
        elif isinstance(node, str) and (problem := characters.problem_with(node)):
            _put(found, path, problem)
            reported += 1
    return found


def _put(tree: dict, path: tuple, message: str) -> None:
    """``message`` at ``path`` in the nested field errors (``non_field_errors`` for the body itself)."""
    *parents, last = path or ("non_field_errors",)
    for part in parents:
        tree = tree.setdefault(part, {})
        if not isinstance(tree, dict):
            return
    messages = tree.setdefault(last, [])
    if isinstance(messages, list):
        messages.append(message)


def check_form(data, files) -> None:
    """Refuse form fields (a QueryDict and its files) whose names, values or file names hold refused
    characters."""
    problems: dict[str, list[str]] = {}
    entries = [(name, value) for name, values in data.lists() for value in values]
    entries += [(name, upload.name or "") for name, uploads in files.lists() for upload in uploads]
    for name, value in entries:
        problem = characters.problem_with(name) or characters.problem_with(value)
        if problem:
            problems.setdefault(characters.readable(name), []).append(problem)
        if len(problems) >= MAX_REPORTED:
            break
    if problems:
        raise RequestRefused(
            _("The form holds text with characters that are not allowed."),
            code="invalid_characters",
            errors=problems,
        )


def not_utf8_form() -> RequestRefused:
    return RequestRefused(_("The form holds text that is not valid UTF-8."), code="invalid_characters")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with the rules above. The input guard has normally read the body already:
    its result is handed on rather than read twice."""

    def parse(self, stream, media_type=None, parser_context=None):
        request = getattr((parser_context or {}).get("request"), "_request", None)
        if request is not None and hasattr(request, PARSED_JSON):
            return getattr(request, PARSED_JSON)
        return load_json(stream.read() if stream is not None else b"")


class MultiPartParser(parsers.MultiPartParser):
    """DRF's multipart parser, decoding fields as strict UTF-8 and checking every text in them."""

    def parse(self, stream, media_type=None, parser_context=None):
        context = {**(parser_context or {}), "encoding": characters.STRICT_UTF8}
        try:
            parsed = super().parse(stream, media_type, context)
        except UnicodeDecodeError:
            raise not_utf8_form() from None
        check_form(parsed.data, parsed.files)
        return parsed
