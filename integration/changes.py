"""Recording portal-side changes for the billing system (see ``PortalChange``)."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import PortalChange


def record_change(*, kind: str, customer, data: dict) -> PortalChange:
    return PortalChange.objects.create(
        kind=kind,
        customer_external_id=customer.external_id or "",
        customer_number=customer.customer_number,
        data=json.loads(json.dumps(data, cls=DjangoJSONEncoder)),
    )
