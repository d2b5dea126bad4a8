"""Recording portal events; every use case that changes or reveals account state calls this."""

from __future__ import annotations

from dataclasses import dataclass

from core.client_ip import client_ip

from .models import ActivityEvent


@dataclass(frozen=True)
class Origin:
    """Where a request came from, for the activity log (services never see HTTP requests)."""

    ip: str | None = None
    user_agent: str = ""

    @classmethod
    def of(cls, request) -> Origin:
        if request is None:
            return cls()
        return cls(
            ip=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
        )


def record_event(
    *,
    customer,
    kind: str,
    actor: str,
    actor_user=None,
    origin: Origin | None = None,
    data: dict | None = None,
) -> ActivityEvent:
    origin = origin or Origin()
    return ActivityEvent.objects.create(
        customer=customer,
        kind=kind,
        actor=actor,
        actor_user=actor_user if getattr(actor_user, "pk", None) else None,
        actor_email=getattr(actor_user, "email", "") or "",
        data=data or {},
        ip=origin.ip,
        user_agent=origin.user_agent,
    )
