"""Reads for moving in and out."""

from __future__ import annotations

from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat

from contracts.models import Location


def search_locations(query: str, *, limit: int = 10) -> list[dict]:
    """Addresses this organisation supplies that match every word of the query (at least 3 characters)."""
    words = (query or "").split()
    if len("".join(words)) < 3:
        return []
    address = Concat(
        "street",
        Value(" "),
        "house_number",
        Value(" "),
        "box",
        Value(" "),
        "postal_code",
        Value(" "),
        "city",
        output_field=CharField(),
    )
    condition = Q()
    for word in words[:6]:
        condition &= Q(address__icontains=word)
    hits = (
        Location.objects.annotate(address=address)
        .filter(condition)
        .order_by("postal_code", "street", "house_number", "box")[:limit]
    )
    return [{"id": location.pk, "address": location.one_line} for location in hits]
