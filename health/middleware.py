"""Health endpoints that answer on any host, before any tenant lookup."""

from __future__ import annotations

from django.http import JsonResponse

from .checks import readiness


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return JsonResponse({"status": "ok"})
        if request.path == "/readyz":
            # ?strict=1 (monitoring): a broker outage answers 503 too; probes use the plain form.
            ready, body = readiness(strict=request.GET.get("strict") in ("1", "true", "yes"))
            return JsonResponse(body, status=200 if ready else 503)
        return self.get_response(request)
