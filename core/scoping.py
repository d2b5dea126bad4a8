"""Rows that belong to one customer, and the one way to narrow a queryset to them.

Every customer-owned model declares, once, how its rows reach their customer (``customer_path``:
``"customer"`` for a direct key, ``"invoice__customer"`` through a relation, ``"pk"`` for the
customer itself) and uses ``CustomerOwnedQuerySet``. ``.for_customer(customer)`` is then the only
filter a resident's view or a selector needs, like NetBox's ``restrict()``: the resident API's base
view applies it to every queryset it hands out (portal_api.api.base), so a view cannot forget it.

A scoped queryset remembers whose it is (``scoped_customer_id``, kept through ``filter()``,
``select_related()`` and the like), so scoping it again costs nothing and adds no condition to the
SQL, and tests can tell a scoped queryset from one that is not.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models


def _is_multi_valued(model, path: str) -> bool:
    """Whether following ``path`` from ``model`` crosses a one-to-many or many-to-many relation."""
    for name in path.split("__"):
        if name == "pk":
            return False
        field = model._meta.get_field(name)
        if field.one_to_many or field.many_to_many:
            return True
        model = field.related_model
    return False


class CustomerOwnedQuerySet(models.QuerySet):
    """A queryset of a model with a ``customer_path``; ``for_customer()`` keeps one customer's rows."""

    scoped_customer_id: int | None = None

    def for_customer(self, customer) -> CustomerOwnedQuerySet:
        """Only ``customer``'s rows; none at all for no customer (never everybody's)."""
        if customer is None:
            return self.none()
        if self.scoped_customer_id == customer.pk:
            return self
        path = self.model.customer_path
        if _is_multi_valued(self.model, path):
            # Through a one-to-many relation a row would come once per match: filter on the keys.
            owned = self.model._default_manager.filter(**{path: customer}).values("pk")
            scoped = self.filter(pk__in=owned)
        else:
            scoped = self.filter(**{path: customer})
        scoped.scoped_customer_id = customer.pk
        return scoped

    def _clone(self):
        clone = super()._clone()
        clone.scoped_customer_id = self.scoped_customer_id
        return clone


def customer_owned_models() -> list[type[models.Model]]:
    """Every installed model whose rows belong to a customer (for checks and tests)."""
    return [
        model
        for model in apps.get_models()
        if getattr(model, "customer_path", None)
        and isinstance(model._default_manager.all(), CustomerOwnedQuerySet)
    ]
