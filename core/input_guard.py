"""The input guard: a request that cannot be read safely is refused before anything else reads it.

It runs after tenant routing, which only reads the Host header (Django validates it), so that a page
is refused with the organisation's own branded page; and before sessions, CSRF, authentication,
throttles and views, so that none of them ever meets such input. Every operation of both hosts and
every page passes through it: a new view cannot forget it. What it refuses (docs/robustness.md):

- a path, query string or header value that is not UTF-8 text or holds a character that
  core.characters refuses: 400 ``invalid_characters``;
- a body whose declared length is more than the view accepts (``max_body_bytes`` on the view class,
  else ``DATA_UPLOAD_MAX_MEMORY_SIZE``, or ``MAX_UPLOAD_REQUEST_SIZE`` for multipart): 413
  ``request_too_large``, before a byte of it is read;
- a JSON body that core.parsers.load_json refuses (read here once; the API's parser hands the
  result on): 400 ``parse_error`` or ``invalid_characters``;
- a form body: urlencoded fields like the query string; on the pages, multipart fields too (the
  API's multipart parser, core.parsers.MultiPartParser, checks its own).
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http.multipartparser import MultiPartParserError
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext as _

from . import characters, parsers, web_errors
from .errors import RequestRefused
from .locale import visitor_language

_BROKEN_UTF8 = re.compile(r"%[89a-fA-F][0-9a-fA-F]")


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with translation.override(visitor_language(request)):
            try:
                inspect(request)
            except RequestRefused as refusal:
                return web_errors.refused(request, refusal)
        return self.get_response(request)


def inspect(request) -> None:
    """Raise :class:`RequestRefused` for the first part of ``request`` that cannot be read safely."""
    _check_path(request)
    _check_query(request)
    _check_headers(request)
    length = _declared_length(request)
    if length == 0:
        return
    limit = _body_limit(request, length)
    if length > limit:
        raise parsers.too_large(limit)
    content_type = request.content_type
    if content_type == "application/json" and length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        setattr(request, parsers.PARSED_JSON, parsers.load_json(request.body))
    elif content_type == "application/x-www-form-urlencoded":
        if problems := urlencoded_problems(request.body):
            raise RequestRefused(
                _("The form holds text with characters that are not allowed."),
                code="invalid_characters",
                errors=problems,
            )
    elif content_type == "multipart/form-data" and not request.path.startswith("/api/"):
        _check_page_form(request)


def urlencoded_problems(raw: bytes) -> dict[str, list[str]]:
    """What is wrong with the fields of a query string or form body, per field name."""
    problems: dict[str, list[str]] = {}
    for part in raw.split(b"&"):
        name, _sep, value = part.partition(b"=")
        name_text, value_text = (
            characters.decode(unquote_to_bytes(x.replace(b"+", b" "))) for x in (name, value)
        )
        if name_text is None or value_text is None:
            problem = characters.not_utf8()
        else:
            problem = characters.problem_with(name_text) or characters.problem_with(value_text)
        if problem:
            label = characters.readable(unquote_to_bytes(name).decode("utf-8", "replace"))
            problems.setdefault(label, []).append(problem)
            if len(problems) >= parsers.MAX_REPORTED:
                break
    return problems


def _wsgi_bytes(value: str) -> bytes | None:
    """A WSGI string as the bytes that came over the wire (None if it cannot have)."""
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _check_path(request) -> None:
    # Django has already decoded the path and written bytes that are not UTF-8 as %XX escapes
    # (repercent_broken_unicode); no address of ours holds a percent sign, so such an escape is one.
    text = request.path_info
    if _BROKEN_UTF8.search(text):
        raise RequestRefused(_("The address is not valid UTF-8."), code="invalid_characters")
    character = characters.first_invalid(text)
    if character:
        raise RequestRefused(
            _("The address holds a character that is not allowed (%(character)s).")
            % {"character": characters.code_point(character)},
            code="invalid_characters",
        )


def _check_query(request) -> None:
    raw = _wsgi_bytes(request.META.get("QUERY_STRING", ""))
    if raw is None:
        raise RequestRefused(_("The query string is not valid UTF-8."), code="invalid_characters")
    if raw and (problems := urlencoded_problems(raw)):
        raise RequestRefused(
            _("The query string holds text with characters that are not allowed."),
            code="invalid_characters",
            errors=problems,
        )


def _check_headers(request) -> None:
    for key, value in request.META.items():
        if not (key.startswith("HTTP_") or key in ("CONTENT_TYPE", "CONTENT_LENGTH")) or not isinstance(
            value, str
        ):
            continue
        raw = _wsgi_bytes(value)
        text = characters.decode(raw) if raw is not None else None
        if text is None or characters.first_invalid(text, characters.INVALID_IN_HEADER):
            name = characters.readable(key.removeprefix("HTTP_").replace("_", "-").title())
            raise RequestRefused(
                _("The %(header)s header holds characters that are not allowed.") % {"header": name},
                code="invalid_characters",
            )


def _declared_length(request) -> int:
    try:
        return max(int(request.META.get("CONTENT_LENGTH") or 0), 0)
    except ValueError:
        return 0  # Django reads no body then either


def _body_limit(request, length: int) -> int:
    """What this request's view accepts: the default, or the larger size a bulk view declares."""
    multipart = request.content_type == "multipart/form-data"
    default = settings.MAX_UPLOAD_REQUEST_SIZE if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= default:
        return default
    try:
        match = resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
    except Resolver404:
        return default
    view = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    return max(getattr(view, "max_body_bytes", None) or default, default)


def _check_page_form(request) -> None:
    """The pages' multipart forms, read here (strictly) before the CSRF check or a view reads them."""
    request.encoding = characters.STRICT_UTF8
    try:
        data, files = request.POST, request.FILES
    except UnicodeDecodeError:
        raise parsers.not_utf8_form() from None
    except RequestDataTooBig:
        raise parsers.too_large(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) from None
    except (MultiPartParserError, TooManyFieldsSent, TooManyFilesSent):
        raise RequestRefused(_("The form cannot be read."), code="parse_error") from None
    parsers.check_form(data, files)
