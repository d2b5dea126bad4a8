"""One JSON error shape for the whole API: ``{"code": ..., "detail": ...}`` plus field errors.

Field validation errors keep DRF's ``{"field": ["message"]}`` form and gain ``"code": "invalid"``
so that clients can branch on a stable code without parsing translated text.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import RequestRefused, RuleViolation
from .throttle_message import throttled_message


def error_response(http_status: int, code: str, detail: str, **extra) -> JsonResponse:
    return JsonResponse({"code": code, "detail": str(detail), **extra}, status=http_status)


def exception_handler(exc, context):
    if isinstance(exc, RequestRefused):  # raised by the parsers (core.parsers): detail and fields
        return JsonResponse(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, RuleViolation) and exc.errors:
        exc = DomainError(exc.message, code=exc.code, http_status=exc.http_status, errors=exc.errors)
    elif isinstance(exc, RuleViolation):
        exc = DomainError(exc.message, code=exc.code, field=exc.field, http_status=exc.http_status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(exc, DomainError):
        if exc.field:
            data = {"code": exc.error_code, **data}
        else:
            data = {"code": exc.error_code, "detail": data["detail"] if isinstance(data, dict) else data}
    elif isinstance(exc, exceptions.Throttled):
        # DRF's own wording is poorly translated; the pages say the same as the API.
        data = {"code": "throttled", "detail": throttled_message(exc.wait)}
    elif isinstance(exc, exceptions.ValidationError):
        if isinstance(data, list):
            data = {"non_field_errors": data}
        data = {"code": getattr(exc, "error_code", "invalid"), **data}
    elif isinstance(data, dict) and "detail" in data:
        detail = data["detail"]
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        data = {"code": code, **data}
    response.data = data
    return response


def not_found(request, exception=None):
    return error_response(status.HTTP_404_NOT_FOUND, "not_found", _("Not found."))


def server_error(request):
    return error_response(status.HTTP_500_INTERNAL_SERVER_ERROR, "server_error", _("Internal server error."))


def permission_denied(request, exception=None):
    return error_response(status.HTTP_403_FORBIDDEN, "permission_denied", _("Permission denied."))


def bad_request(request, exception=None):
    return error_response(status.HTTP_400_BAD_REQUEST, "bad_request", _("Bad request."))


class DomainError(exceptions.APIException):
    """A rule of the domain said no: a 4xx with a stable code, and a field when one is to blame."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str,
        http_status: int = 400,
        field: str | None = None,
        errors: dict | None = None,
    ):
        self.status_code = http_status
        self.error_code = code
        if errors:
            super().__init__(errors, code=code)
        elif field:
            super().__init__({field: [detail]}, code=code)
        else:
            super().__init__(detail, code=code)
        self.field = field or (next(iter(errors)) if errors else None)
