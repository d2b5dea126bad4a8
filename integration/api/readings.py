"""Meter readings from the meter-data system: JSON or CSV, in bulk."""

from __future__ import annotations

import csv

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from consumption import ingestion
from core import characters
from core.errors import RequestRefused, RuleViolation
from core.parsers import too_large
from memberships.permissions import IsIntegration


class IngestResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    accepted = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = serializers.ListField(
        child=serializers.DictField(), help_text="Refused rows: index (from 0) and errors per field."
    )
    duplicate_count = serializers.IntegerField(
        help_text="Rows not stored because another row of the batch holds the same reading or replaces "
        "it; received = accepted + error_count + duplicate_count."
    )
    duplicates = serializers.ListField(
        child=serializers.DictField(),
        help_text="Those rows: index, kept (the index of the row stored) and reason.",
    )
    days_refreshed = serializers.IntegerField()
    months_refreshed = serializers.IntegerField()


MAX_BYTES = 500 * 1024 * 1024


def read_body(request) -> tuple[str, str]:
    content_type = request.content_type.split(";")[0].strip()
    if content_type not in ("application/json", "text/csv"):
        raise RuleViolation(
            _("Send readings as application/json or text/csv."),
            code="unsupported_media_type",
            http_status=415,
        )
    body = request._request.read(MAX_BYTES + 1)
    if len(body) > MAX_BYTES:
        raise too_large(MAX_BYTES)
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RuleViolation(_("The body is not UTF-8."), code="parse_error") from exc
    if content_type == "text/csv" and characters.first_invalid(text):  # JSON: checked as it is read
        raise RequestRefused(
            _("The body holds text with characters that are not allowed."), code="invalid_characters"
        )
    return text, content_type


def ingest_request(request) -> dict:
    text, content_type = read_body(request)
    try:
        rows = ingestion.load(text, content_type)
    except ValueError as exc:
        raise RuleViolation(
            _("The body cannot be read: %(reason)s") % {"reason": exc}, code="parse_error"
        ) from exc
    try:
        return ingestion.ingest(rows=rows, organisation=request.organisation).as_dict()
    except csv.Error as exc:  # raised while the rows are read, e.g. a field over the size limit
        raise RuleViolation(
            _("The body cannot be read: %(reason)s") % {"reason": exc}, code="parse_error"
        ) from exc


@extend_schema(
    tags=["integration"],
    request={"application/json": {"type": "object"}, "text/csv": {"type": "string"}},
    responses={200: IngestResultSerializer},
    examples=[
        OpenApiExample(
            "CSV",
            media_type="text/csv",
            value="meter,timestamp,kind,value,source\nM-1,2026-03-01T00:00:00+01:00,interval,0.512,actual\n",
        )
    ],
)
class ReadingsView(APIView):
    """Send meter readings

    As JSON or CSV; idempotent per meter and timestamp. Fields: meter (external id), timestamp
    (ISO 8601 with offset), kind (interval: consumption in the interval starting then; register:
    the meter index), value (at most 7 decimals: more is refused, never rounded), source (actual or
    estimated). Bad rows are listed; the good ones are stored and the daily and monthly aggregates
    of the days they touch are recomputed. One meter, kind and moment twice in a batch: identical
    copies are stored once (the others listed as duplicates), an actual reading replaces an
    estimate (listed), and different values refuse every row of that moment.
    """

    permission_classes = [IsIntegration]
    max_body_bytes = MAX_BYTES  # core.input_guard refuses more before it is read

    def post(self, request):
        return Response(ingest_request(request))
