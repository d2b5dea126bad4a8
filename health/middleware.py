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
            ready, checks = readiness()
            return JsonResponse(
                {"status": "ok" if ready else "unavailable", "checks": checks}, status=200 if ready else 503
            )
        return self.get_response(request)
