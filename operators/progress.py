"""How far an onboarding got: schema, domain routing, the first administrator's invitation email and
whether the portal answers. The staff console's operators screen polls it (GET .../progress/)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from communications.models import OutboundEmail
from memberships.models import StaffMembership
from tenants import provisioning
from tenants.middleware import unavailability
from tenants.models import Organisation
from tenants.routing import routing_table
from tenants.selectors import primary_domain_of


def _first_admin_invitation(organisation: Organisation) -> tuple[bool, str]:
    """Whether an administrator was invited, and how far the invitation email got.

    ``queued`` until the outbox task has sent it, then ``sent`` (or ``failed`` when the relay gave up).
    """
    with schema_context(organisation.schema_name):
        admin = StaffMembership.objects.filter(role=StaffMembership.Role.ADMIN).order_by("invited_at").first()
        if admin is None:
            return False, "missing"
        if admin.status == StaffMembership.Status.ACTIVE:
            return True, "accepted"
        email = OutboundEmail.objects.filter(template="staff_invitation", to__iexact=admin.email).first()
    if email is None:
        return True, "missing"
    if email.sent_at:
        return True, "sent"
    return True, "failed" if email.gave_up_at else "queued"


def onboarding_progress(organisation: Organisation) -> dict:
    """Each step an onboarding goes through, and whether the portal now answers on its domain.

    Creating the schema and domain happens in the onboarding request; the invitation email leaves
    with the outbox task afterwards, and routing follows the shared version key. The console polls
    this until ``ready``.
    """
    schema_ready = provisioning.schema_is_current(organisation.schema_name)
    primary = primary_domain_of(organisation)
    routed = routing_table.resolve(primary) if primary else None
    domain_routed = routed is not None and routed.pk == organisation.pk
    invited, email_state = _first_admin_invitation(organisation) if schema_ready else (False, "missing")
    answers = domain_routed and schema_ready and unavailability(routed, "/") is None
    steps = [
        {"key": "organisation", "done": True, "detail": organisation.slug},
        {"key": "schema", "done": schema_ready, "detail": organisation.schema_name},
        {"key": "domain", "done": domain_routed, "detail": primary or ""},
        {"key": "invitation", "done": invited and email_state in ("sent", "accepted"), "detail": email_state},
        {"key": "portal", "done": answers, "detail": organisation.status},
    ]
    return {"ready": all(step["done"] for step in steps), "steps": steps}
